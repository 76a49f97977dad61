"""Care plans under a case: drafted, proposed, activated, completed or cancelled; goals (with target dates and
progress) and tasks (due dates, assignees) under them; the benefit assignments and enrollments they cover."""

from sqlalchemy import false
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.audit import record_event, snapshot
from server.domain.cases.cases import get_case
from server.domain.cases.models import (
    OPEN_CASE,
    CarePlan,
    CarePlanGoal,
    CarePlanStatus,
    CarePlanTask,
    Case,
    GoalStatus,
    TaskStatus,
)
from server.domain.clients.models import BenefitAssignment, ProgramEnrollment
from server.domain.columns import utcnow
from server.domain.errors import Conflict, Invalid
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.records import apply_changes, checked_update, fetch
from server.domain.users import User

P = CarePlanStatus
# action: (from, to)
PLAN_ACTIONS: dict[str, tuple[frozenset[CarePlanStatus], CarePlanStatus]] = {
    "propose": (frozenset({P.DRAFT}), P.PROPOSED),
    "revise": (frozenset({P.PROPOSED}), P.DRAFT),
    "activate": (frozenset({P.DRAFT, P.PROPOSED}), P.ACTIVE),
    "complete": (frozenset({P.ACTIVE}), P.COMPLETED),
    "cancel": (frozenset({P.DRAFT, P.PROPOSED, P.ACTIVE}), P.CANCELLED),
}
OPEN_PLAN = frozenset({P.DRAFT, P.PROPOSED, P.ACTIVE})


PLAN_RULES = {
    "case_id": v.reference(required=True),
    "name": v.text(200, required=True),
    "start_date": v.a_date(),
    "end_date": v.a_date(),
}
GOAL_RULES = {
    "care_plan_id": v.reference(required=True),
    "name": v.text(200, required=True),
    "description": v.text(2000),
    "target_date": v.a_date(),
    "status": v.choice(GoalStatus),
    "progress": v.whole(0, 100, nullable=False),
}
GOAL_UPDATE_RULES = {k: r for k, r in GOAL_RULES.items() if k != "care_plan_id"} | {"name": v.text(200)}
TASK_RULES = {
    "goal_id": v.reference(required=True),
    "title": v.text(200, required=True),
    "due_date": v.a_date(),
    "assignee_id": v.reference(),
    "status": v.choice(TaskStatus),
}
TASK_UPDATE_RULES = {k: r for k, r in TASK_RULES.items() if k != "goal_id"} | {"title": v.text(200)}


def visible_plans(principal: Principal | None):
    """The care plans `principal` may read: its agency's; none for a provider's user or no one signed in."""
    if principal is None or not principal.is_agency:
        return false()
    return CarePlan.agency_id == principal.agency_id


async def get_plan(session: AsyncSession, principal: Principal | None, plan_id: int, *, field: str = "id") -> CarePlan:
    principal = require(principal, AGENCY_ROLES)
    return await fetch(
        session, CarePlan, plan_id, scope=CarePlan.agency_id == principal.agency_id, field=field, what="care plan"
    )


def _check_dates(plan: CarePlan) -> None:
    if plan.start_date and plan.end_date and plan.end_date < plan.start_date:
        raise Invalid("A care plan cannot end before it starts.", field="endDate")


async def create_plan(session: AsyncSession, principal: Principal | None, values: dict) -> CarePlan:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(PLAN_RULES, values, partial=False)
    case = await get_case(session, principal, values["case_id"], field="caseId")
    if case.status not in OPEN_CASE:
        raise Conflict(f"The case is {case.status.value}.", field="caseId")
    plan = CarePlan(agency_id=case.agency_id, created_by_id=principal.user_id, **values)
    _check_dates(plan)
    session.add(plan)
    await record_event(
        session, principal, action="care_plan.create", record=plan, before=None, agency_id=plan.agency_id
    )
    return plan


async def move_plan(session: AsyncSession, principal: Principal | None, plan_id: int, action: str) -> CarePlan:
    principal = require(principal, AGENCY_ROLES)
    plan = await get_plan(session, principal, plan_id)
    sources, target = PLAN_ACTIONS[action]
    if plan.status not in sources:
        raise Conflict(f"This care plan is {plan.status.value}; it cannot become {target.value}.", field="status")
    before = snapshot(plan)
    await checked_update(session, plan, {"status": target}, conflict="Someone else changed this care plan; reload it.")
    await record_event(
        session, principal, action=f"care_plan.{action}", record=plan, before=before, agency_id=plan.agency_id
    )
    return plan


async def _open_plan(session: AsyncSession, principal: Principal, plan_id: int, field: str) -> CarePlan:
    plan = await get_plan(session, principal, plan_id, field=field)
    if plan.status not in OPEN_PLAN:
        raise Conflict(f"This care plan is {plan.status.value}.", field=field)
    return plan


