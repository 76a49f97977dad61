"""Webhooks: an agency app's endpoints, and the deliveries of events to them (Standard Webhooks signatures)."""

import asyncio
import base64
import enum
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlalchemy import update as sa_update
from sqlalchemy.orm import aliased
from sqlmodel import JSON, Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.audit import record_event, snapshot
from server.domain.columns import UTCDateTime, enum_type, utcnow
from server.domain.errors import Invalid
from server.domain.paging import Page, paginate
from server.domain.principal import Principal, Role, require
from server.domain.records import apply_changes, fetch


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"  # to be tried (again) at next_attempt_at
    DELIVERED = "DELIVERED"  # the endpoint answered 2xx
    FAILED = "FAILED"  # retries ran out (24 hours); replay tries again


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, sa_type=JSON)
    # The signing secret ("whsec_" + base64), kept to sign with: shown to the admin once.
    secret: str = Field(max_length=200)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: written with the event (the outbox), then sent and retried by the worker."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery_endpoint_event"),
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_delivery_order", "endpoint_id", "order_key", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id")
    event_id: int = Field(foreign_key="event.id")
    # Deliveries with the same key reach an endpoint in event order ("referral:12"; a session's "session:7").
    order_key: str = Field(max_length=60)
    status: DeliveryStatus = Field(default=DeliveryStatus.PENDING, sa_type=enum_type(DeliveryStatus))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The events module imports the tables above (emit writes deliveries): imported here, after them, either module may
# be imported first.
from server.domain import events  # noqa: E402

# --- Managing endpoints (agency admins; never API clients) ---------------------------------------------------------

MANAGERS = frozenset({Role.AGENCY_ADMIN})
SECRET_PREFIX = "whsec_"  # Standard Webhooks: "whsec_" and the key in base64
SECRET_BYTES = 32
URL_MAX_LENGTH = 500
RESOLVE_SECONDS = 5.0
# Retry delays after the 1st, 2nd, … failed attempt; the last repeats until RETRY_WINDOW after the event.
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600)
RETRY_WINDOW = timedelta(hours=24)
ERROR_MAX_LENGTH = 500


@dataclass(frozen=True)
class IssuedSecret:
    """An endpoint with the signing secret just made for it: the only time the API shows the secret."""

    endpoint: WebhookEndpoint
    secret: str


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value (Standard Webhooks v1): HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the
    secret's base64-decoded bytes, in base64."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _endpoint_snapshot(endpoint: WebhookEndpoint) -> dict:
    values = snapshot(endpoint)
    values.pop("secret", None)  # never in the audit trail
    return values


def _clean_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("Give the endpoint's URL.", field="url")
    url = value.strip()
    if len(url) > URL_MAX_LENGTH or "\x00" in url:
        raise Invalid(f"The URL must be at most {URL_MAX_LENGTH} characters.", field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise Invalid("This is not a URL.", field="url") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise Invalid("Only http and https URLs can receive webhooks.", field="url")
    if not parts.hostname:
        raise Invalid("The URL has no host.", field="url")
    if parts.username is not None or parts.password is not None:
        raise Invalid("Put no user name or password in the URL: verify the signature instead.", field="url")
    return url


async def check_address(url: str, *, allow_private: bool) -> None:
    """Refuses (Invalid on `url`) a URL whose host is not an http(s) host with public addresses only: loopback,
    private, link-local and other non-global addresses are refused unless `allow_private` (the setting
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES). Checked at registration and again before each delivery (DNS may change)."""
    host = urlsplit(_clean_url(url)).hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            async with asyncio.timeout(RESOLVE_SECONDS):
                found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError):
            raise Invalid(f"The host {host} could not be resolved.", field="url") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if allow_private:
        return
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise Invalid(
                f"The host {host} is at a loopback, private or link-local address ({address}): webhooks go to public "
                "addresses only.",
                field="url",
            )


