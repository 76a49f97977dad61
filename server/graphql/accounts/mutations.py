"""Mutations of the agency's and provider's own settings, and of the users admins manage."""

from typing import Annotated

import strawberry
from strawberry import UNSET

from server.domain import agencies, invitations, users
from server.domain.network import providers
from server.graphql.accounts.types import Agency, InvitationLink, Role, User
from server.graphql.context import Info
from server.graphql.errors import UserError
from server.graphql.mapping import from_model, input_values, parse_id
from server.graphql.network.mutations import ProviderPayload
from server.graphql.payloads import ERRORS, payload, payload_type
from server.graphql.runner import run_mutation


@strawberry.input(description="The agency's settings; only the fields given change.")
class AgencySettingsInput:
    time_zone: str | None = strawberry.field(default=UNSET, description="IANA time zone, e.g. America/Chicago.")
    referral_response_hours: int | None = strawberry.field(
        default=UNSET, description="Hours before an unanswered referral is overdue (1 to 1440)."
    )
    follow_up_days: int | None = strawberry.field(
        default=UNSET, description="Days without interaction before a client needs a follow-up (1 to 365)."
    )


AgencyPayload = payload_type(
    "AgencyPayload",
    "agency",
    Agency,
    "The agency as saved, or the errors that stopped the change.",
    "The agency as saved; null on errors.",
)


@strawberry.input(description="Your provider's settings; only the fields given change.")
class ProviderSettingsInput:
    time_zone: str | None = strawberry.field(
        default=UNSET,
        description="IANA time zone in which your provider's users see days and times, e.g. America/Chicago; "
        "null: your first facility's.",
    )


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Changes your agency's settings. Agency admins.")
    async def update_agency_settings(self, info: Info, input: AgencySettingsInput) -> AgencyPayload:
        result = await run_mutation(info, agencies.update_settings, input_values(input))
        return payload(AgencyPayload, result)

    @strawberry.mutation(description="Changes your provider's settings. Provider admins.")
    async def update_provider_settings(self, info: Info, input: ProviderSettingsInput) -> ProviderPayload:
        result = await run_mutation(info, providers.update_settings, input_values(input))
        return payload(ProviderPayload, result)


@strawberry.input(description="Who to invite into your organisation.")
class InviteUserInput:
    email: str = strawberry.field(description="The email they will sign in with.")
    full_name: str = strawberry.field(description="Their full name.")
    role: Role = strawberry.field(
        description="Their role: an agency role (agency admins) or a provider role (provider admins)."
    )
    phone: str | None = strawberry.field(default=UNSET, description="Their work phone.")


@strawberry.type(description="The invited user and the link to pass on to them, or the errors that stopped it.")
class InvitationPayload:
    user: User | None = strawberry.field(description="The user invited, as saved; null on errors.")
    invitation: InvitationLink | None = strawberry.field(
        description="The link with which they set their password (shown this once), as saved; null on errors."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


UserId = Annotated[strawberry.ID, strawberry.argument(description="The id of a user of your organisation.")]

UserPayload = payload_type(
    "UserPayload",
    "user",
    User,
    "The user as saved, or the errors that stopped the change.",
    "The user as saved; null on errors.",
)


def invitation_payload(info: Info, result: tuple[invitations.IssuedInvitation | None, list[UserError]]):
    issued, errors = result
    if issued is None:
        return InvitationPayload(user=None, invitation=None, errors=errors)
    request = info.context.request
    base = str(request.base_url).rstrip("/") if request is not None else ""
    link = InvitationLink(
        link=f"{base}/portal/#/welcome/{issued.token}", expires_at=info.context.local(issued.expires_at)
    )
    return InvitationPayload(user=from_model(User, issued.user), invitation=link, errors=[])


@strawberry.type
class UserManagementMutation:
    @strawberry.mutation(
        description="Invites a user into your organisation: they get an account with no password and you get a "
        "link (valid 72 hours, once) to pass on, with which they set one: agency roles into an agency, provider roles "
        "into a provider. Agency admins and provider admins."
    )
    async def invite_user(self, info: Info, input: InviteUserInput) -> InvitationPayload:
        profile = info.context.settings.password_hash_profile
        result = await run_mutation(info, invitations.invite_user, input_values(input), hash_profile=profile)
        return invitation_payload(info, result)

    @strawberry.mutation(
        description="A new set-password link (valid 72 hours) for a user who has not yet set their password; their "
        "earlier links stop working. Agency admins and provider admins."
    )
    async def resend_invitation(self, info: Info, user_id: UserId) -> InvitationPayload:
        result = await run_mutation(
            info, lambda s, p: invitations.resend_invitation(s, p, parse_id(user_id, field="userId"))
        )
        return invitation_payload(info, result)

    @strawberry.mutation(
        description="Gives a user of your organisation another role of the same side. Not yourself, nor your "
        "organisation's last active admin. Agency admins and provider admins."
    )
    async def change_user_role(
        self,
        info: Info,
        user_id: UserId,
        role: Annotated[Role, strawberry.argument(description="Their new role, of the same side.")],
    ) -> UserPayload:
        result = await run_mutation(
            info, lambda s, p: users.change_user_role(s, p, parse_id(user_id, field="userId"), role)
        )
        return payload(UserPayload, result)

    @strawberry.mutation(
        description="Deactivates a user of your organisation: their sign-ins and sessions stop working on their "
        "next request. Not yourself, nor your organisation's last active admin. Agency admins and provider admins."
    )
    async def deactivate_user(self, info: Info, user_id: UserId) -> UserPayload:
        result = await run_mutation(info, lambda s, p: users.deactivate_user(s, p, parse_id(user_id, field="userId")))
        return payload(UserPayload, result)

    @strawberry.mutation(
        description="Lets a deactivated user of your organisation sign in again. Agency admins and provider admins."
    )
    async def reactivate_user(self, info: Info, user_id: UserId) -> UserPayload:
        result = await run_mutation(info, lambda s, p: users.reactivate_user(s, p, parse_id(user_id, field="userId")))
        return payload(UserPayload, result)
