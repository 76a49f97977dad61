"""GraphQL types of who is signed in, and of the users admins manage."""

from datetime import datetime

import strawberry

from server.domain import invitations, principal, users
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


@strawberry.type(description="A user of your organisation, as its admins manage them.")
class User:
    record: strawberry.Private[users.User]
    id: strawberry.ID = strawberry.field(description="The user's id.")
    email: str = strawberry.field(description="The email they sign in with.")
    phone: str | None = strawberry.field(description="Their work phone, if recorded.")
    role: Role = strawberry.field(description="What they may do.")
    active: bool = strawberry.field(description="Whether they may sign in; false once deactivated.")

    @strawberry.field(description="Their full name.")
    def name(self) -> str:
        return self.record.full_name

    @strawberry.field(
        description="Whether they were invited and have not yet set their password through their invitation's link."
    )
    async def invitation_pending(self, info: Info) -> bool:
        return (await self._invitation(info)).pending

    @strawberry.field(
        description="While their invitation is pending, when its latest link expires, in your time zone (past: "
        "send a new one with resendInvitation); null otherwise."
    )
    async def invitation_expires_at(self, info: Info) -> datetime | None:
        return info.context.local((await self._invitation(info)).expires_at)

    async def _invitation(self, info: Info) -> invitations.InvitationState:
        return invitations.invitation_state(await info.context.loaders.invitations_of_user.load(self.record.id))


@strawberry.type(description="A one-time link with which an invited user sets their password.")
class InvitationLink:
    link: str = strawberry.field(
        description="The link to pass on to the user (it is shown this once): it opens the page where they set "
        "their password. Its secret is after the #, so it never reaches a server's logs."
    )
    expires_at: datetime = strawberry.field(description="When the link stops working (72 hours on), in your time zone.")