def _clean_event_types(values: Any) -> list[str]:
    if not isinstance(values, list | tuple) or not values:
        raise Invalid("Give at least one event type.", field="eventTypes")
    for index, value in enumerate(values):
        if value not in events.EVENT_TYPES:
            known = ", ".join(events.EVENT_TYPES)
            raise Invalid(
                f"Unknown event type {str(value)[:60]!r}: give some of {known}.", field=f"eventTypes[{index}]"
            )
    return [event_type for event_type in events.EVENT_TYPES if event_type in set(values)]


def _mine(principal: Principal) -> ColumnElement[bool]:
    return WebhookEndpoint.agency_id == principal.agency_id


async def _endpoint(session: AsyncSession, principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    return await fetch(
        session, WebhookEndpoint, endpoint_id, scope=_mine(principal), what="webhook endpoint", for_update=True
    )


async def register(
    session: AsyncSession, principal: Principal | None, values: dict, *, allow_private_addresses: bool = False
) -> IssuedSecret:
    """Registers an endpoint of the agency's app: `url` (http or https, at a public address) and the `event_types`
    it receives. Its signing secret is returned this once. Agency admins."""
    principal = require(principal, MANAGERS)
    _only(values, {"url", "event_types", "active"})
    url = _clean_url(values.get("url"))
    event_types = _clean_event_types(values.get("event_types"))
    active = values.get("active", True)
    if not isinstance(active, bool):
        raise Invalid("active must be true or false.", field="active")
    await check_address(url, allow_private=allow_private_addresses)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        agency_id=principal.agency_id, url=url, event_types=event_types, secret=secret, active=active
    )
    session.add(endpoint)
    await session.flush()
    await record_event(
        session,
        principal,
        action="webhook_endpoint.register",
        record=endpoint,
        before=None,
        after=_endpoint_snapshot(endpoint),
        agency_id=endpoint.agency_id,
    )
    return IssuedSecret(endpoint, secret)


def _only(values: dict, allowed: set[str]) -> None:
    for key in values:
        if key not in allowed:
            raise Invalid(f"{key} cannot be set here.", field=key)


async def update(
    session: AsyncSession,
    principal: Principal | None,
    endpoint_id: int,
    values: dict,
    *,
    allow_private_addresses: bool = False,
) -> WebhookEndpoint:
    """Changes an endpoint's `url`, `event_types` or `active` (given ones only). Events already written keep their
    deliveries; from now on the endpoint receives the new types. Agency admins."""
    principal = require(principal, MANAGERS)
    _only(values, {"url", "event_types", "active"})
    changes: dict[str, Any] = {}
    if "url" in values:
        changes["url"] = _clean_url(values["url"])
    if "event_types" in values:
        changes["event_types"] = _clean_event_types(values["event_types"])
    if "active" in values:
        if not isinstance(values["active"], bool):
            raise Invalid("active must be true or false.", field="active")
        changes["active"] = values["active"]
    endpoint = await _endpoint(session, principal, endpoint_id)
    if "url" in changes and changes["url"] != endpoint.url:
        await check_address(changes["url"], allow_private=allow_private_addresses)
    before = _endpoint_snapshot(endpoint)
    if apply_changes(endpoint, changes):
        await record_event(
            session,
            principal,
            action="webhook_endpoint.update",
            record=endpoint,
            before=before,
            after=_endpoint_snapshot(endpoint),
            agency_id=endpoint.agency_id,
        )
    return endpoint


async def disable(session: AsyncSession, principal: Principal | None, endpoint_id: int) -> WebhookEndpoint:
    """Stops deliveries to an endpoint: it receives no new events, and its pending deliveries wait until it is
    enabled again (`update` with active). Agency admins."""
    return await update(session, principal, endpoint_id, {"active": False})


