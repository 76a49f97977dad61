"""Mutations of the provider network: agency admins manage it; provider users keep their facilities current."""

import strawberry

from server.domain.network import facilities, providers, specialties
from server.graphql.context import Info
from server.graphql.mapping import input_values, parse_id
from server.graphql.network.inputs import (
    CareSpecialtyCreateInput,
    CareSpecialtyUpdateInput,
    FacilityCreateInput,
    FacilityUpdateInput,
    ProviderCreateInput,
    ProviderUpdateInput,
)
from server.graphql.network.types import CareSpecialty, Facility, Provider
from server.graphql.payloads import payload, payload_type
from server.graphql.runner import run_mutation

ProviderPayload = payload_type(
    "ProviderPayload",
    "provider",
    Provider,
    "The provider changed, or the errors that stopped the change.",
    "The provider as saved; null on errors.",
)

FacilityPayload = payload_type(
    "FacilityPayload",
    "facility",
    Facility,
    "The facility changed, or the errors that stopped the change.",
    "The facility as saved; null on errors.",
)

CareSpecialtyPayload = payload_type(
    "CareSpecialtyPayload",
    "care_specialty",
    CareSpecialty,
    "The care specialty changed, or the errors that stopped the change.",
    "The specialty as saved; null on errors.",
)


@strawberry.type
class NetworkMutation:
    @strawberry.mutation(description="Adds a provider to the network. Agency admins.")
    async def create_provider(self, info: Info, input: ProviderCreateInput) -> ProviderPayload:
        return payload(ProviderPayload, await run_mutation(info, providers.create_provider, input_values(input)))

    @strawberry.mutation(description="Changes a provider. Agency admins.")
    async def update_provider(self, info: Info, id: strawberry.ID, input: ProviderUpdateInput) -> ProviderPayload:
        return payload(
            ProviderPayload,
            await run_mutation(info, lambda s, p: providers.update_provider(s, p, parse_id(id), input_values(input))),
        )

    @strawberry.mutation(description="Makes a provider inactive: out of search, records kept. Agency admins.")
    async def deactivate_provider(self, info: Info, id: strawberry.ID) -> ProviderPayload:
        return payload(
            ProviderPayload, await run_mutation(info, lambda s, p: providers.deactivate_provider(s, p, parse_id(id)))
        )

    @strawberry.mutation(description="Adds a facility to a provider. Agency admins.")
    async def create_facility(self, info: Info, input: FacilityCreateInput) -> FacilityPayload:
        values = input_values(input, skip=("specialties",))
        offered = input_values(input).get("specialties")
        return payload(FacilityPayload, await run_mutation(info, facilities.create_facility, values, offered))

    @strawberry.mutation(
        description="Changes a facility: agency admins anything, the provider's own users only its contact "
        "details, availability and time zone. Agency admins and provider users."
    )
    async def update_facility(self, info: Info, id: strawberry.ID, input: FacilityUpdateInput) -> FacilityPayload:
        values = input_values(input, skip=("specialties",))
        offered = input_values(input).get("specialties")
        return payload(
            FacilityPayload,
            await run_mutation(info, lambda s, p: facilities.update_facility(s, p, parse_id(id), values, offered)),
        )

    @strawberry.mutation(description="Closes a facility: it stops taking referrals, its records stay. Agency admins.")
    async def deactivate_facility(self, info: Info, id: strawberry.ID) -> FacilityPayload:
        return payload(
            FacilityPayload, await run_mutation(info, lambda s, p: facilities.deactivate_facility(s, p, parse_id(id)))
        )

    @strawberry.mutation(description="Adds a care specialty to the tree. Agency admins.")
    async def create_care_specialty(self, info: Info, input: CareSpecialtyCreateInput) -> CareSpecialtyPayload:
        return payload(
            CareSpecialtyPayload,
            await run_mutation(info, specialties.create_specialty, input_values(input)),
        )

    @strawberry.mutation(description="Changes or moves a care specialty. Agency admins.")
    async def update_care_specialty(
        self, info: Info, id: strawberry.ID, input: CareSpecialtyUpdateInput
    ) -> CareSpecialtyPayload:
        return payload(
            CareSpecialtyPayload,
            await run_mutation(
                info, lambda s, p: specialties.update_specialty(s, p, parse_id(id), input_values(input))
            ),
        )

    @strawberry.mutation(description="Retires a care specialty with no active specialties under it. Agency admins.")
    async def deactivate_care_specialty(self, info: Info, id: strawberry.ID) -> CareSpecialtyPayload:
        return payload(
            CareSpecialtyPayload,
            await run_mutation(info, lambda s, p: specialties.deactivate_specialty(s, p, parse_id(id))),
        )
