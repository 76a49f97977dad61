"""Invitations: a one-time link with which an invited user sets their password (valid 72 hours).

An admin invites a user (the user is created active, with no password anyone knows) and is shown the link once, to
pass on; only the SHA-256 of its token is stored, so the table cannot give a link away. The token is 256 random
bits: a fast hash suffices, and guessing one is hopeless. A newer link (a resend) voids the earlier ones, and
setting the password voids every other outstanding link of the user.

A link is voided by setting its expiry to its creation time (no link is made already expired): that tells a voided
link from one that ran out, so the person holding it is told which.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.core.passwords import hash_password
from server.domain import validation as v
from server.domain.audit import record_event, snapshot
from server.domain.columns import UTCDateTime, utcnow
from server.domain.errors import Conflict, Invalid
from server.domain.principal import Principal, Role, require
from server.domain.users import (
    USER_ADMINS,
    User,
    check_password_rule,
    create_user,
    find_user,
    managed_user,
    principal_of,
    same_side_roles,
)

VALID_FOR = timedelta(hours=72)
# The longest token taken: ours are 43 characters; anything much longer is no link of ours (and costs no hash).
MAX_TOKEN = 200


class Invitation(SQLModel, table=True):
    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    # SHA-256 of the link's token; the token itself is shown once, to the admin who invited.
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    invited_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")

    @property
    def voided(self) -> bool:
        return self.used_at is None and self.expires_at <= self.created_at


@dataclass(frozen=True)
class IssuedInvitation:
    """What the admin sees once: the user, the link's token (to build the link from) and when it expires."""

    user: User
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class InvitationState:
    """Where a user's invitation stands: `pending` until they have set their password through a link;
    `expires_at`, the latest link's expiry while pending (past: the admin should send a new one)."""

    pending: bool = False
    expires_at: datetime | None = None


def invitation_state(invitations: list[Invitation]) -> InvitationState:
    """A user's invitation state from all their invitations (none: a user created otherwise, not pending)."""
    if not invitations or any(i.used_at is not None for i in invitations):
        return InvitationState()
    latest = max(invitations, key=lambda i: (i.created_at, i.id))
    return InvitationState(pending=True, expires_at=None if latest.voided else latest.expires_at)


