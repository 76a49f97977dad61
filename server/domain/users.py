"""Users: staff of one agency or one provider, with one role."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.core.passwords import hash_parameters, hash_password
from server.domain.audit import record_event
from server.domain.columns import UTCDateTime, enum_type, utcnow
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, Role, require
from server.domain.validation import PHONE

MIN_PASSWORD_LENGTH = 12
# Who manages users: each admin their own organisation's (an agency's users, or a provider's staff).
USER_ADMINS = frozenset({Role.AGENCY_ADMIN, Role.PROVIDER_ADMIN})


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (sa.CheckConstraint("(agency_id IS NULL) <> (provider_id IS NULL)", name="ck_user_one_employer"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    # Work phone: agency staff's is shown, with their email, to the providers they refer to.
    phone: str | None = Field(default=None, max_length=40)
    role: Role = Field(sa_type=enum_type(Role))
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    password_hash: str = Field(max_length=255)
    active: bool = True
    # An API client's own user (see server/domain/api_clients.py): no password, not listed among staff.
    # Raised to end every token issued so far (deactivation): a token carries the generation it was issued in.
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    is_api_client: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def check_password_rule(password: str, email: str) -> None:
    """The one password rule (NIST SP 800-63B's length, and nothing guessable from the account): at least
    MIN_PASSWORD_LENGTH characters, neither the email nor its part before the @ (any case, spaces around ignored).
    Raises Invalid on `password`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    given = password.strip().casefold()
    email = normalise_email(email).casefold()
    if given in {email, email.partition("@")[0]}:
        raise Invalid("A password must not be your email address, nor part of it.", field="password")


def principal_of(user: User, time_zone: str | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        name=user.full_name,
        role=user.role,
        agency_id=user.agency_id,
        provider_id=user.provider_id,
        time_zone=time_zone,
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def find_user(session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(User.email == normalise_email(email)))).first()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    role: Role,
    password: str | None,
    agency_id: int | None = None,
    provider_id: int | None = None,
    hash_profile: str = "default",
    phone: str | None = None,
) -> User:
    """Creates a user of an agency (agency roles) or of a provider (provider roles), with a work phone if given.

    `password` must keep the password rule (`check_password_rule`); None gives the user no password anyone knows
    (an invited user, who sets theirs through their invitation's link)."""
    email = normalise_email(email)
    if "@" not in email:
        raise Invalid("Give an email address.", field="email")
    phone = (phone or "").strip() or None
    if phone is not None and not (len(phone) <= 40 and PHONE.match(phone)):
        raise Invalid("Give a phone number (digits, spaces, + ( ) . -).", field="phone")
    if password is None:
        # A real hash of a secret no one keeps: signing in fails after the same work as a wrong password.
        password = secrets.token_urlsafe(32)
    else:
        check_password_rule(password, email)
    if role in AGENCY_ROLES and (agency_id is None or provider_id is not None):
        raise Invalid("Agency roles belong to an agency.", field="agency")
    if role not in AGENCY_ROLES and (provider_id is None or agency_id is not None):
        raise Invalid("Provider roles belong to a provider.", field="provider")
    exists = await session.exec(select(func.count()).select_from(User).where(User.email == email))
    if exists.one():
        raise Conflict(f"A user with email {email} exists.", field="email")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        agency_id=agency_id,
        provider_id=provider_id,
        phone=phone,
        password_hash=hash_password(password, hash_profile),
    )
    session.add(user)
    await session.flush()
    return user


async def rehash_password(session: AsyncSession, *, user: User, new_hash: str) -> bool:
    """Stores `new_hash` (the password hashed with today's parameters, on a successful sign-in) in place of the
    hash `user` was read with, unless it has changed meanwhile; audited as the user's own change."""
    stored = await session.get(User, user.id)
    if stored is None or stored.password_hash != user.password_hash:
        return False
    before = {"password_hash_parameters": hash_parameters(stored.password_hash)}
    stored.password_hash = new_hash
    await record_event(
        session,
        principal_of(stored),
        action="user.password_rehash",
        record=stored,
        before=before,
        after={"password_hash_parameters": hash_parameters(new_hash)},
        agency_id=stored.agency_id,
    )
    return True


async def record_sign_in_lockout(
    session: AsyncSession, *, email: str, address: str, scopes: list[str], until: datetime
) -> bool:
    """Audits that failed sign-ins locked an existing account (from `address`, or everywhere) until `until`.

    The system acts (no one is signed in: the actor is null); the event belongs to the account's agency or
    provider. An unknown email has no record to audit: the caller logs it. Returns whether an event was written."""
    user = await find_user(session, email)
    if user is None:
        return False
    await record_event(
        session,
        None,
        action="user.sign_in_lockout",
        record=user,
        before=None,
        after={"address": address, "scopes": scopes, "until": until.isoformat()},
        agency_id=user.agency_id,
        provider_id=user.provider_id,
    )
    return True