async def rotate_secret(session: AsyncSession, principal: Principal | None, endpoint_id: int) -> IssuedSecret:
    """Gives the endpoint a new signing secret, returned this once; every delivery from now on is signed with it.
    Agency admins."""
    principal = require(principal, MANAGERS)
    endpoint = await _endpoint(session, principal, endpoint_id)
    before = _endpoint_snapshot(endpoint)
    secret = new_secret()
    apply_changes(endpoint, {"secret": secret})
    await record_event(
        session,
        principal,
        action="webhook_endpoint.rotate_secret",
        record=endpoint,
        before=before,
        after=_endpoint_snapshot(endpoint),
        agency_id=endpoint.agency_id,
    )
    return IssuedSecret(endpoint, secret)


async def list_endpoints(
    session: AsyncSession, principal: Principal | None, *, first: int, after: str | None = None
) -> Page[WebhookEndpoint]:
    """The agency's webhook endpoints, disabled ones too, oldest first. Agency admins."""
    principal = require(principal, MANAGERS)
    query = select(WebhookEndpoint).where(_mine(principal))
    return await paginate(session, query, order=[(WebhookEndpoint.id, "asc")], first=first, after=after)


async def list_deliveries(
    session: AsyncSession,
    principal: Principal | None,
    *,
    endpoint_id: int | None = None,
    status: DeliveryStatus | None = None,
    first: int,
    after: str | None = None,
) -> Page[WebhookDelivery]:
    """The delivery log of the agency's endpoints, newest first, optionally of one endpoint or in one status.
    Agency admins."""
    principal = require(principal, MANAGERS)
    mine = select(WebhookEndpoint.id).where(_mine(principal))
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id.in_(mine.scalar_subquery()))
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return await paginate(session, query, order=[(WebhookDelivery.id, "desc")], first=first, after=after)


async def replay(session: AsyncSession, principal: Principal | None, delivery_id: int) -> WebhookDelivery:
    """Sends a delivery again now, whatever came of it (back to PENDING, due at once, same `webhook-id`). Past the
    event's 24 h retry window, a replay is one more attempt; within it, failures are retried as usual.
    Agency admins."""
    principal = require(principal, MANAGERS)
    mine = select(WebhookEndpoint.id).where(_mine(principal))
    delivery = await fetch(
        session,
        WebhookDelivery,
        delivery_id,
        scope=WebhookDelivery.endpoint_id.in_(mine.scalar_subquery()),
        what="webhook delivery",
        for_update=True,
    )
    before = snapshot(delivery)
    apply_changes(delivery, {"status": DeliveryStatus.PENDING, "next_attempt_at": utcnow(), "delivered_at": None})
    await record_event(
        session,
        principal,
        action="webhook_delivery.replay",
        record=delivery,
        before=before,
        agency_id=principal.agency_id,
    )
    return delivery


# --- Delivering (the worker: server/events/webhook_worker.py) -------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A delivery leased to one worker, with what it needs to send it."""

    delivery_id: int
    endpoint_id: int
    attempt: int  # the delivery's `attempts` once this attempt counts: its outcome is recorded only if still so
    url: str
    secret: str
    message_id: str  # `webhook-id`: the same on every attempt, so receivers drop duplicates
    body: bytes
    occurred_at: datetime


def message_id(event_id: int) -> str:
    return f"evt_{event_id}"


def event_body(event: "events.Event") -> bytes:
    """The JSON body of an event's deliveries, the same on every attempt."""
    return json.dumps(
        {
            "type": event.type,
            "timestamp": event.occurred_at.isoformat(),
            "data": {
                "id": str(event.id),
                "type": event.type,
                "occurredAt": event.occurred_at.isoformat(),
                "referralId": None if event.referral_id is None else str(event.referral_id),
                "sessionId": None if event.session_id is None else str(event.session_id),
                "data": event.data,
            },
        },
        separators=(",", ":"),
    ).encode()


def signed_headers(claim: Claim, timestamp: int) -> dict[str, str]:
    """Standard Webhooks headers for one attempt at `timestamp` (Unix seconds)."""
    return {
        "content-type": "application/json",
        "user-agent": "Caseway-Webhooks/1",
        "webhook-id": claim.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(claim.secret, claim.message_id, timestamp, claim.body),
    }


