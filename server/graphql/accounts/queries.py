"""The `viewer` query: who is signed in; `staff`: the users an admin manages."""

from typing import Annotated

import strawberry

from server.domain import users
from server.graphql.accounts.types import User, Viewer
from server.graphql.context import Info
from server.graphql.mapping import from_model
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query, signed_in


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

    @strawberry.field(
        description="Your organisation's users, by name: agency admins see their agency's, provider admins their "
        "provider's staff. Agency admins and provider admins."
    )
    async def staff(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        active: Annotated[
            bool | None,
            strawberry.argument(description="Only active users (true) or only deactivated ones (false)."),
        ] = None,
    ) -> Connection[User] | None:
        page = await run_query(info, users.list_staff, active=active, first=first, after=after)
        return connection(page, lambda u: from_model(User, u))
