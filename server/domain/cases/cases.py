"""Cases: opened from an intake for a participant, owned by a caseworker, moved through intake, assessment,
planning, active, monitoring, resolved and closed. Resolving needs every care plan completed or cancelled."""

from sqlalchemy import ColumnElement, false
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.audit import record_event, snapshot
from server.domain.cases.models import (
    OPEN_CASE,
    CarePlan,
    CarePlanStatus,
    Case,
    CaseStatus,
    CaseTeamMember,
    IntakeSource,
)
from server.domain.clients.participants import get_participant
from server.domain.columns import utcnow
from server.domain.errors import Conflict, Invalid
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.records import checked_update, fetch
from server.domain.users import User
from server.domain.zones import today_for

S = CaseStatus
# Where a case may go from each status: forward one step, back from monitoring, closed from anywhere open.
MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.INTAKE: frozenset({S.ASSESSMENT, S.CLOSED}),
    S.ASSESSMENT: frozenset({S.PLANNING, S.CLOSED}),
    S.PLANNING: frozenset({S.ACTIVE, S.CLOSED}),
    S.ACTIVE: frozenset({S.MONITORING, S.RESOLVED, S.CLOSED}),
    S.MONITORING: frozenset({S.ACTIVE, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.ACTIVE}),
    S.CLOSED: frozenset(),
}
RULES = {
    "participant_id": v.reference(required=True),
    "intake_source": v.choice(IntakeSource, required=True),
    "owner_id": v.reference(),
    "summary": v.text(4000),
    "opened_on": v.a_date(),
}
UPDATE_RULES = {"owner_id": v.reference(), "summary": v.text(4000)}
FINISHED_PLAN = (CarePlanStatus.COMPLETED, CarePlanStatus.CANCELLED)


def mine(principal: Principal) -> ColumnElement[bool]:
    return Case.agency_id == principal.agency_id


def visible_cases(principal: Principal | None) -> ColumnElement[bool]:
    """The cases `principal` may read: its agency's; none for a provider's user or no one signed in."""
    return mine(principal) if principal is not None and principal.is_agency else false()


def current_team() -> ColumnElement[bool]:
    """The case's team as it stands: the members who have not left it."""
    return CaseTeamMember.ended_at.is_(None)


async def get_case(session: AsyncSession, principal: Principal | None, case_id: int, *, field: str = "id") -> Case:
    principal = require(principal, AGENCY_ROLES)
    return await fetch(session, Case, case_id, scope=mine(principal), field=field, what="case")


async def _caseworker(session: AsyncSession, principal: Principal, user_id: int, field: str) -> User:
    """A user of the principal's agency, active (owners and team members are agency staff)."""
    user = await fetch(session, User, user_id, scope=User.agency_id == principal.agency_id, field=field, what="user")
    if not user.active:
        raise Invalid("This user is deactivated.", field=field)
    return user


async def open_case(session: AsyncSession, principal: Principal | None, values: dict) -> Case:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(RULES, values, partial=False)
    await get_participant(session, principal, values["participant_id"], field="participantId")
    values["owner_id"] = values.get("owner_id") or principal.user_id
    await _caseworker(session, principal, values["owner_id"], "ownerId")
    values["opened_on"] = values.get("opened_on") or await today_for(session, principal)
    case = Case(agency_id=principal.agency_id, **values)
    session.add(case)
    await record_event(session, principal, action="case.open", record=case, before=None, agency_id=case.agency_id)
    return case


async def update_case(session: AsyncSession, principal: Principal | None, case_id: int, values: dict) -> Case:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(UPDATE_RULES, values, partial=True)
    case = await get_case(session, principal, case_id)
    if values.get("owner_id") is None:
        values.pop("owner_id", None)
    else:
        await _caseworker(session, principal, values["owner_id"], "ownerId")
    before = snapshot(case)
    await checked_update(session, case, values, conflict="Someone else changed this case; reload it.")
    await record_event(session, principal, action="case.update", record=case, before=before, agency_id=case.agency_id)
    return case


