"""Referrals: created and sent by the agency, answered and followed by the provider, every step recorded."""

import enum
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.agencies import Agency
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.catalogue.models import Benefit
from server.domain.clients.models import AssignmentStatus, BenefitAssignment, Participant
from server.domain.clients.participants import fold, matches
from server.domain.columns import UTCDateTime, utcnow
from server.domain.errors import Conflict, DomainError, ErrorCode, Forbidden, Invalid
from server.domain.network.models import Facility, Provider, ProviderStatus
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, require
from server.domain.records import checked_update, fetch
from server.domain.referrals.follow_through import follow_referral
from server.domain.referrals.matching import check_offered
from server.domain.referrals.models import (
    LIVE,
    AuthorizationStatus,
    ReasonCode,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralPriority,
    ReferralStatus,
    SharedField,
    sent,
    was_sent,
)
from server.domain.referrals.transitions import TRANSITIONS, Side, actions_from, in_words

RULES = {
    "benefit_assignment_id": v.reference(required=True),
    "provider_id": v.reference(required=True),
    "facility_id": v.reference(),
    "priority": v.choice(ReferralPriority),
    "notes": v.text(4000),
    "shared_fields": v.Rule(nullable=False, check=lambda values: sorted({SharedField(x).value for x in values})),
    "consent_given_at": v.moment(),
    "consent_expires_at": v.moment(),
}
READERS = AGENCY_ROLES | PROVIDER_ROLES


def visible_referrals(principal: Principal) -> ColumnElement[bool]:
    """The agency sees its own referrals; a provider sees those sent to it, once sent, whatever becomes of
    them later. A draft ended before sending (cancelled, entered in error) never reaches the provider."""
    if principal.is_agency:
        return Referral.agency_id == principal.agency_id
    return and_(Referral.provider_id == principal.provider_id, sent())


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    return (
        referral.status == ReferralStatus.REQUESTED
        and referral.respond_by is not None
        and (referral.respond_by < (now or utcnow()))
    )


def _overdue_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Referral.status == ReferralStatus.REQUESTED, Referral.respond_by < now)


async def get_referral(session: AsyncSession, principal: Principal | None, referral_id: int) -> Referral:
    principal = require(principal, READERS, scope=Scope.REFERRALS_READ)
    return await fetch(session, Referral, referral_id, scope=visible_referrals(principal), what="referral")


class ReferralOrder(enum.StrEnum):
    NEWEST = "NEWEST"
    URGENCY = "URGENCY"


# Most urgent first (FHIR request priority: stat > asap > urgent > routine).
PRIORITY_RANK = {
    ReferralPriority.STAT: 0,
    ReferralPriority.ASAP: 1,
    ReferralPriority.URGENT: 2,
    ReferralPriority.ROUTINE: 3,
}
# Keyset order needs NOT NULL values: a referral without a respond-by date comes after every dated one.
NO_RESPOND_BY = datetime(9999, 12, 31, tzinfo=UTC)


def _urgency_order(now: datetime) -> tuple[list, Any]:
    """Overdue first (requested, past its respond-by date at `now`), then by priority, respond-by date, id; and
    a row's values of these columns, for its cursor. Each page reads "overdue" at its own `now`: a referral that
    falls overdue between two pages moves ahead of the cursor (the next read from the start shows it first)."""
    overdue = case((_overdue_clause(now), 0), else_=1).label("overdue_rank")
    priority = case(dict(PRIORITY_RANK), value=Referral.priority, else_=len(PRIORITY_RANK)).label("priority_rank")
    respond_by = func.coalesce(Referral.respond_by, literal(NO_RESPOND_BY, UTCDateTime), type_=UTCDateTime).label(
        "respond_by_or_never"
    )
    order = [(overdue, "asc"), (priority, "asc"), (respond_by, "asc"), (Referral.id, "asc")]

    def values_of(r: Referral) -> list:
        return [
            0 if is_overdue(r, now) else 1,
            PRIORITY_RANK.get(ReferralPriority(r.priority), len(PRIORITY_RANK)),
            r.respond_by or NO_RESPOND_BY,
            r.id,
        ]

    return order, values_of


