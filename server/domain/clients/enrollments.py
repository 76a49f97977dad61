"""Program enrollments (one active per participant per program) and the benefits assigned through them."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.catalogue.models import Benefit, Program
from server.domain.catalogue.programs import check_enrolling
from server.domain.clients.models import (
    ACTIVE_ENROLLMENT,
    AssignmentStatus,
    BenefitAssignment,
    EnrollmentStatus,
    Participant,
    ProgramEnrollment,
)
from server.domain.errors import Conflict, Invalid
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.records import apply_changes, fetch
from server.domain.zones import today_for

ENROLLMENT_RULES = {
    "participant_id": v.reference(required=True),
    "program_id": v.reference(required=True),
    "status": v.choice(EnrollmentStatus),
    "start_date": v.a_date(),
    "end_date": v.a_date(),
}
ENROLLMENT_UPDATE_RULES = {"status": v.choice(EnrollmentStatus), "start_date": v.a_date(), "end_date": v.a_date()}
ASSIGNMENT_RULES = {
    "enrollment_id": v.reference(required=True),
    "benefit_id": v.reference(required=True),
    "status": v.choice(AssignmentStatus),
    "entitled_quantity": v.money(),
}
ASSIGNMENT_UPDATE_RULES = {"status": v.choice(AssignmentStatus), "entitled_quantity": v.money()}


def _mine(model, principal: Principal):
    return model.agency_id == principal.agency_id


async def _check_one_active(session: AsyncSession, enrollment: ProgramEnrollment) -> None:
    if not enrollment.active or enrollment.participant_id is None:
        return
    query = select(ProgramEnrollment.id).where(
        ProgramEnrollment.participant_id == enrollment.participant_id,
        ProgramEnrollment.program_id == enrollment.program_id,
        ProgramEnrollment.active.is_(True),
    )
    if enrollment.id is not None:
        query = query.where(ProgramEnrollment.id != enrollment.id)
    if (await session.exec(query)).first() is not None:
        raise Conflict("The participant already has an active enrollment in this program.", field="programId")


def _check_dates(enrollment: ProgramEnrollment) -> None:
    if enrollment.start_date and enrollment.end_date and enrollment.end_date < enrollment.start_date:
        raise Invalid("An enrollment cannot end before it starts.", field="endDate")


async def enroll(session: AsyncSession, principal: Principal | None, values: dict) -> ProgramEnrollment:
    """Enrolls a participant in a program: at most one active enrollment per participant per program."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    values = v.clean(ENROLLMENT_RULES, values, partial=False)
    await fetch(
        session,
        Participant,
        values["participant_id"],
        scope=_mine(Participant, principal),
        field="participantId",
        what="participant",
    )
    program = await fetch(
        session, Program, values["program_id"], scope=_mine(Program, principal), field="programId", what="program"
    )
    check_enrolling(program, field="programId")
    if "start_date" not in values:
        values["start_date"] = await today_for(session, principal)
    enrollment = ProgramEnrollment(agency_id=principal.agency_id, **values)
    enrollment.active = enrollment.status in ACTIVE_ENROLLMENT
    _check_dates(enrollment)
    await _check_one_active(session, enrollment)
    session.add(enrollment)
    await record_event(
        session,
        principal,
        action="program_enrollment.create",
        record=enrollment,
        before=None,
        agency_id=principal.agency_id,
    )
    return enrollment


async def update_enrollment(
    session: AsyncSession, principal: Principal | None, enrollment_id: int, values: dict
) -> ProgramEnrollment:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    values = v.clean(ENROLLMENT_UPDATE_RULES, values, partial=True)
    enrollment = await fetch(
        session, ProgramEnrollment, enrollment_id, scope=_mine(ProgramEnrollment, principal), what="enrollment"
    )
    before = snapshot(enrollment)
    if "status" in values:
        values["active"] = values["status"] in ACTIVE_ENROLLMENT
        if not values["active"] and "end_date" not in values and enrollment.end_date is None:
            values["end_date"] = await today_for(session, principal)
    if apply_changes(enrollment, values):
        _check_dates(enrollment)
        await _check_one_active(session, enrollment)
        await record_event(
            session,
            principal,
            action="program_enrollment.update",
            record=enrollment,
            before=before,
            agency_id=principal.agency_id,
        )
    return enrollment


async def list_enrollments(
    session: AsyncSession,
    principal: Principal | None,
    *,
    participant_id: int | None = None,
    program_id: int | None = None,
    active: bool | None = None,
    first: int,
    after: str | None = None,
) -> Page[ProgramEnrollment]:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_READ)
    query = select(ProgramEnrollment).where(_mine(ProgramEnrollment, principal))
    if participant_id is not None:
        query = query.where(ProgramEnrollment.participant_id == participant_id)
    if program_id is not None:
        query = query.where(ProgramEnrollment.program_id == program_id)
    if active is not None:
        query = query.where(ProgramEnrollment.active.is_(active))
    return await paginate(session, query, order=[(ProgramEnrollment.id, "desc")], first=first, after=after)


async def assign_benefit(session: AsyncSession, principal: Principal | None, values: dict) -> BenefitAssignment:
    """Assigns a benefit of the enrollment's program to its participant."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    values = v.clean(ASSIGNMENT_RULES, values, partial=False)
    enrollment = await fetch(
        session,
        ProgramEnrollment,
        values["enrollment_id"],
        scope=_mine(ProgramEnrollment, principal),
        field="enrollmentId",
        what="enrollment",
    )
    if not enrollment.active or enrollment.participant_id is None:
        raise Invalid("Assign benefits through an active enrollment of a named participant.", field="enrollmentId")
    benefit = await fetch(
        session, Benefit, values["benefit_id"], scope=_mine(Benefit, principal), field="benefitId", what="benefit"
    )
    if benefit.program_id != enrollment.program_id:
        raise Invalid("The benefit belongs to another program than the enrollment.", field="benefitId")
    if not benefit.active:
        raise Invalid("The benefit is no longer offered.", field="benefitId")
    assignment = BenefitAssignment(agency_id=principal.agency_id, participant_id=enrollment.participant_id, **values)
    session.add(assignment)
    await record_event(
        session,
        principal,
        action="benefit_assignment.create",
        record=assignment,
        before=None,
        agency_id=principal.agency_id,
    )
    return assignment


async def update_assignment(
    session: AsyncSession, principal: Principal | None, assignment_id: int, values: dict
) -> BenefitAssignment:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_WRITE)
    values = v.clean(ASSIGNMENT_UPDATE_RULES, values, partial=True)
    assignment = await fetch(
        session, BenefitAssignment, assignment_id, scope=_mine(BenefitAssignment, principal), what="benefit assignment"
    )
    before = snapshot(assignment)
    if apply_changes(assignment, values):
        await record_event(
            session,
            principal,
            action="benefit_assignment.update",
            record=assignment,
            before=before,
            agency_id=principal.agency_id,
        )
    return assignment


async def get_assignment(session: AsyncSession, principal: Principal | None, assignment_id: int) -> BenefitAssignment:
    principal = require(principal, AGENCY_ROLES, scope=Scope.CLIENTS_READ)
    return await fetch(
        session, BenefitAssignment, assignment_id, scope=_mine(BenefitAssignment, principal), what="benefit assignment"
    )