def _due(now: datetime):
    """Pending deliveries due now to active endpoints, none of them behind an earlier pending delivery (lower event
    id) of the same endpoint and order key: per referral (or session), events arrive in order."""
    earlier = aliased(WebhookDelivery)
    blocked = (
        select(earlier.id)
        .where(
            earlier.endpoint_id == WebhookDelivery.endpoint_id,
            earlier.order_key == WebhookDelivery.order_key,
            earlier.status == DeliveryStatus.PENDING,
            earlier.event_id < WebhookDelivery.event_id,
        )
        .exists()
    )
    return (
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.active.is_(True),
            ~blocked,
        )
    )


async def any_due(session: AsyncSession, *, now: datetime) -> bool:
    """Whether some delivery is due (a read, so that an idle worker writes nothing)."""
    return (await session.exec(_due(now).with_only_columns(WebhookDelivery.id).limit(1))).first() is not None


async def claim_due(session: AsyncSession, *, now: datetime, limit: int, lease_seconds: float) -> list[Claim]:
    """Leases up to `limit` due deliveries to the caller for `lease_seconds` (their next attempt is pushed past it,
    and the attempt counted), oldest first. On PostgreSQL rows other workers hold are skipped (FOR UPDATE SKIP
    LOCKED), so several processes never claim one delivery twice; commit at once, then send."""
    query = (
        _due(now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    deliveries = list((await session.exec(query)).all())
    if not deliveries:
        return []
    endpoints = {
        e.id: e
        for e in (
            await session.exec(
                select(WebhookEndpoint).where(WebhookEndpoint.id.in_({d.endpoint_id for d in deliveries}))
            )
        ).all()
    }
    happened = {
        e.id: e
        for e in (
            await session.exec(select(events.Event).where(events.Event.id.in_({d.event_id for d in deliveries})))
        ).all()
    }
    lease_until = now + timedelta(seconds=lease_seconds)
    claims = []
    for delivery in deliveries:
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = lease_until
        endpoint, event = endpoints[delivery.endpoint_id], happened[delivery.event_id]
        claims.append(
            Claim(
                delivery_id=delivery.id,
                endpoint_id=endpoint.id,
                attempt=delivery.attempts,
                url=endpoint.url,
                secret=endpoint.secret,
                message_id=message_id(event.id),
                body=event_body(event),
                occurred_at=event.occurred_at,
            )
        )
    await session.flush()
    return claims


def backoff(attempt: int, scale: float = 1.0) -> timedelta:
    """The wait after the `attempt`-th failed attempt (1 for the first)."""
    seconds = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1]
    return timedelta(seconds=seconds * scale)


async def record_outcome(
    session: AsyncSession,
    claim: Claim,
    *,
    status_code: int | None,
    error: str | None,
    backoff_scale: float = 1.0,
) -> None:
    """Records an attempt: DELIVERED on a 2xx answer; otherwise retried after `backoff`, until RETRY_WINDOW after
    the event (then FAILED). Nothing is recorded if the delivery moved on meanwhile (its lease ran out and another
    attempt began, or it was replayed)."""
    now = utcnow()
    values: dict[str, Any] = {
        "last_status_code": status_code,
        "last_error": error[:ERROR_MAX_LENGTH] if error else None,
    }
    if error is None:
        values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    else:
        deadline = claim.occurred_at + RETRY_WINDOW
        if now >= deadline:
            values["status"] = DeliveryStatus.FAILED
        else:  # the last attempt falls on the deadline
            values["next_attempt_at"] = min(now + backoff(claim.attempt, backoff_scale), deadline)
    await session.exec(
        sa_update(WebhookDelivery)
        .where(
            WebhookDelivery.id == claim.delivery_id,
            WebhookDelivery.attempts == claim.attempt,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(**values)
    )
