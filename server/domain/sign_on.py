"""Single sign-on: an agency's or a provider's OpenID Connect identity provider, through which its staff sign in."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from authlib.common.security import is_secure_transport
from sqlalchemy import ColumnElement
from sqlmodel import JSON, Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.agencies import Agency
from server.domain.audit import record_event, snapshot
from server.domain.columns import UTCDateTime, utcnow
from server.domain.errors import Conflict, DomainError, ErrorCode, NotFound
from server.domain.network.models import Provider
from server.domain.principal import Principal, Role, require
from server.domain.records import apply_changes
from server.domain.users import User, create_user, find_user, normalise_email


class IdentityProvider(SQLModel, table=True):
    __tablename__ = "identity_provider"
    __table_args__ = (
        sa.CheckConstraint("(agency_id IS NULL) <> (provider_id IS NULL)", name="ck_identity_provider_one_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", sa_column_kwargs={"unique": True})
    provider_id: int | None = Field(default=None, foreign_key="provider.id", sa_column_kwargs={"unique": True})
    # In the sign-in URL: /auth/sso/{key}/start.
    key: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    # "Sign in with {label}".
    label: str = Field(max_length=120)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=200)
    client_secret: str = Field(max_length=500)
    # Lower-case email domains whose users may sign in through it; empty: any domain.
    allowed_domains: list[str] = Field(default_factory=list, sa_type=JSON)
    # Whether an unknown but verified email of an allowed domain becomes a user (with the least role).
    allow_new_users: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- configuration, by the organisation's own admin ----------------------------------------------------------------

SIGN_ON_ADMINS = frozenset({Role.AGENCY_ADMIN, Role.PROVIDER_ADMIN})
# The least role a new user of each kind of organisation gets, when the organisation lets its identity provider
# create users.
LEAST_ROLE = {"agency": Role.CASEWORKER, "provider": Role.PROVIDER_STAFF}
KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
MAX_DOMAINS = 50
# Never written to the audit trail, nor returned.
SECRET_FIELDS = ("client_secret",)


def _issuer(value: str) -> str:
    value = v.text(500).clean(value).rstrip("/")
    parts = urlsplit(value)
    if parts.query or parts.fragment or not parts.hostname:
        raise ValueError("must be the identity provider's issuer URL (https://…), without query or fragment")
    # https, or http on this machine's loopback only (a provider run for tests or development).
    if not is_secure_transport(value):
        raise ValueError("must use https (http only on a loopback address)")
    return value


def _domains(value: list[str]) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_DOMAINS:
        raise ValueError(f"must be a list of at most {MAX_DOMAINS} email domains")
    cleaned: list[str] = []
    for item in value:
        domain = item.strip().lower().lstrip("@") if isinstance(item, str) else ""
        if not DOMAIN.match(domain):
            raise ValueError(f"has {item!r}, which is not an email domain (e.g. cosville.example)")
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _key(value: str) -> str:
    value = v.text(60).clean(value).lower()
    if not KEY.match(value):
        raise ValueError("must be lower-case letters, digits and hyphens (e.g. cosville), as it goes in a web address")
    return value


CONFIGURATION_RULES = {
    "key": v.Rule(nullable=False, check=_key),
    "label": v.text(120),
    "issuer": v.Rule(required=True, nullable=False, check=_issuer),
    "client_id": v.text(200, required=True),
    "client_secret": v.text(500),
    "allowed_domains": v.Rule(nullable=False, check=_domains),
    "allow_new_users": v.flag(),
}


def _owner(principal: Principal) -> ColumnElement[bool]:
    if principal.agency_id is not None:
        return IdentityProvider.agency_id == principal.agency_id
    return IdentityProvider.provider_id == principal.provider_id


def audit_snapshot(provider: IdentityProvider) -> dict[str, Any] | None:
    values = snapshot(provider)
    for name in SECRET_FIELDS:
        values.pop(name, None)
    return values


async def _organisation_name(session: AsyncSession, principal: Principal) -> str:
    if principal.agency_id is not None:
        return (await session.get(Agency, principal.agency_id)).name
    return (await session.get(Provider, principal.provider_id)).name


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or "sign-on"


NONE_REGISTERED = "Your organisation has no identity provider: configureSignOn registers one."


async def own_provider(session: AsyncSession, principal: Principal | None) -> IdentityProvider:
    """The signed-in admin's organisation's identity provider (active or disabled); NotFound when none is
    registered. Its admins only."""
    principal = require(principal, SIGN_ON_ADMINS)
    provider = (await session.exec(select(IdentityProvider).where(_owner(principal)))).first()
    if provider is None:
        raise NotFound(NONE_REGISTERED, field=None)
    return provider


async def configure(session: AsyncSession, principal: Principal | None, values: dict) -> IdentityProvider:
    """Registers or changes the admin's organisation's identity provider, and turns it on. The client secret is
    needed the first time; afterwards, given only to change it. Audited without the secret."""
    principal = require(principal, SIGN_ON_ADMINS)
    existing = (await session.exec(select(IdentityProvider).where(_owner(principal)).with_for_update())).first()
    values = v.clean(CONFIGURATION_RULES, values, partial=existing is not None)
    if existing is None and not values.get("client_secret"):
        raise DomainError("clientSecret is required.", field="clientSecret", code=ErrorCode.REQUIRED)
    if values.get("client_secret") is None:
        values.pop("client_secret", None)
    if values.get("label") is None:
        values.pop("label", None)
    name = await _organisation_name(session, principal)
    key = values.get("key") or (existing.key if existing else _slug(name))
    taken = select(IdentityProvider.id).where(IdentityProvider.key == key)
    if existing is not None:
        taken = taken.where(IdentityProvider.id != existing.id)
    if (await session.exec(taken)).first() is not None:
        raise Conflict(f"The key {key!r} is taken by another organisation: choose another.", field="key")
    values["key"] = key
    values["active"] = True
    secret_changed = "client_secret" in values and (
        existing is None or existing.client_secret != values["client_secret"]
    )
    if existing is None:
        provider = IdentityProvider(
            agency_id=principal.agency_id,
            provider_id=principal.provider_id,
            label=values.pop("label", None) or name,
            **values,
        )
        session.add(provider)
        await session.flush()
        before = None
        changed = True
    else:
        provider = existing
        before = audit_snapshot(provider)
        changed = apply_changes(provider, values)
    if changed:
        after = {**audit_snapshot(provider), "client_secret_changed": secret_changed}
        await record_event(
            session,
            principal,
            action="sign_on.configure",
            record=provider,
            before=before,
            after=after,
            agency_id=principal.agency_id,
        )
    return provider


async def disable(session: AsyncSession, principal: Principal | None) -> IdentityProvider:
    """Turns the admin's organisation's identity provider off: no one signs in through it until it is configured
    again (its settings are kept). Users already signed in stay signed in until they sign out."""
    principal = require(principal, SIGN_ON_ADMINS)
    provider = (await session.exec(select(IdentityProvider).where(_owner(principal)).with_for_update())).first()
    if provider is None:
        raise NotFound(NONE_REGISTERED, field=None)
    before = audit_snapshot(provider)
    if apply_changes(provider, {"active": False}):
        await record_event(
            session,
            principal,
            action="sign_on.disable",
            record=provider,
            before=before,
            after=audit_snapshot(provider),
            agency_id=principal.agency_id,
        )
    return provider


# --- signing in -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignOnChoice:
    """What the sign-in pages show: "Sign in with {label}"."""

    key: str
    label: str
    kind: str  # "agency" or "provider"


def kind_of(provider: IdentityProvider) -> str:
    return "agency" if provider.agency_id is not None else "provider"


async def choices(session: AsyncSession) -> list[SignOnChoice]:
    """The active identity providers, by label: public (the sign-in pages list them before anyone signs in)."""
    found = await session.exec(
        select(IdentityProvider).where(IdentityProvider.active.is_(True)).order_by(IdentityProvider.label)
    )
    return [SignOnChoice(p.key, p.label, kind_of(p)) for p in found.all()]


async def active_provider(session: AsyncSession, key: str) -> IdentityProvider | None:
    return (
        await session.exec(
            select(IdentityProvider).where(IdentityProvider.key == key, IdentityProvider.active.is_(True))
        )
    ).first()


@dataclass(frozen=True)
class SignOnOutcome:
    """Who signs in, or why no one does (`refusal`, in words for the person at the browser)."""

    user: User | None = None
    refusal: str | None = None


def _refused(message: str) -> SignOnOutcome:
    return SignOnOutcome(refusal=message)


def _verified(claims: Mapping[str, Any]) -> bool:
    # Some providers send the flag as a string.
    return claims.get("email_verified") in (True, "true")


def _full_name(claims: Mapping[str, Any], email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return (name.strip() or email.split("@")[0])[:200]


def _belongs(user: User, provider: IdentityProvider) -> bool:
    if provider.agency_id is not None:
        return user.agency_id == provider.agency_id
    return user.provider_id == provider.provider_id


async def sign_in(
    session: AsyncSession, provider: IdentityProvider, claims: Mapping[str, Any], *, hash_profile: str = "default"
) -> User:
    """The Caseway user that `provider`'s checked ID token `claims` identify: an active user of the provider's
    organisation with the token's verified email, of an allowed domain. An unknown email becomes a user with the
    least role when the organisation allows it (audited); otherwise, or when the user is deactivated, belongs to
    another organisation or is an API client, a refusal. A refused deactivated user is audited (so the caller commits
    a refusal's session too)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return _refused(f"{provider.label} did not give your email address: Caseway matches you by email.")
    email = normalise_email(email)
    if not _verified(claims):
        return _refused(f"{provider.label} has not verified your email address {email}: verify it there first.")
    domain = email.rsplit("@", 1)[1]
    if provider.allowed_domains and domain not in provider.allowed_domains:
        return _refused(f"Email addresses of {domain} may not sign in with {provider.label}.")
    user = await find_user(session, email)
    if user is not None and (user.is_api_client or not _belongs(user, provider)):
        return _refused(f"{email} is not an account of {provider.label}: sign in the way your organisation uses.")
    if user is not None and not user.active:
        await record_event(
            session,
            None,
            action="user.sign_on_refused",
            record=user,
            before=None,
            after={"identity_provider": provider.key, "reason": "deactivated"},
            agency_id=user.agency_id,
            provider_id=user.provider_id,
        )
        return _refused("Your Caseway account is deactivated: ask your administrator.")
    if user is not None:
        return SignOnOutcome(user=user)
    if not provider.allow_new_users:
        return _refused(f"No Caseway account has the email {email}: ask your administrator to add you.")
    user = await create_user(
        session,
        email=email,
        full_name=_full_name(claims, email),
        role=LEAST_ROLE[kind_of(provider)],
        password=None,  # none anyone knows: they sign in through the identity provider
        agency_id=provider.agency_id,
        provider_id=provider.provider_id,
        hash_profile=hash_profile,
    )
    await record_event(
        session,
        None,
        action="user.create_by_sign_on",
        record=user,
        before=None,
        after={**snapshot(user), "identity_provider": provider.key},
        agency_id=user.agency_id,
        provider_id=user.provider_id,
    )
    return SignOnOutcome(user=user)