class LinkRefused(Invalid):
    """A set-password link that cannot be used; `reason` says why in one word for clients (the portal)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, field="token")
        self.reason = reason


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _issue(session: AsyncSession, principal: Principal | None, user: User) -> IssuedInvitation:
    """A new link for `user`, voiding their earlier ones."""
    await _void_outstanding(session, user.id)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        user_id=user.id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + VALID_FOR,
        invited_by_user_id=principal.user_id if principal else None,
    )
    session.add(invitation)
    await session.flush()
    return IssuedInvitation(user=user, token=token, expires_at=invitation.expires_at)


async def _void_outstanding(session: AsyncSession, user_id: int, *, keep: int | None = None) -> None:
    now = utcnow()
    await session.exec(
        sa.update(Invitation)
        .where(
            Invitation.user_id == user_id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
            Invitation.id != (keep or 0),
        )
        .values(expires_at=Invitation.created_at)
    )


INVITE_RULES = {
    "email": v.email(required=True),
    "full_name": v.text(200, required=True),
    "role": v.choice(Role, required=True),
    "phone": v.phone(),
}


async def invite_user(
    session: AsyncSession, principal: Principal | None, values: dict, *, hash_profile: str = "default"
) -> IssuedInvitation:
    """Invites a user into the admin's organisation (agency admins: an agency role into their agency; provider
    admins: a provider role into their provider). The user is created active, with no password; the link to set
    one (valid 72 hours, once) is returned once, for the admin to pass on. An email already used is a conflict."""
    principal = require(principal, USER_ADMINS)
    values = v.clean(INVITE_RULES, values, partial=False)
    if values["role"] not in same_side_roles(principal):
        side = "agency" if principal.is_agency else "provider"
        raise Invalid(f"Invite into one of the {side} roles.", field="role")
    if await find_user(session, values["email"]) is not None:
        raise Conflict(f"A user with email {values['email'].lower()} exists.", field="email")
    user = await create_user(
        session,
        email=values["email"],
        full_name=values["full_name"],
        role=values["role"],
        password=None,
        agency_id=principal.agency_id if principal.is_agency else None,
        provider_id=principal.provider_id if principal.is_provider else None,
        hash_profile=hash_profile,
        phone=values.get("phone"),
    )
    issued = await _issue(session, principal, user)
    await record_event(
        session,
        principal,
        action="user.invite",
        record=user,
        before=None,
        after={**snapshot(user), "invitation_expires_at": issued.expires_at.isoformat()},
        agency_id=user.agency_id,
    )
    return issued


async def resend_invitation(session: AsyncSession, principal: Principal | None, user_id: int) -> IssuedInvitation:
    """A new link (valid 72 hours) for a user of the admin's organisation who has not yet set their password; the
    earlier links stop working."""
    principal = require(principal, USER_ADMINS)
    user = await managed_user(session, principal, user_id, lock=True)
    if not user.active:
        raise Conflict("This user is deactivated: reactivate them first.", field="userId")
    invitations = list((await session.exec(select(Invitation).where(Invitation.user_id == user.id))).all())
    if not invitation_state(invitations).pending:
        raise Conflict("This user was not invited, or has set their password already.", field="userId")
    issued = await _issue(session, principal, user)
    await record_event(
        session,
        principal,
        action="user.invitation_resend",
        record=user,
        before=None,
        after={"invitation_expires_at": issued.expires_at.isoformat()},
        agency_id=user.agency_id,
    )
    return issued


async def usable_invitation(session: AsyncSession, token: str) -> tuple[Invitation, User]:
    """The invitation of a set-password link and its user, if the link can still be used; LinkRefused otherwise
    (unknown, used, replaced, expired, or the account deactivated). An unknown token costs one indexed lookup."""
    invitation = None
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN:
        invitation = (await session.exec(select(Invitation).where(Invitation.token_hash == token_hash(token)))).first()
    if invitation is None:
        raise LinkRefused("invalid_link", "This link is not valid: check it, or ask your administrator for a new one.")
    if invitation.used_at is not None:
        raise LinkRefused(
            "used_link",
            "This link has been used already: sign in with the password you set, or ask your administrator for a "
            "new link.",
        )
    if invitation.voided:
        raise LinkRefused("replaced_link", "This link was replaced by a newer one: use the latest link you were given.")
    if invitation.expires_at <= utcnow():
        raise LinkRefused(
            "expired_link", "This link has expired (links last 72 hours): ask your administrator for a new one."
        )
    user = await session.get(User, invitation.user_id)
    if user is None or not user.active or user.is_api_client:
        raise LinkRefused("inactive_account", "This account is deactivated: ask your administrator.")
    return invitation, user


async def set_password_with_invitation(
    session: AsyncSession,
    *,
    token: str,
    password: str,
    password_hash: str | None = None,
    hash_profile: str = "default",
) -> User:
    """Sets the password of the user a link was made for, once: the link is then used, and the user's other
    outstanding links void. The password keeps the password rule. `password_hash`: the password already hashed
    (by the caller, outside the transaction); else it is hashed here with `hash_profile`.

    No one is signed in: the user acts on their own account (audited as theirs)."""
    invitation, user = await usable_invitation(session, token)
    check_password_rule(password, user.email)
    used = await session.exec(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:  # used at the same moment by another request
        raise LinkRefused("used_link", "This link has been used already.")
    await _void_outstanding(session, user.id, keep=invitation.id)
    user.password_hash = password_hash or hash_password(password, hash_profile)
    session.add(user)
    await record_event(
        session,
        principal_of(user),
        action="user.password_set",
        record=user,
        before=None,
        after={"invitation_id": invitation.id},
        agency_id=user.agency_id,
    )
    return user
