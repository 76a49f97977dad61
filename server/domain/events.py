"""Events: what happened to a referral or a session, written in the change's own transaction (the outbox), for
subscribers (GraphQL subscriptions, in this process or another) and agency apps' webhooks.

An event holds ids and statuses, never a person's details: whoever receives it reads the rest through the domain,
scoped as a query is (a provider, only the shared fields of referrals sent to it)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.columns import UTCDateTime, utcnow
from server.domain.principal import Principal
from server.domain.webhooks import WebhookDelivery, WebhookEndpoint


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        sa.Index("ix_event_agency_id_id", "agency_id", "id"),
        sa.Index("ix_event_provider_id_id", "provider_id", "id"),
    )

    # Increasing: a listener reads the events after the last id it has seen.
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # e.g. "referral.sent", "referral.status_changed", "session.roster_saved" (see EVENT_TYPES).
    type: str = Field(max_length=60)
    # Whose it is: the agency (its staff and API clients hear it) and the provider (its staff hear it), if any.
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="benefit_session.id", index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    # Ids and statuses only (e.g. {"from": "REQUESTED", "to": "ACCEPTED"}).
    data: dict = Field(default_factory=dict, sa_type=JSON)


# What an event may be, and what it says.
EVENT_TYPES = {
    "referral.sent": "A referral was sent to its provider.",
    "referral.status_changed": "A referral's status changed (accepted, rejected, started, completed, cancelled, …).",
    "referral.authorization_changed": "A referral's authorization was requested, authorized or denied.",
    "referral.viewed": "The provider opened the referral for the first time.",
    "session.roster_saved": "A session's attendance roster was saved.",
    "session.cancelled": "A session was cancelled.",
    "session.postponed": "A session was postponed to another time.",
}
# PostgreSQL's channel: each committed event's id, to every server process (LISTEN/NOTIFY is transactional).
CHANNEL = "caseway_events"


async def emit(
    session: AsyncSession,
    principal: Principal | None,
    type: str,
    *,
    agency_id: int | None,
    provider_id: int | None,
    referral_id: int | None = None,
    session_id: int | None = None,
    data: dict | None = None,
) -> Event:
    """Writes the event in the change's transaction, with a pending delivery for each of the agency's active webhook
    endpoints that asked for its type; on PostgreSQL, notifies the other processes at commit."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type}")
    event = Event(
        type=type,
        agency_id=agency_id,
        provider_id=provider_id,
        referral_id=referral_id,
        session_id=session_id,
        actor_user_id=principal.user_id if principal else None,
        data=data or {},
    )
    session.add(event)
    await session.flush()
    if agency_id is not None:
        endpoints = await session.exec(
            select(WebhookEndpoint).where(WebhookEndpoint.agency_id == agency_id, WebhookEndpoint.active.is_(True))
        )
        order_key = f"referral:{referral_id}" if referral_id is not None else f"session:{session_id}"
        for endpoint in endpoints:
            if type in endpoint.event_types:
                session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, order_key=order_key))
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(sa.select(sa.func.pg_notify(CHANNEL, str(event.id))))
    return event
