"""GraphQL inputs of the provider network. Absent fields of an update input are left as they are."""

import strawberry
from strawberry import UNSET

from server.graphql.network.types import CapacityStatus, ProviderStatus, ProviderType, SpecialtyType


@strawberry.input(description="Narrows the providers listed.")
class ProviderFilter:
    search: str | None = strawberry.field(default=None, description="Part of the name, any case.")
    type: ProviderType | None = strawberry.field(default=None, description="Only providers of this type.")
    status: ProviderStatus | None = strawberry.field(default=None, description="Only providers in this status.")


@strawberry.input(description="A new provider of the network.")
class ProviderCreateInput:
    name: str = strawberry.field(description="Unique in the network (any case).")
    type: ProviderType = strawberry.field(description="How it delivers.")
    status: ProviderStatus | None = strawberry.field(default=UNSET, description="PENDING unless given.")
    searchable: bool | None = strawberry.field(default=UNSET, description="True unless given.")
    description: str | None = strawberry.field(default=UNSET, description="What the provider does.")
    phone: str | None = strawberry.field(default=UNSET, description="Main phone number.")
    email: str | None = strawberry.field(default=UNSET, description="Main email address.")
    website: str | None = strawberry.field(default=UNSET, description="Web site (http:// or https://).")
    time_zone: str | None = strawberry.field(
        default=UNSET,
        description="IANA time zone of its days and times, e.g. America/Chicago; without one, its first facility's.",
    )


@strawberry.input(description="Changes to a provider: only the fields given change; null clears a field.")
class ProviderUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Unique in the network (any case).")
    type: ProviderType | None = strawberry.field(default=UNSET, description="How it delivers.")
    status: ProviderStatus | None = strawberry.field(default=UNSET, description="Its part in the network.")
    searchable: bool | None = strawberry.field(default=UNSET, description="Whether search finds it.")
    description: str | None = strawberry.field(default=UNSET, description="What the provider does.")
    phone: str | None = strawberry.field(default=UNSET, description="Main phone number.")
    email: str | None = strawberry.field(default=UNSET, description="Main email address.")
    website: str | None = strawberry.field(default=UNSET, description="Web site (http:// or https://).")
    time_zone: str | None = strawberry.field(
        default=UNSET,
        description="IANA time zone of its days and times, e.g. America/Chicago; without one, its first facility's.",
    )


@strawberry.input(description="Narrows the facilities listed.")
class FacilityFilter:
    provider_id: strawberry.ID | None = strawberry.field(default=None, description="Only this provider's.")
    specialty_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only those offering this specialty or one under it."
    )
    accepting_referrals: bool | None = strawberry.field(default=None, description="Only those (not) accepting.")
    include_inactive: bool = strawberry.field(default=False, description="Also list inactive facilities.")
    search: str | None = strawberry.field(default=None, description="Part of the name or city, any case.")


@strawberry.input(description="A specialty a facility offers.")
class FacilitySpecialtyInput:
    specialty_id: strawberry.ID = strawberry.field(description="The care specialty.")
    primary: bool = strawberry.field(default=False, description="Whether it is the main one (at most one).")


