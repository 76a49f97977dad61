"""A caseworker's day: today's sessions and meetings of their clients, open tasks due today, tomorrow or overdue,
recent incidents, and the follow-up queue, each entry with its reasons:

- MISSED_LAST_SESSION: absent at their last session (excused ones do not count);
- CONSECUTIVE_ABSENCES: absent three or more times in a row since they last came;
- NO_RECENT_INTERACTION: no note, disbursement (a voided one is no contact) or referral update within the
  agency's window (30 days by default, `Agency.follow_up_days`).

"Their clients" are the participants of the open cases the caseworker owns or is on the team of."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.agencies import Agency
from server.domain.cases.cases import my_cases
from server.domain.cases.models import OPEN_TASK, CarePlanTask, Case, CaseNote, Incident, Meeting, NoteStatus
from server.domain.days import day_start, today_in
from server.domain.delivery.disbursements import visible_disbursements
from server.domain.delivery.models import BenefitDisbursement, BenefitSession, DisbursementStatus, ScheduleAssignment
from server.domain.delivery.rollups import attendance_by
from server.domain.delivery.schedule_assignments import on_roster
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.referrals.models import Referral, ReferralEvent

ABSENCES_IN_A_ROW = 3
RECENT_INCIDENT_DAYS = 7


@dataclass
class FollowUp:
    participant_id: int
    reasons: list[str]
    consecutive_absences: int
    last_interaction: date | None


@dataclass
class MyDay:
    day: date
    sessions: list[tuple[BenefitSession, int]] = field(default_factory=list)  # (session, participant)
    meetings: list[Meeting] = field(default_factory=list)
    overdue_tasks: list[CarePlanTask] = field(default_factory=list)
    tasks_today: list[CarePlanTask] = field(default_factory=list)
    tasks_tomorrow: list[CarePlanTask] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)


async def my_day(session: AsyncSession, principal: Principal | None, *, today: date | None = None) -> MyDay:
    principal = require(principal, AGENCY_ROLES)
    agency = await session.get(Agency, principal.agency_id)
    today = today or today_in(agency.time_zone)
    start, end = day_start(today, agency.time_zone), day_start(today + timedelta(days=1), agency.time_zone)
    clients = sorted(
        set(
            (
                await session.exec(
                    select(Case.participant_id).where(
                        Case.agency_id == principal.agency_id, my_cases(principal.user_id)
                    )
                )
            ).all()
        )
    )
    result = MyDay(day=today)
    if clients:
        rows = await session.exec(
            select(BenefitSession, ScheduleAssignment.participant_id)
            .join(
                ScheduleAssignment, on_roster(BenefitSession.id, BenefitSession.schedule_id, BenefitSession.starts_at)
            )
            .where(
                ScheduleAssignment.participant_id.in_(clients),
                BenefitSession.starts_at >= start,
                BenefitSession.starts_at < end,
            )
            .order_by(BenefitSession.starts_at, BenefitSession.id)
        )
        result.sessions = [(s, p) for s, p in rows.all()]
        result.incidents = list(
            (
                await session.exec(
                    select(Incident)
                    .where(
                        Incident.participant_id.in_(clients),
                        Incident.occurred_at >= start - timedelta(days=RECENT_INCIDENT_DAYS),
                    )
                    .order_by(Incident.occurred_at.desc(), Incident.id.desc())
                    .limit(50)
                )
            ).all()
        )
        result.follow_ups = await follow_up_queue(session, principal, clients, today, agency.follow_up_days)
    result.meetings = list(
        (
            await session.exec(
                select(Meeting)
                .where(Meeting.caseworker_id == principal.user_id, Meeting.starts_at >= start, Meeting.starts_at < end)
                .order_by(Meeting.starts_at)
            )
        ).all()
    )
    tasks = (
        await session.exec(
            select(CarePlanTask)
            .where(
                CarePlanTask.assignee_id == principal.user_id,
                CarePlanTask.status.in_(OPEN_TASK),
                CarePlanTask.due_date <= today + timedelta(days=1),
            )
            .order_by(CarePlanTask.due_date, CarePlanTask.id)
        )
    ).all()
    result.overdue_tasks = [t for t in tasks if t.due_date < today]
    result.tasks_today = [t for t in tasks if t.due_date == today]
    result.tasks_tomorrow = [t for t in tasks if t.due_date > today]
    return result


async def follow_up_queue(
    session: AsyncSession, principal: Principal, clients: list[int], today: date, window_days: int
) -> list[FollowUp]:
    """The clients needing a follow-up and why, in a fixed number of statements whatever their number."""
    attendance = await attendance_by(
        session,
        "participant_id",
        clients,
        visible_disbursements(principal),
    )
    last: dict[int, date] = {}

    def seen(participant_id: int, day) -> None:
        if day is None:
            return
        day = day.date() if isinstance(day, datetime) else day
        if participant_id not in last or day > last[participant_id]:
            last[participant_id] = day

    for query in (
        select(CaseNote.participant_id, func.max(CaseNote.interaction_date))
        .where(CaseNote.participant_id.in_(clients), CaseNote.status == NoteStatus.FINAL)
        .group_by(CaseNote.participant_id),
        select(BenefitDisbursement.participant_id, func.max(BenefitDisbursement.service_date))
        .where(BenefitDisbursement.participant_id.in_(clients), BenefitDisbursement.status != DisbursementStatus.VOIDED)
        .group_by(BenefitDisbursement.participant_id),
        select(Referral.participant_id, func.max(ReferralEvent.occurred_at))
        .join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
        .where(Referral.participant_id.in_(clients))
        .group_by(Referral.participant_id),
    ):
        for participant_id, day in (await session.exec(query)).all():
            seen(participant_id, day)
    queue = []
    horizon = today - timedelta(days=window_days)
    for participant_id in clients:
        reasons = []
        absences = attendance[participant_id].consecutive_absences
        if absences >= 1:
            reasons.append("MISSED_LAST_SESSION")
        if absences >= ABSENCES_IN_A_ROW:
            reasons.append("CONSECUTIVE_ABSENCES")
        latest = last.get(participant_id)
        if latest is None or latest < horizon:
            reasons.append("NO_RECENT_INTERACTION")
        if reasons:
            queue.append(FollowUp(participant_id, reasons, absences, latest))
    return queue
