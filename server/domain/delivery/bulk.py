"""Bulk disbursements: one benefit, one date, one quantity, for many recipients at once, all or nothing.

- Walk-in: chosen participants; their enrollment in the benefit's program and the assignment are created where
  missing.
- Program enrollment: chosen active enrollments of the benefit's program; assignments created where missing.
- Anonymous: a number of recipients without identities, on the program's active anonymous enrollment; a new
  one starts when the current one holds ANONYMOUS_LIMIT disbursements.

`plan` reads and checks everything (it is also the preview); `disburse` writes the plan with one multi-row
INSERT per table. The idempotency key makes a retry return the first result instead of creating anything."""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, update
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain import zones
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.catalogue.code_sets import billing_code_set
from server.domain.catalogue.models import Benefit, CodeSet, Program
from server.domain.catalogue.programs import check_enrolling
from server.domain.clients.models import (
    AssignmentStatus,
    BenefitAssignment,
    EnrollmentStatus,
    Participant,
    ProgramEnrollment,
)
from server.domain.columns import utcnow
from server.domain.delivery.disbursements import QUANTITY, SERVICE_DATE, priced
from server.domain.delivery.models import (
    ApprovalStatus,
    BenefitDisbursement,
    BenefitSchedule,
    BulkDisbursement,
    DisbursementStatus,
    RecipientType,
)
from server.domain.errors import Conflict, DomainError, ErrorCode, Invalid, InvalidInput
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.records import fetch

ANONYMOUS_LIMIT = 10_000
MAX_RECIPIENTS = 20_000
CHUNK = 5_000  # ids per IN (...) list, well under SQLite's and PostgreSQL's parameter limits
OPEN_ASSIGNMENT = (AssignmentStatus.ENROLLED, AssignmentStatus.ACTIVE, AssignmentStatus.WAITLISTED)
SCHEDULED_WARNING = "This benefit has approved schedules: participants enrolled in its sessions would be counted twice."


def _ids(values) -> list[int]:
    ids = v.references().clean(values)
    if not 1 <= len(ids) <= MAX_RECIPIENTS:
        raise ValueError(f"must list 1 to {MAX_RECIPIENTS} recipients")
    return ids


RULES = {
    "recipient_type": v.choice(RecipientType, required=True),
    "benefit_id": v.reference(required=True),
    "service_date": SERVICE_DATE,
    "quantity": QUANTITY,
    "code_set_id": v.reference(),
    "participant_ids": v.Rule(check=_ids),
    "enrollment_ids": v.Rule(check=_ids),
    "recipient_count": v.whole(1, MAX_RECIPIENTS),
}
NEEDS = {
    RecipientType.WALK_IN: "participant_ids",
    RecipientType.PROGRAM_ENROLLMENT: "enrollment_ids",
    RecipientType.ANONYMOUS: "recipient_count",
}


@dataclass
class Line:
    participant_id: int | None
    enrollment_id: int | None  # None: to be created
    assignment_id: int | None  # None: to be created (never for anonymous lines)