@strawberry.input(description="A new facility of a provider.")
class FacilityCreateInput:
    provider_id: strawberry.ID = strawberry.field(description="The provider it belongs to.")
    name: str = strawberry.field(description="The facility's name.")
    address_line1: str | None = strawberry.field(default=UNSET, description="Street and number.")
    address_line2: str | None = strawberry.field(default=UNSET, description="Suite, floor or building.")
    city: str | None = strawberry.field(default=UNSET, description="City or town.")
    region: str | None = strawberry.field(default=UNSET, description="State or region.")
    postal_code: str | None = strawberry.field(default=UNSET, description="Postal (ZIP) code.")
    country: str | None = strawberry.field(default=UNSET, description="ISO two-letter code; US unless given.")
    latitude: float | None = strawberry.field(default=UNSET, description="Decimal degrees; with longitude.")
    longitude: float | None = strawberry.field(default=UNSET, description="Decimal degrees; with latitude.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone number.")
    email: str | None = strawberry.field(default=UNSET, description="Email address.")
    website: str | None = strawberry.field(default=UNSET, description="Web site.")
    accessibility_notes: str | None = strawberry.field(default=UNSET, description="Access notes.")
    accepting_referrals: bool | None = strawberry.field(default=UNSET, description="True unless given.")
    capacity_status: CapacityStatus | None = strawberry.field(default=UNSET, description="CAPACITY unless given.")
    confidential: bool | None = strawberry.field(default=UNSET, description="False unless given.")
    time_zone: str | None = strawberry.field(
        default=UNSET, description="IANA time zone, e.g. America/Chicago; without one, its schedules' or provider's."
    )
    specialties: list[FacilitySpecialtyInput] | None = strawberry.field(
        default=UNSET, description="The specialties it offers."
    )


@strawberry.input(
    description="Changes to a facility: only the fields given change. A provider's own users may change only "
    "phone, email, website, accessibilityNotes, acceptingReferrals, capacityStatus and timeZone."
)
class FacilityUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="The facility's name.")
    address_line1: str | None = strawberry.field(default=UNSET, description="Street and number.")
    address_line2: str | None = strawberry.field(default=UNSET, description="Suite, floor or building.")
    city: str | None = strawberry.field(default=UNSET, description="City or town.")
    region: str | None = strawberry.field(default=UNSET, description="State or region.")
    postal_code: str | None = strawberry.field(default=UNSET, description="Postal (ZIP) code.")
    country: str | None = strawberry.field(default=UNSET, description="ISO two-letter country code.")
    latitude: float | None = strawberry.field(default=UNSET, description="Decimal degrees; with longitude.")
    longitude: float | None = strawberry.field(default=UNSET, description="Decimal degrees; with latitude.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone number.")
    email: str | None = strawberry.field(default=UNSET, description="Email address.")
    website: str | None = strawberry.field(default=UNSET, description="Web site.")
    accessibility_notes: str | None = strawberry.field(default=UNSET, description="Access notes.")
    accepting_referrals: bool | None = strawberry.field(default=UNSET, description="Takes new referrals now.")
    capacity_status: CapacityStatus | None = strawberry.field(default=UNSET, description="Room for new clients.")
    confidential: bool | None = strawberry.field(default=UNSET, description="Hide the address from other providers.")
    time_zone: str | None = strawberry.field(
        default=UNSET, description="IANA time zone, e.g. America/Chicago; null: its schedules' or its provider's."
    )
    specialties: list[FacilitySpecialtyInput] | None = strawberry.field(
        default=UNSET, description="The full list of specialties it offers from now on."
    )


@strawberry.input(description="Narrows the care specialties listed.")
class CareSpecialtyFilter:
    roots_only: bool = strawberry.field(default=False, description="Only the top of the tree.")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="Only those directly under this.")
    search: str | None = strawberry.field(default=None, description="Part of the name, any case.")
    include_inactive: bool = strawberry.field(default=False, description="Also list inactive specialties.")


@strawberry.input(description="A new care specialty.")
class CareSpecialtyCreateInput:
    code: str = strawberry.field(description="A unique code.")
    name: str = strawberry.field(description="The specialty's name.")
    type: SpecialtyType = strawberry.field(description="The area of need it serves.")
    parent_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The specialty it sits under.")


@strawberry.input(description="Changes to a care specialty: only the fields given change.")
class CareSpecialtyUpdateInput:
    code: str | None = strawberry.field(default=UNSET, description="A unique code.")
    name: str | None = strawberry.field(default=UNSET, description="The specialty's name.")
    type: SpecialtyType | None = strawberry.field(default=UNSET, description="The area of need it serves.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="The specialty it sits under; null moves it to the top."
    )
