"""The `viewer` query: who is signed in."""

import strawberry

from server.graphql.accounts.types import Viewer
from server.graphql.context import Info
from server.graphql.runner import signed_in


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description="The signed-in user: name, role, and their agency or provider. Agency staff and provider users."
    )
    def viewer(self, info: Info) -> Viewer | None:
        principal = signed_in(info)
        return Viewer(
            id=strawberry.ID(str(principal.user_id)),
            name=principal.name,
            role=principal.role,
            agency_id=principal.agency_id,
            provider_id=principal.provider_id,
            time_zone=str(info.context.time_zone),
        )
