"""GraphQL types of the audit trail."""

import strawberry
from strawberry.scalars import JSON

from server.domain import audit
from server.graphql.accounts.types import Role
from server.graphql.fields import local_time
from server.graphql.mapping import to_id


@strawberry.type(description="One change, as the audit trail keeps it: who, what, before and after, when.")
class AuditEvent:
    record: strawberry.Private[audit.AuditEvent]
    id: strawberry.ID = strawberry.field(description="The event's id; later events have larger ids.")
    actor_name: str = strawberry.field(description="Who made the change (their name then).")
    actor_role: Role | None = strawberry.field(description="Their role then; null for the system.")
    action: str = strawberry.field(description="What was done, e.g. provider.update.")
    record_type: str = strawberry.field(description="The kind of record changed, e.g. Provider.")
    before: JSON | None = strawberry.field(description="The record before the change; null for a creation.")
    after: JSON | None = strawberry.field(description="The record after the change.")

    @strawberry.field(description="The id of the user who made the change.")
    def actor_id(self) -> strawberry.ID | None:
        user_id = self.record.actor_user_id
        return to_id(user_id)

    @strawberry.field(description="The id of the record changed.")
    def record_id(self) -> strawberry.ID | None:
        return to_id(self.record.record_id)

    occurred_at = local_time("occurred_at", "When it happened, in your time zone.")
