"""A session's roster and its attendance: one all-or-nothing save marks everyone Present, Absent or Excused,
completes the session and makes each line one disbursement; saving again corrects those same disbursements.

Concurrent saves of one roster queue on the session's row lock (SQLite: on BEGIN IMMEDIATE); the later one
finds the first one's disbursements and corrects them. The (session, participant) uniqueness constraint makes a
second disbursement for a line impossible whatever happens above it."""

from dataclasses import dataclass

from sqlalchemy import func, union
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.catalogue.models import Benefit, CodeSet
from server.domain.clients.models import BenefitAssignment
from server.domain.days import day_of, today_in
from server.domain.delivery.disbursements import priced, revise
from server.domain.delivery.models import (
    STATUS_OF_MARK,
    AttendanceMark,
    BenefitDisbursement,
    BenefitSchedule,
    BenefitSession,
    RecipientType,
    ScheduleAssignment,
    SessionStatus,
)
from server.domain.delivery.schedule_assignments import on_roster
from server.domain.delivery.schedules import own_sessions, visible_sessions
from server.domain.errors import Conflict, DomainError, ErrorCode, Invalid, InvalidInput
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, require
from server.domain.records import fetch

MARK_OF_STATUS = {status: mark for mark, status in STATUS_OF_MARK.items()}


@dataclass
class RosterLine:
    participant_id: int
    assignment: ScheduleAssignment | None  # None when only a disbursement keeps the line (enrollment withdrawn)
    disbursement: BenefitDisbursement | None  # set once attendance was taken

    @property
    def mark(self) -> AttendanceMark | None:
        if self.disbursement is None:
            return None
        return MARK_OF_STATUS.get(self.disbursement.status)


async def _lines(session: AsyncSession, found: BenefitSession) -> list[RosterLine]:
    enrolled = (
        await session.exec(
            select(ScheduleAssignment)
            .where(on_roster(found.id, found.schedule_id, found.starts_at))
            .order_by(ScheduleAssignment.id)
        )
    ).all()
    recorded = (await session.exec(select(BenefitDisbursement).where(BenefitDisbursement.session_id == found.id))).all()
    lines: dict[int, RosterLine] = {}
    for row in enrolled:
        lines.setdefault(row.participant_id, RosterLine(row.participant_id, row, None))
    for row in recorded:
        lines.setdefault(row.participant_id, RosterLine(row.participant_id, None, None)).disbursement = row
    return list(lines.values())


async def roster_lengths(session: AsyncSession, session_ids: list[int]) -> dict[int, int]:
    """session id -> its roster's length, whatever the session's status: everyone enrolled on its date, and
    everyone whose attendance was recorded there (kept after they withdrew), each once (as `_lines` counts)."""
    s = BenefitSession
    enrolled = (
        select(s.id.label("session_id"), ScheduleAssignment.participant_id)
        .join(ScheduleAssignment, on_roster(s.id, s.schedule_id, s.starts_at))
        .where(s.id.in_(session_ids))
    )
    recorded = select(BenefitDisbursement.session_id, BenefitDisbursement.participant_id).where(
        BenefitDisbursement.session_id.in_(session_ids)
    )
    lines = union(enrolled, recorded).subquery()  # UNION, not UNION ALL: one line per participant
    rows = await session.exec(select(lines.c.session_id, func.count()).group_by(lines.c.session_id))
    return {session_id: n for session_id, n in rows.all()}


async def roster(
    session: AsyncSession, principal: Principal | None, session_id: int
) -> tuple[BenefitSession, list[RosterLine]]:
    """Everyone enrolled on the session's date, with the attendance recorded so far."""
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_READ)
    found = await fetch(session, BenefitSession, session_id, scope=visible_sessions(principal), what="session")
    return found, await _lines(session, found)


MARK_RULES = {
    "participant_id": v.reference(required=True),
    "mark": v.choice(AttendanceMark, required=True),
    "note": v.text(2000),
}


def _clean_marks(marks: list[dict]) -> list[dict]:
    cleaned, errors = [], []
    for index, mark in enumerate(marks):
        try:
            cleaned.append(v.clean(MARK_RULES, mark, partial=False))
        except InvalidInput as error:
            errors += [DomainError(e.message, field=f"marks[{index}].{e.field}", code=e.code) for e in error.errors]
        except DomainError as error:
            errors.append(DomainError(error.message, field=f"marks[{index}].{error.field}", code=error.code))
    if errors:
        raise InvalidInput(errors)
    return cleaned