async def move_case(
    session: AsyncSession, principal: Principal | None, case_id: int, status: CaseStatus, *, expected_version=None
) -> Case:
    principal = require(principal, AGENCY_ROLES)
    case = await get_case(session, principal, case_id)
    if expected_version is not None and expected_version != case.version:
        raise Conflict("This case changed since you loaded it; reload it.", field="version")
    if status not in MOVES[case.status]:
        raise Conflict(f"A case cannot go from {case.status.value} to {status.value}.", field="status")
    if status == S.RESOLVED:
        unfinished = (
            await session.exec(
                select(CarePlan.name).where(CarePlan.case_id == case.id, CarePlan.status.not_in(FINISHED_PLAN))
            )
        ).first()
        if unfinished is not None:
            raise Conflict(f"Complete or cancel the care plan “{unfinished}” first.", field="status")
    changes: dict = {"status": status}
    if status == S.RESOLVED:
        changes["resolved_on"] = await today_for(session, principal)
    if status == S.CLOSED:
        changes["closed_on"] = await today_for(session, principal)
    before = snapshot(case)
    await checked_update(session, case, changes, conflict="Someone else changed this case; reload it.")
    await record_event(
        session, principal, action=f"case.{status.value.lower()}", record=case, before=before, agency_id=case.agency_id
    )
    return case


async def list_cases(
    session: AsyncSession,
    principal: Principal | None,
    *,
    participant_id: int | None = None,
    owner_id: int | None = None,
    statuses: list[CaseStatus] | None = None,
    first: int,
    after: str | None = None,
) -> Page[Case]:
    principal = require(principal, AGENCY_ROLES)
    query = select(Case).where(mine(principal))
    if participant_id is not None:
        query = query.where(Case.participant_id == participant_id)
    if owner_id is not None:
        query = query.where(Case.owner_id == owner_id)
    if statuses:
        query = query.where(Case.status.in_(statuses))
    return await paginate(session, query, order=[(Case.id, "desc")], first=first, after=after)


async def _membership(session: AsyncSession, case_id: int, user_id: int) -> CaseTeamMember | None:
    """The user's current place on the case's team, if any."""
    query = select(CaseTeamMember).where(
        CaseTeamMember.case_id == case_id, CaseTeamMember.user_id == user_id, CaseTeamMember.ended_at.is_(None)
    )
    return (await session.exec(query)).first()


async def add_team_member(session: AsyncSession, principal: Principal | None, case_id: int, user_id: int):
    principal = require(principal, AGENCY_ROLES)
    case = await get_case(session, principal, case_id, field="caseId")
    await _caseworker(session, principal, user_id, "userId")
    current = await _membership(session, case.id, user_id)
    if current is not None or user_id == case.owner_id:
        raise Conflict("This caseworker is already on the case.", field="userId")
    member = CaseTeamMember(case_id=case.id, user_id=user_id)
    session.add(member)
    await record_event(session, principal, action="case.team.add", record=member, before=None, agency_id=case.agency_id)
    return case


async def remove_team_member(session: AsyncSession, principal: Principal | None, case_id: int, user_id: int):
    """Ends the membership (kept, with its end)."""
    principal = require(principal, AGENCY_ROLES)
    case = await get_case(session, principal, case_id, field="caseId")
    member = await _membership(session, case.id, user_id)
    if member is None:
        raise Invalid("This caseworker is not on the case's team.", field="userId")
    before = snapshot(member)
    member.ended_at = utcnow()
    session.add(member)
    await record_event(
        session, principal, action="case.team.remove", record=member, before=before, agency_id=case.agency_id
    )
    return case


def my_cases(user_id: int) -> ColumnElement[bool]:
    """Open cases the user owns or is on the team of."""
    return Case.status.in_(OPEN_CASE) & (
        (Case.owner_id == user_id)
        | Case.id.in_(
            select(CaseTeamMember.case_id).where(CaseTeamMember.user_id == user_id, CaseTeamMember.ended_at.is_(None))
        )
    )
