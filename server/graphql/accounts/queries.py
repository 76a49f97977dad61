"""The `viewer` query: who is signed in."""

import strawberry

from server.graphql.accounts.types import Agency, Viewer
from server.graphql.context import Info
from server.graphql.mapping import from_model
from server.graphql.network.types import Provider
from server.graphql.runner import signed_in


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description="The signed-in user: name, role, and their agency or provider. Agency staff and provider users."
    )
    async def viewer(self, info: Info) -> Viewer | None:
        principal = signed_in(info)
        agency = provider = None
        if principal.agency_id is not None:
            agency = from_model(Agency, await info.context.loaders.agency.load(principal.agency_id))
        if principal.provider_id is not None:
            provider = from_model(Provider, await info.context.loaders.provider.load(principal.provider_id))
        return Viewer(
            id=strawberry.ID(str(principal.user_id)),
            name=principal.name,
            role=principal.role,
            agency=agency,
            provider=provider,
            time_zone=str(info.context.time_zone),
        )
