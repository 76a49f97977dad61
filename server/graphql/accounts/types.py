"""GraphQL types of who is signed in."""

import strawberry

from server.domain import principal
from server.graphql.context import Info
from server.graphql.mapping import from_model
from server.graphql.network.types import Provider

Role = strawberry.enum(principal.Role, description="What a user may do, and for whom.")


@strawberry.type(description="An agency: a tenant whose staff keep clients and refer them to providers.")
class Agency:
    id: strawberry.ID = strawberry.field(description="The agency's id.")
    name: str = strawberry.field(description="The agency's name.")
    time_zone: str = strawberry.field(description="IANA time zone in which the agency's times are shown.")
    referral_response_hours: int = strawberry.field(
        description="Hours after which a referral the provider has not answered is overdue."
    )
    follow_up_days: int = strawberry.field(
        description="Days after which a client with no note, disbursement or referral update needs a follow-up."
    )


@strawberry.type(description="The signed-in user.")
class Viewer:
    id: strawberry.ID = strawberry.field(description="The user's id.")
    name: str = strawberry.field(description="The user's full name.")
    role: Role = strawberry.field(description="The user's role.")
    agency_id: strawberry.Private[int | None]
    provider_id: strawberry.Private[int | None]

    @strawberry.field(description="The agency the user works for, for agency staff.")
    async def agency(self, info: Info) -> Agency | None:
        if self.agency_id is None:
            return None
        return from_model(Agency, await info.context.loaders.agency.load(self.agency_id))

    @strawberry.field(description="The provider the user works for, for provider users.")
    async def provider(self, info: Info) -> Provider | None:
        if self.provider_id is None:
            return None
        return from_model(Provider, await info.context.loaders.provider.load(self.provider_id))

    time_zone: str = strawberry.field(
        description="IANA time zone in which you see days and times: your agency's, or your provider's."
    )
