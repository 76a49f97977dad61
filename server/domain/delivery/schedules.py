"""Benefit schedules: a provider admin drafts and submits; the benefit's agency approves (generating the
sessions, at most 500, in one transaction) or rejects with a note. Approved recurrences do not change; single
sessions are cancelled or postponed, each recorded."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.catalogue.code_sets import billing_code_set
from server.domain.catalogue.models import Benefit
from server.domain.clients.models import BenefitAssignment
from server.domain.columns import utcnow
from server.domain.delivery.models import ApprovalStatus, BenefitSchedule, BenefitSession, SessionStatus
from server.domain.delivery.recurrence import Frequency, Recurrence, RecurrenceError, Weekday, occurrences
from server.domain.errors import Conflict, Invalid
from server.domain.network.models import Facility
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_OVERSIGHT, AGENCY_ROLES, PROVIDER_ROLES, Principal, Role, require
from server.domain.records import apply_changes, checked_update, fetch
from server.domain.referrals.models import Referral
from server.domain.referrals.referrals import visible_referrals


def _week_of_month(week: Any) -> int:
    if week not in (1, 2, 3, 4, 5, -1) or isinstance(week, bool):
        raise ValueError("must be 1 to 5, or -1 for the last")
    return week


RULES = {
    "facility_id": v.reference(required=True),
    "benefit_id": v.reference(required=True),
    "code_set_id": v.reference(required=True),
    "name": v.text(200, required=True),
    "first_start": v.wall_clock(required=True),
    "first_end": v.wall_clock(required=True),
    "time_zone": v.time_zone(required=True),
    "frequency": v.choice(Frequency, required=True),
    "interval": v.whole(1, 52, nullable=False),
    "weekdays": v.Rule(
        nullable=False, check=lambda days: sorted({Weekday(d).value for d in days}, key=list(Weekday).index)
    ),
    "month_day": v.whole(1, 31),
    "month_week": v.Rule(check=lambda week: _week_of_month(week)),
    "until": v.a_date(),
    "count": v.whole(1, 500),
    "capacity": v.whole(1, 10000, required=True),
    "default_quantity": v.money(required=True),
}
EDITORS = frozenset({Role.PROVIDER_ADMIN})


def visible_schedules(principal: Principal) -> ColumnElement[bool]:
    """A provider sees its own schedules; the agency sees those submitted for its benefits (not drafts)."""
    if principal.is_provider:
        return BenefitSchedule.provider_id == principal.provider_id
    return and_(
        BenefitSchedule.agency_id == principal.agency_id, BenefitSchedule.approval_status != ApprovalStatus.DRAFT
    )


def visible_sessions(principal: Principal) -> ColumnElement[bool]:
    """Sessions of the schedules the principal sees."""
    return BenefitSession.schedule_id.in_(select(BenefitSchedule.id).where(visible_schedules(principal)))


def bookable_sessions() -> ColumnElement[bool]:
    """Sessions a client can still be offered: scheduled, not yet started, of an approved schedule (a condition on
    BenefitSession and BenefitSchedule joined)."""
    return and_(
        BenefitSchedule.approval_status == ApprovalStatus.APPROVED,
        BenefitSession.status == SessionStatus.SCHEDULED,
        BenefitSession.starts_at >= utcnow(),
    )


async def next_sessions_at(
    session: AsyncSession, facility_ids: list[int], count: int
) -> dict[int, list[BenefitSession]]:
    """facility id -> its next `count` bookable sessions, soonest first (one statement for all the facilities)."""
    rank = (
        func.row_number()
        .over(partition_by=BenefitSchedule.facility_id, order_by=(BenefitSession.starts_at, BenefitSession.id))
        .label("rank")
    )
    upcoming = (
        select(BenefitSession.id.label("id"), BenefitSchedule.facility_id.label("facility_id"), rank)
        .join(BenefitSchedule, BenefitSchedule.id == BenefitSession.schedule_id)
        .where(BenefitSchedule.facility_id.in_(facility_ids), bookable_sessions())
        .subquery()
    )
    query = (
        select(BenefitSession, upcoming.c.facility_id)
        .join(upcoming, upcoming.c.id == BenefitSession.id)
        .where(upcoming.c.rank <= count)
        .order_by(upcoming.c.facility_id, BenefitSession.starts_at, BenefitSession.id)
    )
    found: dict[int, list[BenefitSession]] = {}
    for row, facility_id in (await session.exec(query)).all():
        found.setdefault(facility_id, []).append(row)
    return found


def own_sessions(principal: Principal) -> ColumnElement[bool]:
    """Sessions of the principal's provider: the ones it runs, cancels and takes attendance at."""
    return BenefitSession.schedule_id.in_(
        select(BenefitSchedule.id).where(BenefitSchedule.provider_id == principal.provider_id)
    )


