"""Mutations of the agency's own settings (agency admins)."""

import strawberry
from strawberry import UNSET

from server.domain import agencies
from server.domain.network import providers
from server.graphql.accounts.types import Agency
from server.graphql.context import Info
from server.graphql.mapping import input_values
from server.graphql.network.mutations import ProviderPayload
from server.graphql.payloads import payload, payload_type
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
