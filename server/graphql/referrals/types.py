"""GraphQL types of referrals, their history, what a provider sees of the participant, and search results."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain.referrals import models, transitions
from server.domain.referrals.referrals import ReferralOrder as ReferralOrderCode
from server.domain.referrals.referrals import available_actions, is_deliverable, is_overdue
from server.domain.referrals.sharing import referring_caseworker, sees_whole_participant, shared_view
from server.graphql.accounts.types import Role
from server.graphql.clients.types import AlertSeverity, BenefitAssignment, Participant
from server.graphql.context import Info
from server.graphql.delivery.disbursement_types import AttendanceRollup, ReferralDelivery
from server.graphql.fields import local_time
from server.graphql.mapping import from_model
from server.graphql.network.types import CareSpecialty, Facility, Provider
from server.graphql.selection import asks_for

if TYPE_CHECKING:
    from server.graphql.delivery.types import BenefitSession

ReferralStatus = strawberry.enum(models.ReferralStatus, description="Where a referral stands (FHIR Task status).")
AuthorizationStatus = strawberry.enum(
    models.AuthorizationStatus,
    description="Where the agency's authorization of a referral stands, when its benefit requires one.",
)
ReferralPriority = strawberry.enum(models.ReferralPriority, description="How soon the provider should act.")
ReasonCode = strawberry.enum(
    models.ReasonCode,
    description="Why a referral was rejected, held, cancelled, failed or entered in error, or its authorization "
    "denied.",
)
ReferralOrder = strawberry.enum(
    ReferralOrderCode,
    description="How to order referrals: NEWEST (sent or created last first) or URGENCY (overdue first, then "
    "STAT, ASAP, URGENT, ROUTINE, then the soonest respond-by date).",
)
SharedField = strawberry.enum(models.SharedField, description="A participant field a referral shows its provider.")
ReferralEventKind = strawberry.enum(models.ReferralEventKind, description="What a history entry changed.")


ReferralAction = strawberry.enum(
    transitions.ReferralAction, description="What the signed-in user may do with a referral now."
)


@strawberry.type(description="An alert shared with the provider.")
class SharedAlert:
    text: str = strawberry.field(description="What to know.")
    severity: AlertSeverity = strawberry.field(description="How much it matters.")


@strawberry.type(
    description="The participant as the referral shows them to its provider: the preferred name always, other "
    "fields only when the referral shares them (null otherwise)."
)
class SharedParticipant:
    participant_id: strawberry.Private[int]
    preferred_name: str = strawberry.field(description="The name the participant goes by.")
    phone: str | None = strawberry.field(description="Phone, if shared.")
    email: str | None = strawberry.field(description="Email, if shared.")
    birth_date: date | None = strawberry.field(description="Date of birth, if shared.")
    address_line1: str | None = strawberry.field(description="Home street, if the address is shared.")
    address_line2: str | None = strawberry.field(description="Apartment or unit, if the address is shared.")
    city: str | None = strawberry.field(description="City, if the address is shared.")
    region: str | None = strawberry.field(description="State or region, if the address is shared.")
    postal_code: str | None = strawberry.field(description="Postal code, if the address is shared.")
    preferred_language: str | None = strawberry.field(description="Preferred language, if shared.")
    alerts: list[SharedAlert] | None = strawberry.field(description="Active alerts, if shared.")

    @strawberry.field(description="Attendance at sessions; a provider sees it for the sessions it delivered.")
    async def attendance(self, info: Info) -> AttendanceRollup:
        return AttendanceRollup.of(await info.context.loaders.attendance_of_participant.load(self.participant_id))


@strawberry.type(
    description="The agency staff member who made a referral, with their work contact, for the provider to reach "
    "them about it."
)
class Caseworker:
    name: str = strawberry.field(description="Their full name.")
    email: str | None = strawberry.field(description="Their work email; null once they no longer work there.")
    phone: str | None = strawberry.field(
        description="Their work phone; null when none is recorded or once they no longer work there."
    )


@strawberry.type(description="A code set that bills a referred benefit (what a provider's schedule names).")
class BillingCode:
    id: strawberry.ID = strawberry.field(description="The code set's id.")
    code: str = strawberry.field(description="The code, e.g. 90832.")
    system: str = strawberry.field(description="The coding system, e.g. CPT.")
    description: str = strawberry.field(description="What the code stands for.")


@strawberry.type(description="The benefit a referral is for, as its provider needs to know it.")
class ReferredBenefit:
    benefit: strawberry.Private[object]
    id: strawberry.ID = strawberry.field(description="The benefit's id (to schedule sessions for it).")
    name: str = strawberry.field(description="The benefit's name.")
    description: str | None = strawberry.field(description="What the client receives.")
    unit_of_measure: str = strawberry.field(description="What one unit is.")
    requires_authorization: bool = strawberry.field(description="Whether service waits for the agency's go-ahead.")

    @strawberry.field(
        description="The code sets that bill it (through its item codes, directly or in a bundle): what its sessions "
        "and deliveries may be billed under."
    )
    async def billing_codes(self, info: Info) -> list[BillingCode]:
        return [
            BillingCode(id=strawberry.ID(str(c.id)), code=c.code, system=c.system, description=c.description)
            for c in await info.context.loaders.code_sets_billing_benefit.load(self.benefit.id)
        ]


@strawberry.type(
    description="One change of a referral: who, when and why, and what changed: its status (kind STATUS: "
    "fromStatus and toStatus) or its authorization (kind AUTHORIZATION: fromAuthorizationStatus and "
    "toAuthorizationStatus)."
)
class ReferralHistoryEntry:
    record: strawberry.Private[models.ReferralEvent]
    kind: ReferralEventKind = strawberry.field(description="Whether the status or the authorization changed.")
    reason: ReasonCode | None = strawberry.field(description="Why, when a reason was given.")
    note: str | None = strawberry.field(description="The note given with the change.")
    actor_name: str = strawberry.field(description="Who made the change.")
    actor_role: Role = strawberry.field(description="Their role.")

    def _value(self, kind: models.ReferralEventKind, value: str | None):
        """The stored value as its enum, on an entry of `kind`; None on the other kind."""
        if self.record.kind != kind or value is None:
            return None
        return (models.ReferralStatus if kind == models.ReferralEventKind.STATUS else models.AuthorizationStatus)(value)

    @strawberry.field(description="A status change: the status before; null when the referral was created.")
    def from_status(self) -> ReferralStatus | None:
        return self._value(models.ReferralEventKind.STATUS, self.record.from_value)

    @strawberry.field(description="A status change: the status after; null for an authorization change.")
    def to_status(self) -> ReferralStatus | None:
        return self._value(models.ReferralEventKind.STATUS, self.record.to_value)

    @strawberry.field(description="An authorization change: the authorization before; null for a status change.")
    def from_authorization_status(self) -> AuthorizationStatus | None:
        return self._value(models.ReferralEventKind.AUTHORIZATION, self.record.from_value)

    @strawberry.field(description="An authorization change: the authorization after; null for a status change.")
    def to_authorization_status(self) -> AuthorizationStatus | None:
        return self._value(models.ReferralEventKind.AUTHORIZATION, self.record.to_value)

    occurred_at = local_time("occurred_at", "When, in your time zone.")


async def shared_participant(info: Info, referral: models.Referral) -> SharedParticipant:
    """The participant as `referral` shows them to its provider: the preferred name and the shared fields."""
    participant = await info.context.loaders.participant.load(referral.participant_id)
    shares_alerts = models.SharedField.ALERTS.value in referral.shared_fields
    alerts = (
        await info.context.loaders.alerts_of_participant.load(referral.participant_id)
        if shares_alerts and asks_for(info, "alerts")
        else []
    )
    view = shared_view(referral, participant, alerts)
    return SharedParticipant(
        participant_id=referral.participant_id,
        **{
            **view.__dict__,
            "alerts": None
            if view.alerts is None
            else [SharedAlert(text=a.text, severity=a.severity) for a in view.alerts],
        },
    )


@strawberry.type(description="A client referred by an agency to a provider, followed by both to its end.")
class Referral:
    record: strawberry.Private[models.Referral]
    id: strawberry.ID = strawberry.field(description="The referral's id.")
    status: ReferralStatus = strawberry.field(description="Where it stands.")
    status_reason: ReasonCode | None = strawberry.field(
        description="Why it was rejected, held, cancelled, failed or entered in error (the last status change's "
        "reason)."
    )
    status_note: str | None = strawberry.field(
        description="The note given with the last status change (the reason in words, when there is one)."
    )
    authorization_status: AuthorizationStatus = strawberry.field(
        description="Where the agency's authorization stands (NOT_REQUIRED when the benefit needs none)."
    )
    priority: ReferralPriority = strawberry.field(description="How soon the provider should act.")
    notes: str | None = strawberry.field(description="The caseworker's notes for the provider.")
    version: int = strawberry.field(description="Changes with every change; pass it as expectedVersion.")

    @strawberry.field(description="The participant fields this referral shares with its provider.")
    def shared_fields(self) -> list[SharedField]:
        return [models.SharedField(f) for f in self.record.shared_fields]

    @strawberry.field(description="Whether the provider has not opened it yet.")
    def is_new(self) -> bool:
        return self.record.first_viewed_at is None

    @strawberry.field(description="Whether it is still REQUESTED past respondBy (the agency's response window).")
    def is_overdue(self) -> bool:
        return is_overdue(self.record)

    @strawberry.field(
        description="Whether service may be delivered on it now (accepted and, where required, authorized): "
        "enrollment into sessions and disbursements."
    )
    def deliverable(self) -> bool:
        return is_deliverable(self.record)

    @strawberry.field(description="What you may do with it now.")
    def available_actions(self, info: Info) -> list[ReferralAction]:
        return [ReferralAction(a) for a in available_actions(info.context.principal, self.record)]

    @strawberry.field(description="The participant as this referral shows them to the provider.")
    async def shared_participant(self, info: Info) -> SharedParticipant:
        return await shared_participant(info, self.record)

    @strawberry.field(description="Sessions attended and units delivered on it (a provider: its own deliveries).")
    async def delivery(self, info: Info) -> ReferralDelivery:
        found = await info.context.loaders.delivery_of_referral.load(self.record.id)
        return ReferralDelivery(sessions_attended=found.sessions_attended, units_delivered=found.units_delivered)

    @strawberry.field(description="The whole participant record: for the referring agency only, null for providers.")
    async def participant(self, info: Info) -> Participant | None:
        if not sees_whole_participant(info.context.principal, self.record):
            return None
        return from_model(Participant, await info.context.loaders.participant.load(self.record.participant_id))

    @strawberry.field(description="The benefit assignment referred: for the referring agency only, null for providers.")
    async def benefit_assignment(self, info: Info) -> BenefitAssignment | None:
        if not sees_whole_participant(info.context.principal, self.record):
            return None
        return from_model(
            BenefitAssignment, await info.context.loaders.assignment.load(self.record.benefit_assignment_id)
        )

    @strawberry.field(description="The benefit the referral is for.")
    async def benefit(self, info: Info) -> ReferredBenefit:
        assignment = await info.context.loaders.assignment.load(self.record.benefit_assignment_id)
        b = await info.context.loaders.benefit.load(assignment.benefit_id)
        return ReferredBenefit(
            benefit=b,
            id=strawberry.ID(str(b.id)),
            name=b.name,
            description=b.description,
            unit_of_measure=b.unit_of_measure,
            requires_authorization=b.requires_authorization,
        )

    @strawberry.field(description="The provider referred to.")
    async def provider(self, info: Info) -> Provider:
        return from_model(Provider, await info.context.loaders.provider.load(self.record.provider_id))

    @strawberry.field(description="The facility referred to, if one was chosen.")
    async def facility(self, info: Info) -> Facility | None:
        if self.record.facility_id is None:
            return None
        return from_model(Facility, await info.context.loaders.facility.load(self.record.facility_id))

    @strawberry.field(description="The name of the caseworker who made the referral.")
    async def referred_by(self, info: Info) -> str:
        return (await info.context.loaders.user.load(self.record.referring_user_id)).full_name

    @strawberry.field(
        description="The caseworker who made the referral, with their work email and phone: for the referring "
        "agency, and for the provider it was sent to."
    )
    async def referring_caseworker(self, info: Info) -> Caseworker | None:
        user = await info.context.loaders.user.load(self.record.referring_user_id)
        if user is None:
            return None
        contact = referring_caseworker(info.context.principal, self.record, user)
        return None if contact is None else Caseworker(name=contact.name, email=contact.email, phone=contact.phone)

    @strawberry.field(description="The agency that made the referral.")
    async def agency_name(self, info: Info) -> str:
        return (await info.context.loaders.agency.load(self.record.agency_id)).name

    @strawberry.field(description="Every status and authorization change, oldest first.")
    async def history(self, info: Info) -> list[ReferralHistoryEntry]:
        rows = await info.context.loaders.history_of_referral.load(self.record.id)
        return [from_model(ReferralHistoryEntry, row) for row in rows]

    @strawberry.field(
        description="The id of the earlier referral of the same assignment this one replaces; for the referring agency "
        "only, null for providers."
    )
    def replaces_id(self, info: Info) -> strawberry.ID | None:
        if self.record.replaces_referral_id is None or not sees_whole_participant(info.context.principal, self.record):
            return None
        return strawberry.ID(str(self.record.replaces_referral_id))

    consent_given_at = local_time(
        "consent_given_at", "When the participant's consent was given, in your time zone.", optional=True
    )

    consent_expires_at = local_time(
        "consent_expires_at", "When the participant's consent expires, in your time zone.", optional=True
    )

    sent_at = local_time("sent_at", "When it was sent to the provider, in your time zone.", optional=True)

    respond_by = local_time(
        "respond_by",
        "When the provider should answer by (the agency's response window), in your time zone.",
        optional=True,
    )

    first_viewed_at = local_time(
        "first_viewed_at", "When the provider first opened it, in your time zone.", optional=True
    )

    created_at = local_time("created_at", "When it was created, in your time zone.")


@strawberry.type(description="How many referrals are in one status.")
class ReferralStatusCount:
    status: ReferralStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many of the referrals you see are in it.")


@strawberry.type(description="A facility found by provider search, with its distance and matching specialties.")
class ProviderSearchResult:
    facility: Facility = strawberry.field(description="The facility found.")
    distance_km: float | None = strawberry.field(description="Kilometres from the point searched (null without one).")
    matching: strawberry.Private[frozenset[int] | None]

    @strawberry.field(description="The provider of the facility.")
    async def provider(self, info: Info) -> Provider:
        return await self.facility.provider(info)

    @strawberry.field(description="The facility's next three sessions of approved schedules.")
    async def next_sessions(
        self, info: Info
    ) -> list[Annotated["BenefitSession", strawberry.lazy("server.graphql.delivery.types")]]:
        from server.graphql.delivery.types import BenefitSession

        rows = await info.context.loaders.next_sessions_of_facility.load(self.facility.record.id)
        return [from_model(BenefitSession, row) for row in rows]

    @strawberry.field(description="The facility's specialties that match the search (all of them without a filter).")
    async def matching_specialties(self, info: Info) -> list[CareSpecialty]:
        links = await info.context.loaders.specialties_of_facility.load(self.facility.record.id)
        ids = [link.specialty_id for link in links if self.matching is None or link.specialty_id in self.matching]
        return [from_model(CareSpecialty, s) for s in await info.context.loaders.specialty.load_many(ids)]
