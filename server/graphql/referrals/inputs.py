"""GraphQL inputs of referrals and provider search."""

from datetime import datetime, time

import strawberry
from strawberry import UNSET

from server.graphql.delivery.types import Weekday
from server.graphql.network.types import CapacityStatus, ProviderType
from server.graphql.referrals.types import ReferralPriority, ReferralStatus, SharedField


@strawberry.input(description="The participant's consent to share their details with the provider.")
class ConsentInput:
    given_at: datetime = strawberry.field(description="When the participant consented (with its time zone).")
    expires_at: datetime | None = strawberry.field(default=None, description="When the consent lapses, if ever.")


@strawberry.input(description="A new referral of a benefit assignment to a provider.")
class ReferralCreateInput:
    benefit_assignment_id: strawberry.ID = strawberry.field(description="The assignment to refer.")
    provider_id: strawberry.ID = strawberry.field(description="The provider to refer to.")
    facility_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="One of the provider's facilities; none in particular unless given."
    )
    priority: ReferralPriority | None = strawberry.field(default=UNSET, description="ROUTINE unless given.")
    notes: str | None = strawberry.field(default=UNSET, description="Notes for the provider.")
    shared_fields: list[SharedField] = strawberry.field(
        default_factory=list, description="What the provider may see beyond the preferred name."
    )
    consent: ConsentInput | None = strawberry.field(
        default=None, description="The participant's consent; needed before sending."
    )


@strawberry.input(description="Changes to a draft referral; absent fields stay as they are.")
class ReferralUpdateInput:
    facility_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="One of the provider's facilities, or null for none in particular."
    )
    priority: ReferralPriority | None = strawberry.field(default=UNSET, description="How urgent it is.")
    notes: str | None = strawberry.field(default=UNSET, description="Notes for the provider.")
    shared_fields: list[SharedField] | None = strawberry.field(
        default=UNSET, description="What the provider may see beyond the preferred name (replaces the list)."
    )
    consent: ConsentInput | None = strawberry.field(
        default=UNSET, description="The participant's consent, replacing the one recorded; null withdraws it."
    )


@strawberry.input(description="Narrows the referrals listed.")
class ReferralFilter:
    statuses: list[ReferralStatus] | None = strawberry.field(default=None, description="Only in these statuses.")
    provider_id: strawberry.ID | None = strawberry.field(default=None, description="Only to this provider.")
    participant_id: strawberry.ID | None = strawberry.field(default=None, description="Only of this participant.")
    referred_by_id: strawberry.ID | None = strawberry.field(default=None, description="Only by this caseworker.")
    overdue: bool | None = strawberry.field(default=None, description="Only (not) overdue.")
    new: bool | None = strawberry.field(default=None, description="Only (not yet) opened by the provider.")
    client_name: str | None = strawberry.field(
        default=None,
        description="Part of the client's name, any case or accents (providers: the name they are shown).",
    )
    facility_id: strawberry.ID | None = strawberry.field(default=None, description="Only to this facility.")
    benefit_id: strawberry.ID | None = strawberry.field(default=None, description="Only for this benefit.")
    priorities: list[ReferralPriority] | None = strawberry.field(default=None, description="Only of these priorities.")


@strawberry.input(description="A point on the map.")
class PointInput:
    latitude: float = strawberry.field(description="Decimal degrees.")
    longitude: float = strawberry.field(description="Decimal degrees.")


@strawberry.input(description="What to look for in provider search; absent fields do not narrow it.")
class ProviderSearchFilter:
    specialty_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Facilities offering one of these specialties or one under them."
    )
    benefit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Facilities offering a specialty the benefit requires (or one under it)."
    )
    code_set_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Facilities offering a specialty (or one under it) required by a benefit this code set bills, "
        "directly or through a bundle.",
    )
    provider_name: str | None = strawberry.field(default=None, description="Part of the provider's name.")
    provider_types: list[ProviderType] | None = strawberry.field(
        default=None, description="Only providers of these types."
    )
    near: PointInput | None = strawberry.field(default=None, description="Nearest first from this point.")
    near_participant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Nearest first from this participant's home."
    )
    radius_km: float | None = strawberry.field(default=None, description="Only within this distance (with a point).")
    accepting_referrals: bool | None = strawberry.field(default=None, description="Only those (not) accepting.")
    capacity_statuses: list[CapacityStatus] | None = strawberry.field(
        default=None, description="Only facilities in these capacity statuses."
    )
    session_weekdays: list[Weekday] | None = strawberry.field(
        default=None, description="Only facilities with upcoming approved sessions on one of these days."
    )
    session_starts_from: time | None = strawberry.field(
        default=None, description="Only with upcoming approved sessions starting at or after this local time."
    )
    session_starts_before: time | None = strawberry.field(
        default=None, description="Only with upcoming approved sessions starting before this local time."
    )