async def take_attendance(
    session: AsyncSession, principal: Principal | None, session_id: int, marks: list[dict]
) -> BenefitSession:
    """Records everyone's attendance at once and completes the session; on a completed session, corrects it."""
    principal = require(principal, PROVIDER_ROLES)
    marks = _clean_marks(marks)
    found = await fetch(
        session,
        BenefitSession,
        session_id,
        scope=own_sessions(principal),
        field="sessionId",
        what="session",
        for_update=True,
    )
    if found.status not in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED):
        raise Conflict(f"This session is {found.status.value}; there is no attendance to take.", field="sessionId")
    schedule = await session.get(BenefitSchedule, found.schedule_id)
    day = day_of(found.starts_at, schedule.time_zone)
    if day > today_in(schedule.time_zone):
        raise Invalid("Attendance is taken on or after the session's day.", field="sessionId")
    lines = {line.participant_id: line for line in await _lines(session, found)}
    errors, seen = [], set()
    for index, mark in enumerate(marks):
        if mark["participant_id"] in seen:
            errors.append(Invalid("This participant is marked twice.", field=f"marks[{index}].participantId"))
        elif mark["participant_id"] not in lines:
            errors.append(Invalid("This participant is not on the roster.", field=f"marks[{index}].participantId"))
        seen.add(mark["participant_id"])
    if errors:
        raise InvalidInput(errors)
    missing = len(set(lines) - seen)
    if missing:
        raise DomainError(f"Mark everyone on the roster: {missing} not marked.", field="marks", code=ErrorCode.REQUIRED)
    if not lines:
        raise Invalid("Nobody is enrolled in this session.", field="sessionId")

    code_set = await session.get(CodeSet, schedule.code_set_id)
    benefit = await session.get(Benefit, schedule.benefit_id)
    assignment_ids = {line.assignment.benefit_assignment_id for line in lines.values() if line.assignment}
    enrollment_of = {
        a.id: a.enrollment_id
        for a in (await session.exec(select(BenefitAssignment).where(BenefitAssignment.id.in_(assignment_ids)))).all()
    }
    before = {"status": found.status.value, "marks": _marks_of(lines.values())}
    correcting = found.status == SessionStatus.COMPLETED
    changed = not correcting  # a first save completes the session
    quantity = schedule.default_quantity
    for mark in marks:
        line = lines[mark["participant_id"]]
        status = STATUS_OF_MARK[mark["mark"]]
        if line.disbursement is not None:
            changed |= await revise(
                session,
                principal,
                line.disbursement,
                status=status,
                quantity=line.disbursement.quantity,
                note=mark.get("note"),
                action="benefit_disbursement.correct",
            )
            continue
        changed = True
        enrolled = line.assignment
        line.disbursement = BenefitDisbursement(
            agency_id=schedule.agency_id,
            provider_id=schedule.provider_id,
            benefit_id=schedule.benefit_id,
            benefit_assignment_id=enrolled.benefit_assignment_id,
            participant_id=enrolled.participant_id,
            enrollment_id=enrollment_of[enrolled.benefit_assignment_id],
            referral_id=enrolled.referral_id,
            session_id=found.id,
            code_set_id=code_set.id,
            quantity=quantity,
            unit=benefit.unit_of_measure,
            rate=code_set.rate,
            amount=priced(quantity, code_set.rate),
            service_date=day,
            recipient_type=RecipientType.PROGRAM_ENROLLMENT,
            status=status,
            note=mark.get("note"),
            recorded_by_id=principal.user_id,
        )
        session.add(line.disbursement)
    if not changed:  # the same marks saved again (a retry, a double click): nothing to record
        return found
    snap = snapshot(found)
    found.status = SessionStatus.COMPLETED
    session.add(found)
    await record_event(
        session,
        principal,
        action="benefit_session.attendance.correct" if correcting else "benefit_session.attendance",
        record=found,
        before={**snap, **before},
        after={**snapshot(found), "status": found.status.value, "marks": _marks_of(lines.values())},
        agency_id=schedule.agency_id,
    )
    return found


def _marks_of(lines) -> dict[str, str | None]:
    return {str(line.participant_id): line.mark.value if line.mark else None for line in lines}
