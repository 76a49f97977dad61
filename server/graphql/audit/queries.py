"""The audit trail query: agency supervisors and admins."""

from datetime import datetime

import strawberry

from server.domain import audit
from server.graphql.audit.types import AuditEvent
from server.graphql.context import Info
from server.graphql.mapping import from_model, optional_id
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


@strawberry.input(description="Narrows the audit events listed.")
class AuditEventFilter:
    record_type: str | None = strawberry.field(default=None, description="Only changes to this kind of record.")
    record_id: strawberry.ID | None = strawberry.field(default=None, description="Only changes to this record.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Only changes by this user.")
    action: str | None = strawberry.field(default=None, description="Only this action, e.g. provider.update.")
    since: datetime | None = strawberry.field(default=None, description="Only changes at or after this time.")
    until: datetime | None = strawberry.field(default=None, description="Only changes before this time.")


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail, newest first: your agency's changes and those of the shared provider "
        "network. Agency supervisors and admins."
    )
    async def audit_events(
        self,
        info: Info,
        filter: AuditEventFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[AuditEvent] | None:
        f = filter or AuditEventFilter()
        page = await run_query(
            info,
            lambda s, p: audit.list_events(
                s,
                p,
                record_type=f.record_type,
                record_id=optional_id(f.record_id, field="filter.recordId"),
                actor_user_id=optional_id(f.actor_id, field="filter.actorId"),
                action=f.action,
                since=f.since,
                until=f.until,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(AuditEvent, r))
