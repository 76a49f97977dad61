"""GraphQL types of the provider network."""

from datetime import date

import strawberry

from server.domain.network import models
from server.domain.network.facilities import address_visible
from server.graphql.context import Info
from server.graphql.fields import local_time
from server.graphql.mapping import from_model

ProviderType = strawberry.enum(models.ProviderType, description="How a provider delivers its services.")
ProviderStatus = strawberry.enum(
    models.ProviderStatus,
    description="Whether a provider takes part in the network (only ACTIVE ones are found).",
)
CapacityStatus = strawberry.enum(models.CapacityStatus, description="Whether a facility can take new clients.")
SpecialtyType = strawberry.enum(models.SpecialtyType, description="The broad area of need a care specialty serves.")


@strawberry.type(description="A care specialty: a node of the shared tree of services (HSDS taxonomy term).")
class CareSpecialty:
    record: strawberry.Private[models.CareSpecialty]
    id: strawberry.ID = strawberry.field(description="The specialty's id.")
    code: str = strawberry.field(description="The specialty's unique code.")
    name: str = strawberry.field(description="The specialty's name.")
    type: SpecialtyType = strawberry.field(description="The area of need it serves.")
    active: bool = strawberry.field(description="Whether it can still be given to facilities and benefits.")

    @strawberry.field(description="The specialty this one sits under, or null at the top of the tree.")
    async def parent(self, info: Info) -> "CareSpecialty | None":
        if self.record.parent_id is None:
            return None
        parent = await info.context.loaders.specialty.load(self.record.parent_id)
        return from_model(CareSpecialty, parent) if parent else None

    @strawberry.field(description="The active specialties directly under this one, by name.")
    async def children(self, info: Info) -> list["CareSpecialty"]:
        rows = await info.context.loaders.children_of_specialty.load(self.record.id)
        return [from_model(CareSpecialty, row) for row in rows]


@strawberry.type(description="A specialty a facility offers.")
class FacilitySpecialty:
    record: strawberry.Private[models.FacilitySpecialty]
    primary: bool = strawberry.field(description="Whether it is the facility's main specialty.")
    effective_from: date | None = strawberry.field(description="Since when the facility offers it.")

    @strawberry.field(description="The specialty offered.")
    async def specialty(self, info: Info) -> CareSpecialty:
        return from_model(CareSpecialty, await info.context.loaders.specialty.load(self.record.specialty_id))


@strawberry.type(description="A street address and its coordinates.")
class Address:
    line1: str | None = strawberry.field(description="Street and number.")
    line2: str | None = strawberry.field(description="Suite, floor or building.")
    city: str | None = strawberry.field(description="City or town.")
    region: str | None = strawberry.field(description="State or region.")
    postal_code: str | None = strawberry.field(description="Postal (ZIP) code.")
    country: str = strawberry.field(description="ISO 3166 two-letter country code.")
    latitude: float | None = strawberry.field(description="Latitude in decimal degrees (WGS 84).")
    longitude: float | None = strawberry.field(description="Longitude in decimal degrees (WGS 84).")


@strawberry.type(description="A place where a provider delivers its services (HSDS location).")
class Facility:
    record: strawberry.Private[models.Facility]
    id: strawberry.ID = strawberry.field(description="The facility's id.")
    name: str = strawberry.field(description="The facility's name.")
    phone: str | None = strawberry.field(description="Phone number for referrals and clients.")
    email: str | None = strawberry.field(description="Email address for referrals.")
    website: str | None = strawberry.field(description="Web site.")
    accessibility_notes: str | None = strawberry.field(description="Access for people with disabilities.")
    accepting_referrals: bool = strawberry.field(description="Whether the facility takes new referrals now.")
    capacity_status: CapacityStatus = strawberry.field(description="Whether it has room for new clients.")
    confidential: bool = strawberry.field(
        description="A confidential facility (a shelter, say) shows its address only to agency staff and its "
        "own provider's users."
    )
    active: bool = strawberry.field(description="Inactive facilities are kept for history but not offered.")

    @strawberry.field(description="Where it is; null when the facility is confidential and you may not see it.")
    def address(self, info: Info) -> Address | None:
        f = self.record
        if not address_visible(info.context.principal, f):
            return None
        return Address(
            line1=f.address_line1,
            line2=f.address_line2,
            city=f.city,
            region=f.region,
            postal_code=f.postal_code,
            country=f.country,
            latitude=f.latitude,
            longitude=f.longitude,
        )

    @strawberry.field(description="The provider the facility belongs to.")
    async def provider(self, info: Info) -> "Provider":
        return from_model(Provider, await info.context.loaders.provider.load(self.record.provider_id))

    @strawberry.field(description="The care specialties offered here now.")
    async def specialties(self, info: Info) -> list[FacilitySpecialty]:
        rows = await info.context.loaders.specialties_of_facility.load(self.record.id)
        return [from_model(FacilitySpecialty, row) for row in rows]

    @strawberry.field(
        description="IANA time zone of the facility: its own, else its approved (else first) schedule's, else its "
        "provider's (what the provider's users see)."
    )
    async def time_zone(self, info: Info) -> str:
        return await info.context.loaders.facility_zone.load(self.record.id)

    updated_at = local_time("updated_at", "When the facility's details last changed, in your time zone.")


@strawberry.type(description="An organisation that delivers services to the agencies' clients (HSDS organization).")
class Provider:
    record: strawberry.Private[models.Provider]
    id: strawberry.ID = strawberry.field(description="The provider's id.")
    name: str = strawberry.field(description="The provider's name, unique in the network.")
    type: ProviderType = strawberry.field(description="How it delivers.")
    status: ProviderStatus = strawberry.field(description="Whether it takes part in the network.")
    searchable: bool = strawberry.field(description="Whether caseworkers can find it in provider search.")
    description: str | None = strawberry.field(description="What the provider does, for caseworkers.")
    phone: str | None = strawberry.field(description="Main phone number.")
    email: str | None = strawberry.field(description="Main email address.")
    website: str | None = strawberry.field(description="Web site.")

    @strawberry.field(description="The provider's active facilities, by name.")
    async def facilities(self, info: Info) -> list[Facility]:
        rows = await info.context.loaders.facilities_of_provider.load(self.record.id)
        return [from_model(Facility, row) for row in rows]

    @strawberry.field(
        description="IANA time zone in which its users see days and times: its own setting, else its first "
        "facility's that has one, else UTC."
    )
    async def time_zone(self, info: Info) -> str:
        return await info.context.loaders.provider_zone.load(self.record.id)

    created_at = local_time("created_at", "When the provider joined the network, in your time zone.")
