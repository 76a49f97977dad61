"""API clients: an agency's own apps, signing in with OAuth 2.0 client credentials (RFC 6749 §4.4).

Each client acts through a user of its own (`User.is_api_client`), so that every record naming who did something
(a referral's referring user, the audit trail's actor) names the client. Its scopes bound what it may do, checked in
the domain by `require(..., scope=...)` like roles."""

import enum
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import JSON, Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.audit import record_event, snapshot
from server.domain.columns import UTCDateTime, utcnow
from server.domain.errors import Conflict, Invalid
from server.domain.paging import Page, paginate
from server.domain.principal import Principal, Role, require
from server.domain.records import apply_changes, fetch
from server.domain.users import User


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    # The user the client acts as: role AGENCY_ADMIN bounded by `scopes`, never signing in with a password.
    user_id: int = Field(foreign_key="app_user.id", sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    # The public identifier the client sends with its secret.
    client_id: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    # SHA-256 of the secret (a random 256-bit value, so a fast hash suffices); the secret is shown once.
    secret_hash: str = Field(max_length=128)
    scopes: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    secret_rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_api_client_agency_name", "agency_id", "name"),)


class Scope(enum.StrEnum):
    """What an API client may be allowed to do; each domain service open to clients names the one it needs."""

    REFERRALS_READ = "referrals:read"
    REFERRALS_WRITE = "referrals:write"
    CLIENTS_READ = "clients:read"
    CLIENTS_WRITE = "clients:write"
    DELIVERY_READ = "delivery:read"
    DELIVERY_WRITE = "delivery:write"
    DIRECTORY_READ = "directory:read"
    DIRECTORY_WRITE = "directory:write"


# The vocabulary, as the README and GraphiQL describe it. Everything else (cases, the audit trail, the agency's
# settings, users, API clients themselves) stays closed to API clients.
SCOPES: dict[Scope, str] = {
    Scope.REFERRALS_READ: "Read the agency's referrals, their history and their counts.",
    Scope.REFERRALS_WRITE: "Create, edit, send and cancel referrals; decide authorizations.",
    Scope.CLIENTS_READ: "Read participants, their program enrollments and benefit assignments.",
    Scope.CLIENTS_WRITE: "Create and edit participants and their alerts; enroll them; assign benefits.",
    Scope.DELIVERY_READ: "Read schedules, sessions, rosters, schedule assignments and disbursements.",
    Scope.DELIVERY_WRITE: "Record and correct disbursements, disburse in bulk, review providers' schedules.",
    Scope.DIRECTORY_READ: "Read the provider directory (providers, facilities, care specialties, search) and the "
    "agency's catalogue (programs, benefits, code sets).",
    Scope.DIRECTORY_WRITE: "Add and edit providers, facilities, care specialties and the agency's catalogue.",
}

# A change reads the records it changes (a referral's transition reads the referral first): each write scope
# brings its read scope.
IMPLIED: dict[Scope, Scope] = {
    Scope.REFERRALS_WRITE: Scope.REFERRALS_READ,
    Scope.CLIENTS_WRITE: Scope.CLIENTS_READ,
    Scope.DELIVERY_WRITE: Scope.DELIVERY_READ,
    Scope.DIRECTORY_WRITE: Scope.DIRECTORY_READ,
}

MANAGERS = frozenset({Role.AGENCY_ADMIN})
NAME = v.text(150, required=True)  # the client's user is named "<name> (API client)", at most 200 characters
EMAIL_DOMAIN = "api-clients.invalid"  # RFC 2606: never a deliverable address
# No Argon2 hash has this form: no password ever matches it (and sign-in refuses API clients before checking).
UNUSABLE_PASSWORD = "!"


@dataclass(frozen=True)
class IssuedSecret:
    """A client with the secret just made for it: the only time the secret is known."""

    client: ApiClient
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(client: ApiClient) -> str:
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_secret(secret)
    return secret


def with_implied(scopes: Iterable[str]) -> list[str]:
    """`scopes` (known ones) with the read scopes their write scopes bring, each once, in the vocabulary's order."""
    given = set(scopes)
    given |= {IMPLIED[scope] for scope in SCOPES if scope in given and scope in IMPLIED}
    return [scope.value for scope in SCOPES if scope in given]


def clean_scopes(scopes: Any, *, field: str = "scopes") -> list[str]:
    """The scopes as stored: known ones only, with those they imply (`IMPLIED`), in the vocabulary's order; at
    least one."""
    if not isinstance(scopes, list | tuple) or not scopes:
        raise Invalid("Give at least one scope.", field=field)
    for index, scope in enumerate(scopes):
        if not isinstance(scope, str) or scope not in SCOPES:
            known = ", ".join(SCOPES)
            raise Invalid(f"Unknown scope {str(scope)[:40]!r}: give some of {known}.", field=f"{field}[{index}]")
    return with_implied(scopes)


def _mine(principal: Principal) -> ColumnElement[bool]:
    return ApiClient.agency_id == principal.agency_id


async def _client(session: AsyncSession, principal: Principal, client_id: int) -> ApiClient:
    return await fetch(session, ApiClient, client_id, scope=_mine(principal), what="API client", for_update=True)


def _check_live(client: ApiClient) -> None:
    if client.revoked_at is not None:
        raise Conflict("This API client is revoked: register a new one.", field="id")


async def register(session: AsyncSession, principal: Principal | None, values: dict) -> IssuedSecret:
    """Registers an app of the agency as an API client with `name` and `scopes`, acting through a user of its own
    (an agency admin bounded by the scopes). The secret is returned once, and only its hash is kept."""
    principal = require(principal, MANAGERS)
    cleaned = v.clean({"name": NAME, "scopes": v.Rule(required=True, nullable=False)}, values, partial=False)
    name, scopes = cleaned["name"], clean_scopes(cleaned["scopes"])
    public_id = secrets.token_hex(16)
    user = User(
        email=f"client-{public_id}@{EMAIL_DOMAIN}",
        full_name=f"{name} (API client)",
        role=Role.AGENCY_ADMIN,
        agency_id=principal.agency_id,
        password_hash=UNUSABLE_PASSWORD,
        is_api_client=True,
    )
    session.add(user)
    await session.flush()
    client = ApiClient(
        agency_id=principal.agency_id,
        user_id=user.id,
        name=name,
        client_id=public_id,
        secret_hash="",
        scopes=scopes,
        created_by_user_id=principal.user_id,
    )
    secret = _new_secret(client)
    session.add(client)
    await record_event(
        session, principal, action="api_client.register", record=client, before=None, agency_id=client.agency_id
    )
    return IssuedSecret(client, secret)


async def rotate_secret(session: AsyncSession, principal: Principal | None, client_id: int) -> IssuedSecret:
    """Gives the client a new secret, returned once; the old one stops working at once (tokens already issued
    last until they expire: revoke the client to end them)."""
    principal = require(principal, MANAGERS)
    client = await _client(session, principal, client_id)
    _check_live(client)
    before = snapshot(client)
    secret = _new_secret(client)
    client.secret_rotated_at = utcnow()
    await record_event(
        session, principal, action="api_client.rotate_secret", record=client, before=before, agency_id=client.agency_id
    )
    return IssuedSecret(client, secret)


async def update_scopes(
    session: AsyncSession, principal: Principal | None, client_id: int, scopes: list[str]
) -> ApiClient:
    """Sets the client's scopes; its tokens are bounded by the new ones from their next request."""
    principal = require(principal, MANAGERS)
    scopes = clean_scopes(scopes)
    client = await _client(session, principal, client_id)
    _check_live(client)
    before = snapshot(client)
    if apply_changes(client, {"scopes": scopes}):
        await record_event(
            session, principal, action="api_client.scopes", record=client, before=before, agency_id=client.agency_id
        )
    return client


async def revoke(session: AsyncSession, principal: Principal | None, client_id: int) -> ApiClient:
    """Ends the client for good: its secret no longer gets tokens, and the tokens it holds are refused from their
    next request. Revoking a revoked client changes nothing."""
    principal = require(principal, MANAGERS)
    client = await _client(session, principal, client_id)
    if client.revoked_at is None:
        before = snapshot(client)
        client.revoked_at = utcnow()
        await record_event(
            session, principal, action="api_client.revoke", record=client, before=before, agency_id=client.agency_id
        )
    return client


async def list_clients(
    session: AsyncSession, principal: Principal | None, *, first: int, after: str | None = None
) -> Page[ApiClient]:
    """The agency's API clients, revoked ones too, by name. Agency admins."""
    principal = require(principal, MANAGERS)
    query = select(ApiClient).where(_mine(principal))
    return await paginate(
        session, query, order=[(ApiClient.name, "asc"), (ApiClient.id, "asc")], first=first, after=after
    )


# Compared against when the client id is unknown, so that an unknown client costs what a wrong secret does.
_NO_SECRET = hash_secret(secrets.token_urlsafe(32))


async def authenticate(session: AsyncSession, client_id: str, secret: str) -> ApiClient | None:
    """The live client with this id and secret (the token endpoint's client authentication), or None."""
    client = (await session.exec(select(ApiClient).where(ApiClient.client_id == client_id[:64]))).first()
    matched = hmac.compare_digest(hash_secret(secret), client.secret_hash if client else _NO_SECRET)
    if client is None or not matched or client.revoked_at is not None:
        return None
    return client