def recurrence_of(s: BenefitSchedule) -> Recurrence:
    return Recurrence(
        start=s.first_start,
        end=s.first_end,
        time_zone=s.time_zone,
        frequency=s.frequency,
        interval=s.interval,
        weekdays=tuple(Weekday(d) for d in s.weekdays),
        month_day=s.month_day,
        month_week=s.month_week,
        until=s.until,
        count=s.count,
    )


def sessions_of(schedule: BenefitSchedule) -> list[tuple[datetime, datetime]]:
    """The sessions the schedule makes, as UTC (start, end); a RecurrenceError becomes an Invalid on its field."""
    try:
        return occurrences(recurrence_of(schedule))
    except RecurrenceError as error:
        raise Invalid(str(error), field=error.field) from None


def new_session(schedule: BenefitSchedule, starts_at: datetime, ends_at: datetime) -> BenefitSession:
    """A session of `schedule`, with its start's local weekday and minute for search by day."""
    local = starts_at.astimezone(ZoneInfo(schedule.time_zone))
    return BenefitSession(
        schedule_id=schedule.id,
        starts_at=starts_at,
        ends_at=ends_at,
        local_weekday=local.weekday(),
        local_minute=local.hour * 60 + local.minute,
    )


async def _check_references(session: AsyncSession, principal: Principal, schedule: BenefitSchedule) -> None:
    """The facility is the provider's own; the benefit was referred to the provider; the code set bills it."""
    facility = await fetch(
        session,
        Facility,
        schedule.facility_id,
        field="facilityId",
        what="facility",
        scope=Facility.provider_id == principal.provider_id,
    )
    if not facility.active:
        raise Invalid("The facility is inactive.", field="facilityId")
    referred = select(Referral.id).where(
        visible_referrals(principal),
        Referral.benefit_assignment_id.in_(
            select(BenefitAssignment.id).where(BenefitAssignment.benefit_id == schedule.benefit_id)
        ),
    )
    if (await session.exec(referred)).first() is None:
        raise Invalid("Schedule only benefits your provider has been referred.", field="benefitId")
    benefit = await session.get(Benefit, schedule.benefit_id)
    schedule.agency_id = benefit.agency_id
    await billing_code_set(session, benefit.id, schedule.code_set_id)


async def preview_schedule(session: AsyncSession, principal: Principal | None, values: dict) -> list[tuple]:
    """The sessions a schedule would make, creating nothing."""
    require(principal, PROVIDER_ROLES)
    return sessions_of(BenefitSchedule(**v.clean(RULES, values, partial=False)))


async def create_schedule(session: AsyncSession, principal: Principal | None, values: dict) -> BenefitSchedule:
    principal = require(principal, EDITORS)
    values = v.clean(RULES, values, partial=False)
    schedule = BenefitSchedule(
        provider_id=principal.provider_id, created_by_id=principal.user_id, agency_id=0, **values
    )
    sessions_of(schedule)
    await _check_references(session, principal, schedule)
    session.add(schedule)
    await record_event(
        session, principal, action="benefit_schedule.create", record=schedule, before=None, agency_id=schedule.agency_id
    )
    return schedule


