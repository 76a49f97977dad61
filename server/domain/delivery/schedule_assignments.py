"""Enrolling a referred participant into a schedule's sessions (from a date) or into one session.

Capacity holds under concurrent enrollment: the schedule's row is locked (SQLite's writers already queue on
BEGIN IMMEDIATE), the fullest session from that date is counted, and past capacity the participant is
waitlisted. Enrolling starts the referral (IN_PROGRESS); waitlisting an accepted one puts it on hold."""

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.clients.models import BenefitAssignment
from server.domain.columns import utcnow
from server.domain.days import day_of, day_start, today_in
from server.domain.delivery.models import (
    ApprovalStatus,
    BenefitSchedule,
    BenefitSession,
    ScheduleAssignment,
    SessionStatus,
)
from server.domain.delivery.models import ScheduleAssignmentStatus as Status
from server.domain.delivery.schedules import own_sessions
from server.domain.errors import Conflict, Invalid
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, require
from server.domain.records import fetch
from server.domain.referrals import referrals
from server.domain.referrals.models import ReasonCode, ReferralStatus

HOLDING = (Status.ENROLLED, Status.WAITLISTED)


def on_roster(session_id, schedule_id, starts_at) -> ColumnElement[bool]:
    """Enrolled in the session itself, or in its schedule from a day not after it starts (works on columns too)."""
    return and_(
        ScheduleAssignment.status == Status.ENROLLED,
        or_(
            ScheduleAssignment.session_id == session_id,
            and_(
                ScheduleAssignment.session_id.is_(None),
                ScheduleAssignment.schedule_id == schedule_id,
                ScheduleAssignment.starts_from <= starts_at,
            ),
        ),
    )


async def roster_sizes(session: AsyncSession, where: ColumnElement[bool]) -> dict[int, dict[int, int]]:
    """schedule id -> session id -> how many are enrolled, for the scheduled sessions `where` admits."""
    s = BenefitSession
    query = (
        select(s.schedule_id, s.id, func.count(ScheduleAssignment.id))
        .select_from(s)
        .outerjoin(ScheduleAssignment, on_roster(s.id, s.schedule_id, s.starts_at))
        .where(where, s.status == SessionStatus.SCHEDULED)
        .group_by(s.schedule_id, s.id)
    )
    found: dict[int, dict[int, int]] = {}
    for schedule_id, session_id, n in (await session.exec(query)).all():
        found.setdefault(schedule_id, {})[session_id] = n
    return found


async def fullest_upcoming(session: AsyncSession, schedule_ids: list[int]) -> dict[int, int]:
    """schedule id -> the largest roster among its upcoming sessions (what an enrollment from today meets); a
    schedule with none is left out."""
    s = BenefitSession
    sizes = await roster_sizes(session, and_(s.schedule_id.in_(schedule_ids), s.starts_at >= utcnow()))
    return {schedule_id: max(rosters.values()) for schedule_id, rosters in sizes.items()}


async def fullest(
    session: AsyncSession, schedule: BenefitSchedule, *, starts_from: datetime, session_id: int | None
) -> int | None:
    """The largest roster among the sessions an enrollment would join; None when it would join none."""
    s = BenefitSession
    which = s.id == session_id if session_id is not None else s.starts_at >= starts_from
    sizes = (await roster_sizes(session, and_(s.schedule_id == schedule.id, which))).get(schedule.id)
    return max(sizes.values()) if sizes else None