def _check_goal(goal: CarePlanGoal) -> None:
    if goal.status == GoalStatus.COMPLETED:
        goal.progress = 100


async def add_goal(session: AsyncSession, principal: Principal | None, values: dict) -> CarePlanGoal:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(GOAL_RULES, values, partial=False)
    plan = await _open_plan(session, principal, values["care_plan_id"], "carePlanId")
    goal = CarePlanGoal(**values)
    _check_goal(goal)
    session.add(goal)
    await record_event(
        session, principal, action="care_plan.goal.add", record=goal, before=None, agency_id=plan.agency_id
    )
    return goal


async def _goal(session: AsyncSession, principal: Principal, goal_id: int, field: str = "id") -> CarePlanGoal:
    return await fetch(
        session,
        CarePlanGoal,
        goal_id,
        scope=CarePlanGoal.care_plan_id.in_(select(CarePlan.id).where(CarePlan.agency_id == principal.agency_id)),
        field=field,
        what="goal",
    )


async def update_goal(session: AsyncSession, principal: Principal | None, goal_id: int, values: dict) -> CarePlanGoal:
    principal = require(principal, AGENCY_ROLES)
    values = {k: x for k, x in v.clean(GOAL_UPDATE_RULES, values, partial=True).items() if k != "name" or x}
    goal = await _goal(session, principal, goal_id)
    plan = await _open_plan(session, principal, goal.care_plan_id, "id")
    before = snapshot(goal)
    if apply_changes(goal, values):
        _check_goal(goal)
        await record_event(
            session, principal, action="care_plan.goal.update", record=goal, before=before, agency_id=plan.agency_id
        )
    return goal


async def _assignee(session: AsyncSession, principal: Principal, user_id: int | None) -> None:
    if user_id is None:
        return
    user = await fetch(
        session, User, user_id, scope=User.agency_id == principal.agency_id, field="assigneeId", what="user"
    )
    if not user.active:
        raise Invalid("This user is deactivated.", field="assigneeId")


def _finish(task: CarePlanTask) -> None:
    task.completed_at = utcnow() if task.status == TaskStatus.DONE else None


async def add_task(session: AsyncSession, principal: Principal | None, values: dict) -> CarePlanTask:
    principal = require(principal, AGENCY_ROLES)
    values = v.clean(TASK_RULES, values, partial=False)
    goal = await _goal(session, principal, values["goal_id"], "goalId")
    plan = await _open_plan(session, principal, goal.care_plan_id, "goalId")
    await _assignee(session, principal, values.get("assignee_id"))
    task = CarePlanTask(care_plan_id=plan.id, **values)
    _finish(task)
    session.add(task)
    await record_event(
        session, principal, action="care_plan.task.add", record=task, before=None, agency_id=plan.agency_id
    )
    return task


async def update_task(session: AsyncSession, principal: Principal | None, task_id: int, values: dict) -> CarePlanTask:
    principal = require(principal, AGENCY_ROLES)
    values = {k: x for k, x in v.clean(TASK_UPDATE_RULES, values, partial=True).items() if k != "title" or x}
    task = await fetch(
        session,
        CarePlanTask,
        task_id,
        scope=CarePlanTask.care_plan_id.in_(select(CarePlan.id).where(CarePlan.agency_id == principal.agency_id)),
        what="task",
    )
    plan = await session.get(CarePlan, task.care_plan_id)
    if "assignee_id" in values:
        await _assignee(session, principal, values["assignee_id"])
    before = snapshot(task)
    if apply_changes(task, values):
        _finish(task)
        await record_event(
            session, principal, action="care_plan.task.update", record=task, before=before, agency_id=plan.agency_id
        )
    return task


async def link_items(
    session: AsyncSession,
    principal: Principal | None,
    plan_id: int,
    *,
    benefit_assignment_ids: list[int],
    enrollment_ids: list[int],
) -> CarePlan:
    """Puts the participant's benefit assignments and program enrollments under the plan."""
    principal = require(principal, AGENCY_ROLES)
    plan = await _open_plan(session, principal, plan_id, "id")
    case = await session.get(Case, plan.case_id)
    for model, ids, name in (
        (BenefitAssignment, benefit_assignment_ids, "benefitAssignmentIds"),
        (ProgramEnrollment, enrollment_ids, "enrollmentIds"),
    ):
        rows = (
            await session.exec(select(model).where(model.id.in_(ids), model.participant_id == case.participant_id))
        ).all()
        found = {row.id: row for row in rows}
        for index, record_id in enumerate(ids):
            if record_id not in found:
                raise Invalid("Not one of this case's participant's records.", field=f"{name}[{index}]")
        for row in rows:
            before = snapshot(row)
            if apply_changes(row, {"care_plan_id": plan.id}):
                await record_event(
                    session,
                    principal,
                    action="care_plan.link",
                    record=row,
                    before=before,
                    agency_id=plan.agency_id,
                )
    return plan