async def get_schedule(session: AsyncSession, principal: Principal | None, schedule_id: int) -> BenefitSchedule:
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_READ)
    return await fetch(
        session, BenefitSchedule, schedule_id, scope=visible_schedules(principal), what="benefit schedule"
    )


async def list_schedules(
    session: AsyncSession,
    principal: Principal | None,
    *,
    statuses: list[ApprovalStatus] | None = None,
    facility_id: int | None = None,
    first: int,
    after: str | None = None,
) -> Page[BenefitSchedule]:
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_READ)
    query = select(BenefitSchedule).where(visible_schedules(principal))
    if statuses:
        query = query.where(BenefitSchedule.approval_status.in_(statuses))
    if facility_id is not None:
        query = query.where(BenefitSchedule.facility_id == facility_id)
    return await paginate(session, query, order=[(BenefitSchedule.id, "desc")], first=first, after=after)


async def update_schedule(
    session: AsyncSession, principal: Principal | None, schedule_id: int, values: dict
) -> BenefitSchedule:
    """Only drafts and rejected schedules change; an approved recurrence stays as approved."""
    principal = require(principal, EDITORS)
    values = v.clean(RULES, values, partial=True)
    schedule = await get_schedule(session, principal, schedule_id)
    if schedule.approval_status not in (ApprovalStatus.DRAFT, ApprovalStatus.REJECTED):
        raise Conflict(
            f"This schedule is {schedule.approval_status.value}; it can no longer be edited.", field="approvalStatus"
        )
    before = snapshot(schedule)
    if apply_changes(schedule, values):
        sessions_of(schedule)
        await _check_references(session, principal, schedule)
        await record_event(
            session,
            principal,
            action="benefit_schedule.update",
            record=schedule,
            before=before,
            agency_id=schedule.agency_id,
        )
    return schedule


PAST_TENSE = {"submit": "submitted", "withdraw": "withdrawn", "approve": "approved", "reject": "rejected"}


async def _move(
    session: AsyncSession,
    principal: Principal,
    schedule: BenefitSchedule,
    action: str,
    sources: tuple[ApprovalStatus, ...],
    changes: dict,
) -> BenefitSchedule:
    if schedule.approval_status not in sources:
        raise Conflict(
            f"This schedule is {schedule.approval_status.value}; it cannot be {PAST_TENSE[action]}.",
            field="approvalStatus",
        )
    before = snapshot(schedule)
    await checked_update(
        session, schedule, changes, conflict="Someone else changed this schedule at the same time; reload it."
    )
    await record_event(
        session,
        principal,
        action=f"benefit_schedule.{action}",
        record=schedule,
        before=before,
        agency_id=schedule.agency_id,
    )
    return schedule


async def submit_schedule(session: AsyncSession, principal: Principal | None, schedule_id: int) -> BenefitSchedule:
    principal = require(principal, EDITORS)
    schedule = await get_schedule(session, principal, schedule_id)
    sessions_of(schedule)
    return await _move(
        session,
        principal,
        schedule,
        "submit",
        (ApprovalStatus.DRAFT, ApprovalStatus.REJECTED),
        {"approval_status": ApprovalStatus.PENDING, "submitted_at": utcnow()},
    )


async def withdraw_schedule(
    session: AsyncSession, principal: Principal | None, schedule_id: int, *, expected_version: int | None = None
) -> BenefitSchedule:
    """Takes a submitted (pending) schedule back to DRAFT, so its provider can edit it before submitting again;
    the agency no longer sees it. Once the agency has decided, it stays decided."""
    principal = require(principal, EDITORS)
    schedule = await get_schedule(session, principal, schedule_id)
    if expected_version is not None and expected_version != schedule.version:
        raise Conflict("This schedule changed since you loaded it; reload it and try again.", field="version")
    return await _move(
        session,
        principal,
        schedule,
        "withdraw",
        (ApprovalStatus.PENDING,),
        {"approval_status": ApprovalStatus.DRAFT, "submitted_at": None},
    )