def _filtered(
    principal: Principal,
    *,
    statuses,
    provider_id,
    participant_id,
    referring_user_id,
    overdue,
    new,
    client_name=None,
    facility_id=None,
    benefit_id=None,
    priorities=None,
):
    query = select(Referral).where(visible_referrals(principal))
    if client_name and client_name.strip():
        # A provider matches only the name it is shown; the agency, any of the client's names and IDs.
        needle = fold(client_name.strip())
        named = (
            Participant.shared_name.contains(needle, autoescape=True) if principal.is_provider else matches(client_name)
        )
        query = query.where(Referral.participant_id.in_(select(Participant.id).where(named)))
    if statuses:
        query = query.where(Referral.status.in_(statuses))
    if provider_id is not None:
        query = query.where(Referral.provider_id == provider_id)
    if participant_id is not None:
        query = query.where(Referral.participant_id == participant_id)
    if referring_user_id is not None:
        query = query.where(Referral.referring_user_id == referring_user_id)
    if overdue is not None:
        clause = _overdue_clause(utcnow())
        query = query.where(clause if overdue else ~clause)
    if new is not None:
        query = query.where(Referral.first_viewed_at.is_(None) if new else Referral.first_viewed_at.is_not(None))
    if facility_id is not None:
        query = query.where(Referral.facility_id == facility_id)
    if benefit_id is not None:
        of_benefit = select(BenefitAssignment.id).where(BenefitAssignment.benefit_id == benefit_id)
        query = query.where(Referral.benefit_assignment_id.in_(of_benefit))
    if priorities:
        query = query.where(Referral.priority.in_(priorities))
    return query


async def list_referrals(
    session: AsyncSession,
    principal: Principal | None,
    *,
    statuses: list[ReferralStatus] | None = None,
    provider_id: int | None = None,
    participant_id: int | None = None,
    referring_user_id: int | None = None,
    overdue: bool | None = None,
    new: bool | None = None,
    client_name: str | None = None,
    facility_id: int | None = None,
    benefit_id: int | None = None,
    priorities: list[ReferralPriority] | None = None,
    order: ReferralOrder = ReferralOrder.NEWEST,
    first: int,
    after: str | None = None,
    with_participants: bool = False,
) -> Page[Referral]:
    """Newest first, or most urgent first (`ReferralOrder.URGENCY`). Agency staff: their agency's referrals.
    Provider users: their inbox. `with_participants`: each referral's participant is read in the same statement, as
    the page's companions."""
    principal = require(principal, READERS, scope=Scope.REFERRALS_READ)
    query = _filtered(
        principal,
        statuses=statuses,
        provider_id=provider_id,
        participant_id=participant_id,
        referring_user_id=referring_user_id,
        overdue=overdue,
        new=new,
        client_name=client_name,
        facility_id=facility_id,
        benefit_id=benefit_id,
        priorities=priorities,
    )
    companions = [(Participant, Participant.id == Referral.participant_id)] if with_participants else []
    columns, values_of = _urgency_order(utcnow()) if order == ReferralOrder.URGENCY else ([(Referral.id, "desc")], None)
    return await paginate(
        session, query, order=columns, first=first, after=after, values_of=values_of, companions=companions
    )


async def count_referrals(session: AsyncSession, principal: Principal | None, **filters) -> dict[ReferralStatus, int]:
    """How many referrals of each status the principal can see (with the same filters as the list)."""
    principal = require(principal, READERS, scope=Scope.REFERRALS_READ)
    query = _filtered(principal, statuses=None, **filters).subquery()
    rows = (await session.exec(select(query.c.status, func.count()).group_by(query.c.status))).all()
    counts = {status: 0 for status in ReferralStatus}
    counts.update({ReferralStatus(status): n for status, n in rows})
    if principal.is_provider:
        counts.pop(ReferralStatus.DRAFT)
    return counts


def _history(
    session,
    principal: Principal,
    referral: Referral,
    kind: ReferralEventKind,
    before: str | None,
    after: str,
    reason: ReasonCode | None = None,
    note: str | None = None,
) -> None:
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            kind=kind,
            from_value=before,
            to_value=after,
            reason=reason,
            note=note,
            actor_user_id=principal.user_id,
            actor_name=principal.name,
            actor_role=principal.role,
        )
    )