@dataclass
class BulkPlan:
    recipient_type: RecipientType
    benefit: Benefit
    code_set: CodeSet | None
    service_date: date
    quantity: Decimal
    fingerprint: str
    lines: list[Line] = field(default_factory=list)
    # Anonymous: how many lines go on the current anonymous enrollment (None: none yet), then on new ones.
    anonymous_current: tuple[int | None, int] = (None, 0)
    anonymous_new: list[int] = field(default_factory=list)
    warning: str | None = None
    # Filled when written: what the audit event lists (each disbursement carries the bulk's id).
    created_enrollment_ids: list[int] = field(default_factory=list)
    created_assignment_ids: list[int] = field(default_factory=list)

    @property
    def recipient_count(self) -> int:
        return len(self.lines)

    @property
    def enrollments_to_create(self) -> int:
        return sum(1 for line in self.lines if line.participant_id and line.enrollment_id is None)

    @property
    def assignments_to_create(self) -> int:
        return sum(1 for line in self.lines if line.participant_id and line.assignment_id is None)

    @property
    def total_quantity(self) -> Decimal:
        return self.quantity * len(self.lines)

    @property
    def total_amount(self) -> Decimal | None:
        return priced(self.total_quantity, self.code_set.rate if self.code_set else None)


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _fingerprint(values: dict) -> str:
    canonical = json.dumps({k: str(x) if not isinstance(x, list) else x for k, x in values.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _first_missing(ids: list[int], found: Iterable[int], name: str, what: str) -> None:
    found = set(found)
    for index, value in enumerate(ids):
        if value not in found:
            raise Invalid(f"Line {index + 1}: {what}", field=f"{name}[{index}]")


async def plan(session: AsyncSession, principal: Principal | None, values: dict, *, for_update=False) -> BulkPlan:
    """Checks the request and works out every line; writes nothing (this is the preview).

    `for_update` locks the program's row first, so concurrent anonymous requests cannot overfill an enrollment."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.DELIVERY_READ)
    values = v.clean(RULES, {k: x for k, x in values.items() if x is not None}, partial=False)
    await zones.check_not_after_today(session, principal, values, "service_date")
    kind = values["recipient_type"]
    needed = NEEDS[kind]
    if needed not in values:
        raise DomainError(f"{v.field_name(needed)} is required.", field=v.field_name(needed), code=ErrorCode.REQUIRED)
    extra = [k for k in NEEDS.values() if k != needed and k in values]
    if extra:
        raise InvalidInput([Invalid(f"{v.field_name(k)} is not used here.", field=v.field_name(k)) for k in extra])
    benefit = await fetch(
        session,
        Benefit,
        values["benefit_id"],
        scope=Benefit.agency_id == principal.agency_id,
        field="benefitId",
        what="benefit",
    )
    if not benefit.active:
        raise Invalid("The benefit is no longer offered.", field="benefitId")
    query = select(Program).where(Program.id == benefit.program_id)
    program = (await session.exec(query.with_for_update() if for_update else query)).one()
    check_enrolling(program, field="benefitId")
    result = BulkPlan(
        recipient_type=kind,
        benefit=benefit,
        code_set=await billing_code_set(session, benefit.id, values.get("code_set_id")),
        service_date=values["service_date"],
        quantity=values["quantity"],
        fingerprint=_fingerprint(values),
    )
    scheduled = select(BenefitSchedule.id).where(
        BenefitSchedule.benefit_id == benefit.id, BenefitSchedule.approval_status == ApprovalStatus.APPROVED
    )
    if (await session.exec(scheduled)).first() is not None:
        result.warning = SCHEDULED_WARNING
    if kind is RecipientType.ANONYMOUS:
        await _plan_anonymous(session, result, values["recipient_count"])
    elif kind is RecipientType.WALK_IN:
        await _plan_walk_in(session, principal, result, values["participant_ids"])
    else:
        await _plan_enrollments(session, principal, result, values["enrollment_ids"])
    return result


async def _open_assignments(session: AsyncSession, benefit_id: int, enrollment_ids: list[int]) -> dict[int, int]:
    """enrollment id → its open assignment of the benefit."""
    found: dict[int, int] = {}
    for chunk in _chunks(enrollment_ids):
        rows = await session.exec(
            select(BenefitAssignment.enrollment_id, BenefitAssignment.id)
            .where(
                BenefitAssignment.benefit_id == benefit_id,
                BenefitAssignment.enrollment_id.in_(chunk),
                BenefitAssignment.status.in_(OPEN_ASSIGNMENT),
            )
            .order_by(BenefitAssignment.id)
        )
        for enrollment_id, assignment_id in rows.all():
            found.setdefault(enrollment_id, assignment_id)
    return found


async def _plan_walk_in(session: AsyncSession, principal: Principal, result: BulkPlan, ids: list[int]) -> None:
    known, enrolled = [], {}
    for chunk in _chunks(ids):
        known += (
            await session.exec(
                select(Participant.id).where(Participant.agency_id == principal.agency_id, Participant.id.in_(chunk))
            )
        ).all()
        rows = await session.exec(
            select(ProgramEnrollment.participant_id, ProgramEnrollment.id).where(
                ProgramEnrollment.program_id == result.benefit.program_id,
                ProgramEnrollment.active.is_(True),
                ProgramEnrollment.participant_id.in_(chunk),
            )
        )
        enrolled.update(rows.all())
    _first_missing(ids, known, "participantIds", "no such participant in your agency.")
    assigned = await _open_assignments(session, result.benefit.id, list(enrolled.values()))
    for participant_id in ids:
        enrollment_id = enrolled.get(participant_id)
        result.lines.append(Line(participant_id, enrollment_id, assigned.get(enrollment_id)))


async def _plan_enrollments(session: AsyncSession, principal: Principal, result: BulkPlan, ids: list[int]) -> None:
    found: dict[int, ProgramEnrollment] = {}
    for chunk in _chunks(ids):
        rows = await session.exec(
            select(ProgramEnrollment).where(
                ProgramEnrollment.agency_id == principal.agency_id, ProgramEnrollment.id.in_(chunk)
            )
        )
        found.update({e.id: e for e in rows.all()})
    _first_missing(ids, found, "enrollmentIds", "no such enrollment in your agency.")
    for index, enrollment_id in enumerate(ids):
        enrollment = found[enrollment_id]
        if not enrollment.active or enrollment.anonymous or enrollment.program_id != result.benefit.program_id:
            raise Invalid(
                f"Line {index + 1}: not an active, named enrollment in the benefit's program.",
                field=f"enrollmentIds[{index}]",
            )
    assigned = await _open_assignments(session, result.benefit.id, ids)
    for enrollment_id in ids:
        result.lines.append(Line(found[enrollment_id].participant_id, enrollment_id, assigned.get(enrollment_id)))


async def _plan_anonymous(session: AsyncSession, result: BulkPlan, count: int) -> None:
    current = (
        await session.exec(
            select(ProgramEnrollment.id).where(
                ProgramEnrollment.program_id == result.benefit.program_id,
                ProgramEnrollment.anonymous.is_(True),
                ProgramEnrollment.active.is_(True),
            )
        )
    ).first()
    room = 0
    if current is not None:
        used = await session.scalar(
            select(func.count(BenefitDisbursement.id)).where(BenefitDisbursement.enrollment_id == current)
        )
        room = max(ANONYMOUS_LIMIT - used, 0)
    on_current = min(room, count)
    result.anonymous_current = (current, on_current)
    rest = count - on_current
    result.anonymous_new = [min(ANONYMOUS_LIMIT, rest - start) for start in range(0, rest, ANONYMOUS_LIMIT)]
    result.lines = [Line(None, current, None) for _ in range(count)]


async def disburse(
    session: AsyncSession, principal: Principal | None, values: dict, idempotency_key: str | None
) -> tuple[BulkDisbursement, BulkPlan | None]:
    """Writes the plan in the caller's transaction. A request already made with the same key returns its
    record and no plan (nothing new is written); the same key with another request is a conflict."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.DELIVERY_WRITE)
    key = v.argument(
        v.text(100),
        idempotency_key,
        field="idempotencyKey",
        required="Send an idempotency key, so a retry cannot disburse twice.",
    )
    result = await plan(session, principal, values, for_update=True)
    earlier = (
        await session.exec(
            select(BulkDisbursement).where(
                BulkDisbursement.agency_id == principal.agency_id, BulkDisbursement.idempotency_key == key
            )
        )
    ).first()
    if earlier is not None:
        if earlier.fingerprint != result.fingerprint:
            raise Conflict("This idempotency key was used for another request.", field="idempotencyKey")
        return earlier, None
    now = utcnow()
    bulk = BulkDisbursement(
        agency_id=principal.agency_id,
        benefit_id=result.benefit.id,
        code_set_id=result.code_set.id if result.code_set else None,
        recipient_type=result.recipient_type,
        service_date=result.service_date,
        quantity=result.quantity,
        recipient_count=result.recipient_count,
        total_amount=result.total_amount,
        enrollments_created=result.enrollments_to_create,
        assignments_created=result.assignments_to_create,
        idempotency_key=key,
        fingerprint=result.fingerprint,
        created_by_id=principal.user_id,
    )
    session.add(bulk)
    await session.flush()
    if result.recipient_type is RecipientType.ANONYMOUS:
        await _write_anonymous(session, principal, result, now)
    else:
        await _create_missing(session, principal, result, now)
    await _write_disbursements(session, principal, result, bulk.id, now)
    await record_event(
        session,
        principal,
        action="bulk_disbursement.create",
        record=bulk,
        before=None,
        agency_id=principal.agency_id,
        after={
            **snapshot(bulk),
            "warning": result.warning,
            "created_enrollment_ids": result.created_enrollment_ids,
            "created_assignment_ids": result.created_assignment_ids,
        },
    )
    return bulk, result


async def _execute_many(session: AsyncSession, table, rows: list[dict]) -> None:
    if rows:
        connection = await session.connection()
        await connection.execute(insert(table), rows)


async def _create_missing(session: AsyncSession, principal: Principal, result: BulkPlan, now) -> None:
    program_id, benefit_id = result.benefit.program_id, result.benefit.id
    new_enrollments = [line.participant_id for line in result.lines if line.enrollment_id is None]
    await _execute_many(
        session,
        ProgramEnrollment.__table__,
        [
            {
                "agency_id": principal.agency_id,
                "participant_id": participant_id,
                "program_id": program_id,
                "status": EnrollmentStatus.IN_PROGRESS,
                "active": True,
                "anonymous": False,
                "start_date": result.service_date,
                "created_at": now,
            }
            for participant_id in new_enrollments
        ],
    )
    created: dict[int, int] = {}
    for chunk in _chunks(new_enrollments):
        rows = await session.exec(
            select(ProgramEnrollment.participant_id, ProgramEnrollment.id).where(
                ProgramEnrollment.program_id == program_id,
                ProgramEnrollment.active.is_(True),
                ProgramEnrollment.participant_id.in_(chunk),
            )
        )
        created.update(rows.all())
    for line in result.lines:
        if line.enrollment_id is None:
            line.enrollment_id = created[line.participant_id]
    result.created_enrollment_ids = [created[p] for p in new_enrollments]
    new_assignments = [line for line in result.lines if line.assignment_id is None]
    await _execute_many(
        session,
        BenefitAssignment.__table__,
        [
            {
                "agency_id": principal.agency_id,
                "participant_id": line.participant_id,
                "benefit_id": benefit_id,
                "enrollment_id": line.enrollment_id,
                "status": AssignmentStatus.ACTIVE,
                "created_at": now,
            }
            for line in new_assignments
        ],
    )
    assigned = await _open_assignments(session, benefit_id, [line.enrollment_id for line in new_assignments])
    for line in new_assignments:
        line.assignment_id = assigned[line.enrollment_id]
    result.created_assignment_ids = [line.assignment_id for line in new_assignments]


async def _write_anonymous(session: AsyncSession, principal: Principal, result: BulkPlan, now) -> None:
    """Fills the current anonymous enrollment up to the limit, closes it when full, and starts new ones."""
    current, on_current = result.anonymous_current
    targets = [current] * on_current
    if current is not None and result.anonymous_new:
        await _close(session, current, result.service_date)
    for index, size in enumerate(result.anonymous_new):
        enrollment = ProgramEnrollment(
            agency_id=principal.agency_id,
            participant_id=None,
            program_id=result.benefit.program_id,
            status=EnrollmentStatus.IN_PROGRESS,
            anonymous=True,
            start_date=result.service_date,
        )
        session.add(enrollment)
        await record_event(
            session,
            principal,
            action="program_enrollment.create",
            record=enrollment,
            before=None,
            agency_id=principal.agency_id,
        )
        targets += [enrollment.id] * size
        if index < len(result.anonymous_new) - 1:  # filled to the limit; the next one takes the rest
            await _close(session, enrollment.id, result.service_date)
    for line, enrollment_id in zip(result.lines, targets, strict=True):
        line.enrollment_id = enrollment_id


async def _close(session: AsyncSession, enrollment_id: int, day: date) -> None:
    await session.exec(
        update(ProgramEnrollment)
        .where(ProgramEnrollment.id == enrollment_id)
        .values(active=False, status=EnrollmentStatus.COMPLETED, end_date=day)
    )


async def _write_disbursements(session: AsyncSession, principal: Principal, result: BulkPlan, bulk_id: int, now):
    rate = result.code_set.rate if result.code_set else None
    common = {
        "agency_id": principal.agency_id,
        "provider_id": None,
        "benefit_id": result.benefit.id,
        "referral_id": None,
        "session_id": None,
        "bulk_id": bulk_id,
        "code_set_id": result.code_set.id if result.code_set else None,
        "quantity": result.quantity,
        "unit": result.benefit.unit_of_measure,
        "rate": rate,
        "amount": priced(result.quantity, rate),
        "service_date": result.service_date,
        "recipient_type": result.recipient_type,
        "recipient_count": 1,
        "status": DisbursementStatus.COMPLETED,
        "note": None,
        "recorded_by_id": principal.user_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    await _execute_many(
        session,
        BenefitDisbursement.__table__,
        [
            {
                **common,
                "participant_id": line.participant_id,
                "enrollment_id": line.enrollment_id,
                "benefit_assignment_id": line.assignment_id,
            }
            for line in result.lines
        ],
    )
