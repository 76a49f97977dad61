"""The audit trail: one append-only event per change, written in the change's own transaction."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.columns import UTCDateTime, enum_type, utcnow
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_OVERSIGHT, Principal, Role, require


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_record", "record_type", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(max_length=200)
    actor_role: Role | None = Field(default=None, sa_type=enum_type(Role))
    # The tenant the event belongs to; None for changes to the shared provider network.
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    action: str = Field(max_length=80)
    record_type: str = Field(max_length=80)
    record_id: int | None = None
    before: dict | None = Field(default=None, sa_type=JSON)
    after: dict | None = Field(default=None, sa_type=JSON)


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    """The record's columns as JSON-ready values (Decimals as strings, times as ISO 8601)."""
    if record is None:
        return None
    values = {}
    for key, value in record.model_dump().items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, (datetime, date)):
            value = value.isoformat()
        elif isinstance(value, Enum):
            value = value.value
        values[key] = value
    values.pop("password_hash", None)
    values.pop("secret_hash", None)  # an API client's (server/domain/api_clients.py)
    return values


async def record_event(
    session: AsyncSession,
    principal: Principal | None,
    *,
    action: str,
    record: SQLModel,
    before: dict | None,
    agency_id: int | None,
    after: dict | None = None,
    provider_id: int | None = None,
) -> AuditEvent:
    """Appends the event for `record`'s change; `before` is its snapshot taken before the change.

    `after` defaults to the record's snapshot now; give it for changes that are not the record's columns.
    With no principal, the system acts (actor null, named "system"); `provider_id` then gives the provider
    the event belongs to (a signed-in principal's own provider otherwise).
    """
    await session.flush()
    event = AuditEvent(
        actor_user_id=principal.user_id if principal else None,
        actor_name=principal.name if principal else "system",
        actor_role=principal.role if principal else None,
        agency_id=agency_id,
        provider_id=principal.provider_id if principal else provider_id,
        action=action,
        record_type=type(record).__name__,
        record_id=record.id,
        before=before,
        after=after if after is not None else snapshot(record),
    )
    session.add(event)
    await session.flush()
    return event


async def list_events(
    session: AsyncSession,
    principal: Principal | None,
    *,
    record_type: str | None = None,
    record_id: int | None = None,
    actor_user_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    first: int,
    after: str | None,
) -> Page[AuditEvent]:
    """Newest first: the agency's own events and those of the shared network. Supervisors and admins only."""
    principal = require(principal, AGENCY_OVERSIGHT)
    since = v.argument(v.moment(), since, field="since")
    until = v.argument(v.moment(), until, field="until")
    query = select(AuditEvent).where(or_(AuditEvent.agency_id == principal.agency_id, AuditEvent.agency_id.is_(None)))
    if record_type is not None:
        query = query.where(AuditEvent.record_type == record_type)
    if record_id is not None:
        query = query.where(AuditEvent.record_id == record_id)
    if actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == actor_user_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return await paginate(session, query, order=[(AuditEvent.id, "desc")], first=first, after=after)