async def create_referral(
    session: AsyncSession, principal: Principal | None, values: dict, *, send: bool = False
) -> Referral:
    """A draft referral of a benefit assignment to a provider (and optionally one of its facilities).

    Only one live referral per assignment; a new one after a rejection or cancellation links to the last.
    """
    principal = require(principal, AGENCY_ROLES, scope=Scope.REFERRALS_WRITE)
    values = v.clean(RULES, values, partial=False)
    assignment = await fetch(
        session,
        BenefitAssignment,
        values["benefit_assignment_id"],
        scope=BenefitAssignment.agency_id == principal.agency_id,
        field="benefitAssignmentId",
        what="benefit assignment",
    )
    if assignment.status in (AssignmentStatus.COMPLETED, AssignmentStatus.WITHDRAWN):
        raise Invalid(f"The assignment is {assignment.status.value.lower()}.", field="benefitAssignmentId")
    provider = await fetch(session, Provider, values["provider_id"], field="providerId", what="provider")
    if provider.status != ProviderStatus.ACTIVE:
        raise Invalid("The provider is not active in the network.", field="providerId")
    await _check_facility(session, provider.id, values.get("facility_id"))
    await check_offered(session, assignment.id, provider.id, values.get("facility_id"))
    given = values.get("consent_given_at")
    _check_consent(given, values.get("consent_expires_at"))
    earlier = (
        await session.exec(
            select(Referral).where(Referral.benefit_assignment_id == assignment.id).order_by(Referral.id.desc())
        )
    ).all()
    if any(r.status in LIVE for r in earlier):
        raise Conflict("This assignment already has a live referral.", field="benefitAssignmentId")
    # A re-referral replaces the last referral of the assignment that was sent (to whichever provider); a draft never
    # sent replaced nothing.
    replaced = next((r.id for r in earlier if was_sent(r)), None)
    benefit = await session.get(Benefit, assignment.benefit_id)
    referral = Referral(
        agency_id=principal.agency_id,
        participant_id=assignment.participant_id,
        referring_user_id=principal.user_id,
        consent_recorded_by_id=principal.user_id if given else None,
        authorization_status=(
            AuthorizationStatus.NOT_REQUESTED if benefit.requires_authorization else AuthorizationStatus.NOT_REQUIRED
        ),
        replaces_referral_id=replaced,
        **values,
    )
    session.add(referral)
    await session.flush()
    _history(session, principal, referral, ReferralEventKind.STATUS, None, ReferralStatus.DRAFT.value)
    await record_event(
        session, principal, action="referral.create", record=referral, before=None, agency_id=referral.agency_id
    )
    if send:
        referral = await transition(session, principal, referral.id, "send")
    return referral


async def _check_facility(session: AsyncSession, provider_id: int, facility_id: int | None) -> None:
    """A referral names, if any, an active facility of the provider it goes to."""
    if facility_id is None:
        return
    facility = await fetch(session, Facility, facility_id, field="facilityId", what="facility")
    if facility.provider_id != provider_id or not facility.active:
        raise Invalid("The facility is not an active facility of this provider.", field="facilityId")


def _check_consent(given: datetime | None, expires: datetime | None) -> None:
    if given is not None and given > utcnow() + timedelta(minutes=5):
        raise Invalid("Consent cannot be given in the future.", field="consentGivenAt")
    if expires is not None and (given is None or expires <= given):
        raise Invalid("Consent must expire after it was given.", field="consentExpiresAt")


# What a draft's update may change: everything but whom it refers and to which provider.
DRAFT_FIELDS = ("facility_id", "priority", "notes", "shared_fields", "consent_given_at", "consent_expires_at")


async def update_draft(
    session: AsyncSession, principal: Principal | None, referral_id: int, values: dict, *, expected_version: int
) -> Referral:
    """Changes a draft before it is sent: its facility, consent, shared fields, priority and notes.

    Only the fields given change; consent given as null is withdrawn. A sent referral is no longer edited:
    the provider has read it (cancel it and refer again instead).
    """
    principal = require(principal, AGENCY_ROLES, scope=Scope.REFERRALS_WRITE)
    referral = await get_referral(session, principal, referral_id)
    _check_version(referral, expected_version)
    if referral.status is not ReferralStatus.DRAFT:
        raise Conflict(f"This referral is {referral.status.value}; only a draft can be edited.", field="status")
    values = v.clean({k: RULES[k] for k in DRAFT_FIELDS}, values, partial=True)
    if "facility_id" in values:
        await _check_facility(session, referral.provider_id, values["facility_id"])
        # a draft moved off its facility must still go where the benefit is offered: the facility given is at fault
        await check_offered(
            session,
            referral.benefit_assignment_id,
            referral.provider_id,
            values["facility_id"],
            unnamed_field="facilityId",
        )
    if "consent_given_at" in values:  # a new consent (or none) replaces the old one, with its own expiry
        given, expires = values["consent_given_at"], values.get("consent_expires_at")
        values.update(consent_expires_at=expires, consent_recorded_by_id=principal.user_id if given else None)
    else:
        given, expires = referral.consent_given_at, values.get("consent_expires_at", referral.consent_expires_at)
    _check_consent(given, expires)
    before = snapshot(referral)
    await _checked_write(session, referral, values)
    await record_event(
        session, principal, action="referral.update", record=referral, before=before, agency_id=referral.agency_id
    )
    return referral


