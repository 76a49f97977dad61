"""Users: staff of one agency or one provider, with one role."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.core.passwords import hash_parameters, hash_password
from server.domain.audit import record_event
from server.domain.columns import UTCDateTime, enum_type, utcnow
from server.domain.errors import Conflict, Invalid
from server.domain.principal import AGENCY_ROLES, Principal, Role
from server.domain.validation import PHONE

MIN_PASSWORD_LENGTH = 10


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
    is_api_client: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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
    password: str,
    agency_id: int | None = None,
    provider_id: int | None = None,
    hash_profile: str = "default",
    phone: str | None = None,
) -> User:
    """Creates a user of an agency (agency roles) or of a provider (provider roles), with a work phone if given."""
    email = normalise_email(email)
    if "@" not in email:
        raise Invalid("Give an email address.", field="email")
    phone = (phone or "").strip() or None
    if phone is not None and not (len(phone) <= 40 and PHONE.match(phone)):
        raise Invalid("Give a phone number (digits, spaces, + ( ) . -).", field="phone")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password")
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