async def enroll_in_schedule(
    session: AsyncSession,
    principal: Principal | None,
    *,
    referral_id: int,
    schedule_id: int | None = None,
    from_date: date | None = None,
    session_id: int | None = None,
) -> ScheduleAssignment:
    """Enrolls the referral's participant into `schedule_id` from `from_date` (default: today, in the schedule's
    time zone), or into the one session `session_id`."""
    principal = require(principal, PROVIDER_ROLES)
    referral = await referrals.get_referral(session, principal, referral_id)
    referrals.check_deliverable(referral)
    if (schedule_id is None) == (session_id is None):
        raise Invalid("Choose a schedule (from a date) or one session.", field="scheduleId")
    one_session = None
    if session_id is not None:
        if from_date is not None:
            raise Invalid("A single session has its own date; leave fromDate empty.", field="fromDate")
        one_session = await fetch(
            session,
            BenefitSession,
            session_id,
            field="sessionId",
            what="session",
            scope=own_sessions(principal),
        )
        if one_session.status != SessionStatus.SCHEDULED:
            raise Conflict(f"This session is {one_session.status.value}.", field="sessionId")
        schedule_id = one_session.schedule_id
    # Locking the schedule queues concurrent enrollments into it, so two cannot both take the last place.
    schedule = await fetch(
        session,
        BenefitSchedule,
        schedule_id,
        scope=BenefitSchedule.provider_id == principal.provider_id,
        field="scheduleId",
        what="benefit schedule",
        for_update=True,
    )
    if schedule.approval_status != ApprovalStatus.APPROVED:
        raise Conflict(
            f"This schedule is {schedule.approval_status.value}; enroll into approved ones.", field="scheduleId"
        )
    assignment = await session.get(BenefitAssignment, referral.benefit_assignment_id)
    if assignment.benefit_id != schedule.benefit_id:
        raise Invalid("This schedule delivers another benefit than the referral's.", field="scheduleId")
    if one_session is not None:
        starts_from = one_session.starts_at
        from_date = day_of(starts_from, schedule.time_zone)
    else:
        from_date = from_date or today_in(schedule.time_zone)
        starts_from = day_start(from_date, schedule.time_zone)
    same = select(ScheduleAssignment.id).where(
        ScheduleAssignment.benefit_assignment_id == assignment.id,
        ScheduleAssignment.schedule_id == schedule.id,
        ScheduleAssignment.status.in_(HOLDING),
        ScheduleAssignment.session_id == session_id
        if session_id is not None
        else ScheduleAssignment.session_id.is_(None),
    )
    if (await session.exec(same)).first() is not None:
        raise Conflict("The participant is already enrolled or waitlisted here.", field="scheduleId")
    largest = await fullest(session, schedule, starts_from=starts_from, session_id=session_id)
    if largest is None:
        raise Invalid("The schedule has no sessions left from that date.", field="fromDate")
    status = Status.ENROLLED if largest < schedule.capacity else Status.WAITLISTED
    enrolled = ScheduleAssignment(
        agency_id=referral.agency_id,
        provider_id=principal.provider_id,
        schedule_id=schedule.id,
        session_id=session_id,
        referral_id=referral.id,
        benefit_assignment_id=assignment.id,
        participant_id=referral.participant_id,
        from_date=from_date,
        starts_from=starts_from,
        status=status,
        created_by_id=principal.user_id,
    )
    session.add(enrolled)
    await record_event(
        session,
        principal,
        action="schedule_assignment.create",
        record=enrolled,
        before=None,
        agency_id=referral.agency_id,
    )
    if status is Status.ENROLLED and referral.status != ReferralStatus.IN_PROGRESS:
        await referrals.transition(session, principal, referral.id, "start")
    elif status is Status.WAITLISTED and referral.status == ReferralStatus.ACCEPTED:
        await referrals.transition(
            session, principal, referral.id, "hold", reason=ReasonCode.NO_CAPACITY, note=f"Waitlisted: {schedule.name}"
        )
    return enrolled


def visible_schedule_assignments(principal: Principal) -> ColumnElement[bool]:
    if principal.is_provider:
        return ScheduleAssignment.provider_id == principal.provider_id
    return ScheduleAssignment.agency_id == principal.agency_id


async def list_schedule_assignments(
    session: AsyncSession,
    principal: Principal | None,
    *,
    schedule_id: int | None = None,
    referral_id: int | None = None,
    participant_id: int | None = None,
    statuses: list[Status] | None = None,
    first: int,
    after: str | None = None,
) -> Page[ScheduleAssignment]:
    """Enrollments into schedules, oldest first (the waitlist's order)."""
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_READ)
    query = select(ScheduleAssignment).where(visible_schedule_assignments(principal))
    if schedule_id is not None:
        query = query.where(ScheduleAssignment.schedule_id == schedule_id)
    if referral_id is not None:
        query = query.where(ScheduleAssignment.referral_id == referral_id)
    if participant_id is not None:
        query = query.where(ScheduleAssignment.participant_id == participant_id)
    if statuses:
        query = query.where(ScheduleAssignment.status.in_(statuses))
    return await paginate(session, query, order=[(ScheduleAssignment.id, "asc")], first=first, after=after)


async def withdraw(session: AsyncSession, principal: Principal | None, assignment_id: int) -> ScheduleAssignment:
    """Takes a participant off a schedule (kept, WITHDRAWN); the place freed goes to the waitlist, oldest first,
    whose referrals on hold then start."""
    principal = require(principal, PROVIDER_ROLES)
    found = await fetch(
        session,
        ScheduleAssignment,
        assignment_id,
        scope=ScheduleAssignment.provider_id == principal.provider_id,
        what="schedule enrollment",
    )
    schedule = await fetch(session, BenefitSchedule, found.schedule_id, for_update=True)
    await session.refresh(found)  # as it stands now that the schedule is locked (a racing change waited for it)
    if found.status not in HOLDING:
        raise Conflict(f"This enrollment is {found.status.value}.", field="status")
    freed = found.status == Status.ENROLLED
    await _set_status(session, principal, found, Status.WITHDRAWN, "schedule_assignment.withdraw")
    if freed:
        await _promote(session, principal, schedule)
    return found