def _check_version(referral: Referral, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != referral.version:
        raise Conflict("This referral changed since you loaded it; reload it and try again.", field="version")


async def _checked_write(session: AsyncSession, referral: Referral, changes: dict) -> None:
    """Saves `changes` only if nobody changed the referral since it was read (optimistic version check)."""
    await checked_update(
        session,
        referral,
        changes,
        conflict="Someone else changed this referral at the same time; reload it and try again.",
    )


def _side(principal: Principal) -> Side:
    return Side.AGENCY if principal.is_agency else Side.PROVIDER


async def transition(
    session: AsyncSession,
    principal: Principal | None,
    referral_id: int,
    action: str,
    *,
    reason: ReasonCode | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Moves the referral by `action` (see TRANSITIONS), checking role, current status, reason and version."""
    principal = require(principal, READERS, scope=Scope.REFERRALS_WRITE)
    step = TRANSITIONS[action]
    referral = await get_referral(session, principal, referral_id)
    if _side(principal) is not step.side:
        raise Forbidden(f"Only the {step.side.value} may {in_words(action)}.")
    _check_version(referral, expected_version)
    if referral.status not in step.sources:
        raise Conflict(
            f"This referral is {referral.status.value}; it cannot be {step.target.value} from there.", field="status"
        )
    note = v.argument(v.text(2000), note, field="note")
    _check_reason(step.needs_reason, reason, note, f"make a referral {step.target.value}")
    changes: dict[str, Any] = {"status": step.target, "status_reason": reason, "status_note": note}
    if action == "send":
        changes.update(await _sending(session, referral))
    if action == "start":
        check_authorized(referral)
    before = snapshot(referral)
    await _checked_write(session, referral, changes)
    _history(session, principal, referral, ReferralEventKind.STATUS, before["status"], step.target.value, reason, note)
    await record_event(
        session, principal, action=f"referral.{action}", record=referral, before=before, agency_id=referral.agency_id
    )
    await follow_referral(session, principal, referral, before["status"])
    return referral


def _check_reason(needs_reason: bool, reason: ReasonCode | None, note: str | None, doing: str) -> None:
    """A reason is given exactly where the step takes one (a reason stored on an acceptance would be a lie)."""
    if needs_reason and reason is None:
        raise DomainError(f"Give a reason to {doing}.", field="reason", code=ErrorCode.REQUIRED)
    if not needs_reason and reason is not None:
        raise Invalid(f"No reason is given to {doing}; leave it out (a note may say more).", field="reason")
    if reason == ReasonCode.OTHER and note is None:
        raise DomainError("Describe the reason in a note.", field="note", code=ErrorCode.REQUIRED)


async def _sending(session: AsyncSession, referral: Referral) -> dict:
    now = utcnow()
    if referral.consent_given_at is None:
        raise Invalid("Record the participant's consent before sending.", field="consentGivenAt")
    if referral.consent_expires_at is not None and referral.consent_expires_at <= now:
        raise Invalid("The participant's consent has expired.", field="consentExpiresAt")
    provider = await session.get(Provider, referral.provider_id)
    if provider.status != ProviderStatus.ACTIVE:
        raise Invalid("The provider is not active in the network.", field="providerId")
    if referral.facility_id is not None:
        facility = await session.get(Facility, referral.facility_id)
        if not facility.active or not facility.accepting_referrals:
            raise Invalid("The facility is not accepting referrals.", field="facilityId")
    hours = (await session.exec(select(Agency.referral_response_hours).where(Agency.id == referral.agency_id))).one()
    return {"sent_at": now, "respond_by": now + timedelta(hours=hours)}


# Accepted and not yet closed: the provider serves the referral. Authorization follows acceptance, and
# enrolling and delivering need it (where the benefit requires it).
SERVED = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.ON_HOLD, ReferralStatus.IN_PROGRESS})


def awaits_authorization(referral: Referral) -> bool:
    """Service cannot start before the agency authorizes, when the benefit requires it."""
    return referral.authorization_status not in (AuthorizationStatus.NOT_REQUIRED, AuthorizationStatus.AUTHORIZED)


def check_authorized(referral: Referral) -> None:
    if awaits_authorization(referral):
        raise Conflict(
            f"Authorization is {referral.authorization_status.value}; service starts once it is AUTHORIZED.",
            field="authorizationStatus",
        )


def check_deliverable(referral: Referral) -> None:
    """Service may be delivered on the referral: it is served, and authorized where that is required."""
    if referral.status not in SERVED:
        raise Conflict(
            f"This referral is {referral.status.value}; service is delivered on accepted referrals.", field="referralId"
        )
    check_authorized(referral)


def is_deliverable(referral: Referral) -> bool:
    return referral.status in SERVED and not awaits_authorization(referral)


def available_actions(principal: Principal, referral: Referral) -> list[str]:
    """What `principal` may do with the referral now: the transitions and authorization steps that would pass."""
    side = _side(principal)
    actions = [a for a in actions_from(referral.status, side) if a != "start" or not awaits_authorization(referral)]
    if referral.status in SERVED:
        actions += [
            action
            for action, (step_side, source, _, _) in AUTHORIZATION_STEPS.items()
            if step_side is side and referral.authorization_status == source
        ]
    return actions


AUTHORIZATION_STEPS = {
    # action: (side, from, to, needs reason)
    "request": (Side.PROVIDER, AuthorizationStatus.NOT_REQUESTED, AuthorizationStatus.SUBMITTED, False),
    "authorize": (Side.AGENCY, AuthorizationStatus.SUBMITTED, AuthorizationStatus.AUTHORIZED, False),
    "deny": (Side.AGENCY, AuthorizationStatus.SUBMITTED, AuthorizationStatus.DENIED, True),
}
# What each step does, in words ("Only the agency may authorize a referral.").
AUTHORIZATION_WORDS = {
    "request": "request authorization",
    "authorize": "authorize a referral",
    "deny": "deny authorization",
}


async def decide_authorization(
    session: AsyncSession,
    principal: Principal | None,
    referral_id: int,
    action: str,
    *,
    reason: ReasonCode | None = None,
    note: str | None = None,
) -> Referral:
    """The provider requests authorization of an accepted referral; the agency authorizes or denies it."""
    principal = require(principal, READERS, scope=Scope.REFERRALS_WRITE)
    side, source, target, needs_reason = AUTHORIZATION_STEPS[action]
    referral = await get_referral(session, principal, referral_id)
    if _side(principal) is not side:
        raise Forbidden(f"Only the {side.value} may {AUTHORIZATION_WORDS[action]}.")
    if referral.status not in SERVED:
        raise Conflict(f"This referral is {referral.status.value}; authorization follows acceptance.", field="status")
    if referral.authorization_status != source:
        raise Conflict(
            f"Authorization is {referral.authorization_status.value}; it cannot become {target.value} from there.",
            field="authorizationStatus",
        )
    note = v.argument(v.text(2000), note, field="note")
    _check_reason(needs_reason, reason, note, f"make authorization {target.value}")
    before = snapshot(referral)
    await _checked_write(session, referral, {"authorization_status": target})
    _history(session, principal, referral, ReferralEventKind.AUTHORIZATION, source.value, target.value, reason, note)
    await record_event(
        session,
        principal,
        action=f"referral.authorization.{action}",
        record=referral,
        before=before,
        agency_id=referral.agency_id,
    )
    return referral


async def open_referral(session: AsyncSession, principal: Principal | None, referral_id: int) -> Referral:
    """Opening a referral in the provider's inbox records its first view (once)."""
    principal = require(principal, READERS, scope=Scope.REFERRALS_READ)
    referral = await get_referral(session, principal, referral_id)
    if principal.is_provider and referral.first_viewed_at is None:
        before = snapshot(referral)
        referral.first_viewed_at = utcnow()
        referral.first_viewed_by_id = principal.user_id
        await record_event(
            session, principal, action="referral.open", record=referral, before=before, agency_id=referral.agency_id
        )
    return referral


async def history_of(session: AsyncSession, referral_ids: list[int]) -> dict[int, list[ReferralEvent]]:
    rows = (
        await session.exec(
            select(ReferralEvent).where(ReferralEvent.referral_id.in_(referral_ids)).order_by(ReferralEvent.id)
        )
    ).all()
    grouped: dict[int, list[ReferralEvent]] = {i: [] for i in referral_ids}
    for row in rows:
        grouped[row.referral_id].append(row)
    return grouped