async def review_schedule(
    session: AsyncSession, principal: Principal | None, schedule_id: int, *, approve: bool, note: str | None
) -> BenefitSchedule:
    """Supervisors and admins of the benefit's agency decide; approval creates every session at once."""
    principal = require(principal, AGENCY_OVERSIGHT, scope=Scope.DELIVERY_WRITE)
    schedule = await get_schedule(session, principal, schedule_id)
    note = v.argument(
        v.text(2000), note, field="note", required=None if approve else "Say why the schedule is rejected."
    )
    changes = {
        "approval_status": ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED,
        "reviewer_note": note,
        "reviewed_by_id": principal.user_id,
        "reviewed_at": utcnow(),
    }
    schedule = await _move(
        session, principal, schedule, "approve" if approve else "reject", (ApprovalStatus.PENDING,), changes
    )
    if approve:
        session.add_all([new_session(schedule, start, end) for start, end in sessions_of(schedule)])
        await session.flush()
    return schedule


async def list_sessions(
    session: AsyncSession,
    principal: Principal | None,
    *,
    schedule_id: int | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    first: int,
    after: str | None = None,
) -> Page[BenefitSession]:
    """Sessions of the schedules the principal sees, by start time."""
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_READ)
    starts_after = v.argument(v.moment(), starts_after, field="startsAfter")
    starts_before = v.argument(v.moment(), starts_before, field="startsBefore")
    query = select(BenefitSession).where(visible_sessions(principal))
    if schedule_id is not None:
        query = query.where(BenefitSession.schedule_id == schedule_id)
    if starts_after is not None:
        query = query.where(BenefitSession.starts_at >= starts_after)
    if starts_before is not None:
        query = query.where(BenefitSession.starts_at < starts_before)
    order = [(BenefitSession.starts_at, "asc"), (BenefitSession.id, "asc")]
    return await paginate(session, query, order=order, first=first, after=after)


async def _own_session(session: AsyncSession, principal: Principal, session_id: int) -> BenefitSession:
    found = await fetch(
        session,
        BenefitSession,
        session_id,
        what="session",
        scope=own_sessions(principal),
    )
    if found.status != SessionStatus.SCHEDULED:
        raise Conflict(f"This session is {found.status.value}.", field="status")
    return found


async def cancel_session(
    session: AsyncSession, principal: Principal | None, session_id: int, note: str | None
) -> BenefitSession:
    principal = require(principal, EDITORS)
    found = await _own_session(session, principal, session_id)
    note = v.argument(v.text(2000), note, field="note", required="Say why the session is cancelled.")
    schedule = await session.get(BenefitSchedule, found.schedule_id)
    before = snapshot(found)
    apply_changes(found, {"status": SessionStatus.CANCELLED, "status_note": note})
    await record_event(
        session, principal, action="benefit_session.cancel", record=found, before=before, agency_id=schedule.agency_id
    )
    return found


async def postpone_session(
    session: AsyncSession,
    principal: Principal | None,
    session_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    note: str | None,
) -> BenefitSession:
    """Moves one session: it is kept as POSTPONED and points at the new session, which is returned."""
    principal = require(principal, EDITORS)
    found = await _own_session(session, principal, session_id)
    starts_at = v.argument(v.moment(), starts_at, field="startsAt")
    ends_at = v.argument(v.moment(), ends_at, field="endsAt")
    if ends_at <= starts_at:
        raise Invalid("A session must end after it starts.", field="endsAt")
    schedule = await session.get(BenefitSchedule, found.schedule_id)
    moved = new_session(schedule, starts_at, ends_at)
    session.add(moved)
    await session.flush()
    before = snapshot(found)
    apply_changes(
        found,
        {
            "status": SessionStatus.POSTPONED,
            "rescheduled_to_id": moved.id,
            "status_note": v.argument(v.text(2000), note, field="note"),
        },
    )
    await record_event(
        session, principal, action="benefit_session.postpone", record=found, before=before, agency_id=schedule.agency_id
    )
    return moved