# Managing users: each admin manages their own organisation's users (an agency admin the agency's, a provider admin
# the provider's staff), never an API client's own user. Anyone else's user is NOT_FOUND.


def same_side_roles(principal: Principal) -> frozenset[Role]:
    """The roles an admin may give: their own side's (agency roles, or provider roles)."""
    return AGENCY_ROLES if principal.is_agency else PROVIDER_ROLES


def admin_role_of(principal: Principal) -> Role:
    return Role.AGENCY_ADMIN if principal.is_agency else Role.PROVIDER_ADMIN


def _of_organisation(principal: Principal):
    """The clause admitting the users `principal` manages: their organisation's people, not its API clients."""
    employer = (
        User.agency_id == principal.agency_id if principal.is_agency else User.provider_id == principal.provider_id
    )
    return sa.and_(employer, User.is_api_client.is_(False))


async def list_staff(
    session: AsyncSession, principal: Principal | None, *, active: bool | None, first: int, after: str | None
) -> Page[User]:
    """The users of the admin's organisation (agency admins: their agency's; provider admins: their provider's),
    by name; `active` narrows to active (true) or deactivated (false) users. API clients' users are never listed."""
    principal = require(principal, USER_ADMINS)
    query = select(User).where(_of_organisation(principal))
    if active is not None:
        query = query.where(User.active.is_(active))
    return await paginate(session, query, order=[(User.full_name, "asc"), (User.id, "asc")], first=first, after=after)


async def managed_user(session: AsyncSession, principal: Principal, user_id: int, *, lock: bool = False) -> User:
    """The user `user_id` if `principal` (an admin) manages them; NOT_FOUND otherwise, whoever they are."""
    query = select(User).where(User.id == user_id, _of_organisation(principal))
    if lock:
        query = query.with_for_update()
    user = (await session.exec(query)).first()
    if user is None:
        raise NotFound("No such user in your organisation.", field="userId")
    return user


async def _other_active_admins(session: AsyncSession, principal: Principal, user: User) -> int:
    """How many active admins of the organisation other than `user` there are, their rows locked (PostgreSQL) so
    that two admins demoting or deactivating each other at once cannot leave none."""
    rows = await session.exec(
        select(User.id)
        .where(
            _of_organisation(principal),
            User.role == admin_role_of(principal),
            User.active.is_(True),
            User.id != user.id,
        )
        .with_for_update()
    )
    return len(rows.all())


async def _keep_an_admin(session: AsyncSession, principal: Principal, user: User, doing: str) -> None:
    if user.id == principal.user_id:
        raise Conflict(f"You cannot {doing} yourself: ask another admin of your organisation.", field="userId")
    if (
        user.active
        and user.role == admin_role_of(principal)
        and not await _other_active_admins(session, principal, user)
    ):
        raise Conflict(
            f"You cannot {doing} your organisation's last active admin: make someone else an admin first.",
            field="userId",
        )


async def _audit(session: AsyncSession, principal: Principal, action: str, user: User, before: dict, after: dict):
    await record_event(
        session, principal, action=action, record=user, before=before, after=after, agency_id=user.agency_id
    )


async def change_user_role(session: AsyncSession, principal: Principal | None, user_id: int, role: Role) -> User:
    """Gives one of the admin's users another role of the same side (an agency role, or a provider role). An admin
    cannot demote themselves, nor the organisation's last active admin."""
    principal = require(principal, USER_ADMINS)
    user = await managed_user(session, principal, user_id, lock=True)
    if role not in same_side_roles(principal):
        side = "agency" if principal.is_agency else "provider"
        raise Invalid(f"Give one of the {side} roles.", field="role")
    if role == user.role:
        return user
    if user.role == admin_role_of(principal):
        await _keep_an_admin(session, principal, user, "demote")
    before = {"role": user.role.value}
    user.role = role
    await _audit(session, principal, "user.role_change", user, before, {"role": role.value})
    return user


async def deactivate_user(session: AsyncSession, principal: Principal | None, user_id: int) -> User:
    """Deactivates one of the admin's users: from their next request on, their tokens and portal session are
    refused (the caller's lookup refuses inactive users) and they cannot sign in. Not oneself, nor the last active
    admin. Their records stay."""
    principal = require(principal, USER_ADMINS)
    user = await managed_user(session, principal, user_id, lock=True)
    await _keep_an_admin(session, principal, user, "deactivate")
    if user.active:
        user.active = False
        user.token_generation += 1  # its tokens stay refused after a reactivation
        await _audit(session, principal, "user.deactivate", user, {"active": True}, {"active": False})
    return user


async def reactivate_user(session: AsyncSession, principal: Principal | None, user_id: int) -> User:
    """Lets a deactivated user of the admin's organisation sign in again (with a new sign-in: nothing is restored
    but the account)."""
    principal = require(principal, USER_ADMINS)
    user = await managed_user(session, principal, user_id, lock=True)
    if not user.active:
        user.active = True
        await _audit(session, principal, "user.reactivate", user, {"active": False}, {"active": True})
    return user