async def promote(session: AsyncSession, principal: Principal | None, assignment_id: int) -> ScheduleAssignment:
    """Enrolls someone from the waitlist by hand, whatever their place in it (the provider knows who can come),
    when every session they would join has a place; their referral on hold then starts."""
    principal = require(principal, PROVIDER_ROLES)
    found = await fetch(
        session,
        ScheduleAssignment,
        assignment_id,
        scope=ScheduleAssignment.provider_id == principal.provider_id,
        what="schedule enrollment",
    )
    # Locked as enrollments lock it: a promotion and an enrollment cannot both take the last place.
    schedule = await fetch(session, BenefitSchedule, found.schedule_id, for_update=True)
    await session.refresh(found)  # as it stands now that the schedule is locked (a racing change waited for it)
    if found.status != Status.WAITLISTED:
        raise Conflict(f"This enrollment is {found.status.value}, not waitlisted.", field="status")
    largest, changes = await _place_for(session, schedule, found, by_hand=True)
    if largest is None:
        raise Conflict("No session is left to enroll into.", field="status")
    if largest >= schedule.capacity:
        raise Conflict(f"The schedule is full (capacity {schedule.capacity}): withdraw someone first.", field="status")
    await _enroll_waitlisted(session, principal, found, **changes)
    return found


async def release_referral(session: AsyncSession, principal: Principal, referral_id: int) -> None:
    """An ended referral (completed, failed, cancelled, in error) holds no places: its enrollments are withdrawn
    (kept, with their attendance) and each schedule's freed places go to its waitlist."""
    holding = (
        await session.exec(
            select(ScheduleAssignment)
            .where(ScheduleAssignment.referral_id == referral_id, ScheduleAssignment.status.in_(HOLDING))
            .order_by(ScheduleAssignment.id)
        )
    ).all()
    freed: set[int] = set()
    for row in holding:
        if row.status == Status.ENROLLED:
            freed.add(row.schedule_id)
        await _set_status(session, principal, row, Status.WITHDRAWN, "schedule_assignment.release")
    for schedule_id in sorted(freed):
        await _promote(session, principal, await fetch(session, BenefitSchedule, schedule_id, for_update=True))


async def _set_status(
    session: AsyncSession, principal: Principal, row: ScheduleAssignment, status, action: str, **changes
):
    before = snapshot(row)
    for key, value in changes.items():
        setattr(row, key, value)
    row.status = status
    row.updated_at = utcnow()
    session.add(row)
    await record_event(session, principal, action=action, record=row, before=before, agency_id=row.agency_id)


async def _promote(session: AsyncSession, principal: Principal, schedule: BenefitSchedule) -> None:
    waiting = (
        await session.exec(
            select(ScheduleAssignment)
            .where(ScheduleAssignment.schedule_id == schedule.id, ScheduleAssignment.status == Status.WAITLISTED)
            .order_by(ScheduleAssignment.id)
        )
    ).all()
    for row in waiting:
        largest, _ = await _place_for(session, schedule, row, by_hand=False)
        if largest is None or largest >= schedule.capacity:
            continue
        await _enroll_waitlisted(session, principal, row)


async def _place_for(
    session: AsyncSession, schedule: BenefitSchedule, row: ScheduleAssignment, *, by_hand: bool
) -> tuple[int | None, dict]:
    """The fullest roster among the sessions a waitlisted `row` would join (None: no session left), and the changes
    that make it join them. Promoted by hand, someone waiting for the whole schedule since a day now past joins from
    today: sessions held meanwhile were full without them, and stay so. A place freed promotes the oldest who fits
    as they asked (their start kept)."""
    changes = {}
    if by_hand and row.session_id is None:
        today = today_in(schedule.time_zone)
        if row.from_date < today:
            changes = {"from_date": today, "starts_from": day_start(today, schedule.time_zone)}
    starts_from = changes.get("starts_from", row.starts_from)
    return await fullest(session, schedule, starts_from=starts_from, session_id=row.session_id), changes


async def _enroll_waitlisted(session: AsyncSession, principal: Principal, row: ScheduleAssignment, **changes) -> None:
    await _set_status(session, principal, row, Status.ENROLLED, "schedule_assignment.promote", **changes)
    if not principal.is_provider:
        return  # starting the service is the provider's step (the agency freed the place by ending a referral)
    referral = await referrals.get_referral(session, principal, row.referral_id)
    if referral.status == ReferralStatus.ON_HOLD and not referrals.awaits_authorization(referral):
        await referrals.transition(session, principal, referral.id, "start")
