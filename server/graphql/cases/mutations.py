"""Mutations of case management. Agency staff only; each is one transaction with its audit event."""

import enum

import strawberry

from server.domain.cases import care_plans, cases, notes
from server.domain.cases.models import CaseStatus as Status
from server.graphql.cases.inputs import (
    CarePlanInput,
    CaseNoteChangeInput,
    CaseNoteInput,
    CaseOpenInput,
    CaseUpdateInput,
    GoalInput,
    IncidentInput,
    MeetingInput,
    TaskInput,
)
from server.graphql.cases.types import (
    CarePlan,
    CarePlanGoal,
    CarePlanTask,
    Case,
    CaseNote,
    CaseStatus,
    Incident,
    Meeting,
)
from server.graphql.context import Info
from server.graphql.mapping import input_values, parse_id, parse_ids
from server.graphql.payloads import payload, payload_type
from server.graphql.runner import run_mutation


@strawberry.enum(description="A step of a care plan's life.")
class CarePlanAction(enum.Enum):
    PROPOSE = "propose"
    REVISE = "revise"
    ACTIVATE = "activate"
    COMPLETE = "complete"
    CANCEL = "cancel"


CasePayload = payload_type(
    "CasePayload",
    "case",
    Case,
    "The case as saved, or the errors that stopped the change.",
    "The case as saved; null on errors.",
)

CarePlanPayload = payload_type(
    "CarePlanPayload",
    "care_plan",
    CarePlan,
    "The care plan as saved, or the errors that stopped the change.",
    "The care plan as saved; null on errors.",
)

CarePlanGoalPayload = payload_type(
    "CarePlanGoalPayload",
    "goal",
    CarePlanGoal,
    "The goal as saved, or the errors that stopped the change.",
    "The goal as saved; null on errors.",
)

CarePlanTaskPayload = payload_type(
    "CarePlanTaskPayload",
    "task",
    CarePlanTask,
    "The task as saved, or the errors that stopped the change.",
    "The task as saved; null on errors.",
)

CaseNotePayload = payload_type(
    "CaseNotePayload",
    "note",
    CaseNote,
    "The note as saved, or the errors that stopped the change.",
    "The note as saved; null on errors.",
)

IncidentPayload = payload_type(
    "IncidentPayload",
    "incident",
    Incident,
    "The incident as saved, or the errors that stopped the change.",
    "The incident as saved; null on errors.",
)

MeetingPayload = payload_type(
    "MeetingPayload",
    "meeting",
    Meeting,
    "The meeting as saved, or the errors that stopped the change.",
    "The meeting as saved; null on errors.",
)


@strawberry.type
class CasesMutation:
    @strawberry.mutation(description="Opens a case for a client from an intake. Agency staff.")
    async def open_case(self, info: Info, input: CaseOpenInput) -> CasePayload:
        result = await run_mutation(info, cases.open_case, input_values(input))
        return payload(CasePayload, result)

    @strawberry.mutation(description="Changes a case's owner or summary. Agency staff.")
    async def update_case(self, info: Info, id: strawberry.ID, input: CaseUpdateInput) -> CasePayload:
        result = await run_mutation(info, lambda s, p: cases.update_case(s, p, parse_id(id), input_values(input)))
        return payload(CasePayload, result)

    @strawberry.mutation(
        description="Moves a case: forward a step, back from monitoring, or closed. Resolving needs every care "
        "plan completed or cancelled. Agency staff."
    )
    async def move_case(
        self, info: Info, id: strawberry.ID, status: CaseStatus, expected_version: int | None = None
    ) -> CasePayload:
        result = await run_mutation(
            info,
            lambda s, p: cases.move_case(s, p, parse_id(id), Status(status.value), expected_version=expected_version),
        )
        return payload(CasePayload, result)

    @strawberry.mutation(description="Adds a caseworker to a case's team. Agency staff.")
    async def add_case_team_member(self, info: Info, case_id: strawberry.ID, user_id: strawberry.ID) -> CasePayload:
        result = await run_mutation(
            info,
            lambda s, p: cases.add_team_member(
                s, p, parse_id(case_id, field="caseId"), parse_id(user_id, field="userId")
            ),
        )
        return payload(CasePayload, result)

    @strawberry.mutation(
        description="Takes a caseworker off a case's team (the membership is kept, ended). Agency staff."
    )
    async def remove_case_team_member(self, info: Info, case_id: strawberry.ID, user_id: strawberry.ID) -> CasePayload:
        result = await run_mutation(
            info,
            lambda s, p: cases.remove_team_member(
                s, p, parse_id(case_id, field="caseId"), parse_id(user_id, field="userId")
            ),
        )
        return payload(CasePayload, result)

    @strawberry.mutation(description="Drafts a care plan for a case. Agency staff.")
    async def create_care_plan(self, info: Info, input: CarePlanInput) -> CarePlanPayload:
        result = await run_mutation(info, care_plans.create_plan, input_values(input))
        return payload(CarePlanPayload, result)

    @strawberry.mutation(
        description="Proposes, revises (back to draft), activates, completes or cancels a care plan. Agency staff."
    )
    async def move_care_plan(self, info: Info, id: strawberry.ID, action: CarePlanAction) -> CarePlanPayload:
        result = await run_mutation(info, lambda s, p: care_plans.move_plan(s, p, parse_id(id), action.value))
        return payload(CarePlanPayload, result)

    @strawberry.mutation(
        description="Puts benefit assignments and program enrollments of the case's participant under an open care "
        "plan. Agency staff."
    )
    async def link_care_plan_items(
        self,
        info: Info,
        id: strawberry.ID,
        benefit_assignment_ids: list[strawberry.ID] | None = None,
        enrollment_ids: list[strawberry.ID] | None = None,
    ) -> CarePlanPayload:
        result = await run_mutation(
            info,
            lambda s, p: care_plans.link_items(
                s,
                p,
                parse_id(id),
                benefit_assignment_ids=parse_ids(benefit_assignment_ids, field="benefitAssignmentIds") or [],
                enrollment_ids=parse_ids(enrollment_ids, field="enrollmentIds") or [],
            ),
        )
        return payload(CarePlanPayload, result)

    @strawberry.mutation(description="Adds a goal to an open care plan. Agency staff.")
    async def add_care_plan_goal(
        self, info: Info, care_plan_id: strawberry.ID, input: GoalInput
    ) -> CarePlanGoalPayload:
        result = await run_mutation(
            info,
            care_plans.add_goal,
            {"care_plan_id": care_plan_id, **input_values(input)},
        )
        return payload(CarePlanGoalPayload, result)

    @strawberry.mutation(description="Changes a goal (status, progress, target date…). Agency staff.")
    async def update_care_plan_goal(self, info: Info, id: strawberry.ID, input: GoalInput) -> CarePlanGoalPayload:
        result = await run_mutation(info, lambda s, p: care_plans.update_goal(s, p, parse_id(id), input_values(input)))
        return payload(CarePlanGoalPayload, result)

    @strawberry.mutation(description="Adds a task under a goal. Agency staff.")
    async def add_care_plan_task(self, info: Info, goal_id: strawberry.ID, input: TaskInput) -> CarePlanTaskPayload:
        result = await run_mutation(info, care_plans.add_task, {"goal_id": goal_id, **input_values(input)})
        return payload(CarePlanTaskPayload, result)

    @strawberry.mutation(description="Changes a task (status, due date, assignee…). Agency staff.")
    async def update_care_plan_task(self, info: Info, id: strawberry.ID, input: TaskInput) -> CarePlanTaskPayload:
        result = await run_mutation(info, lambda s, p: care_plans.update_task(s, p, parse_id(id), input_values(input)))
        return payload(CarePlanTaskPayload, result)

    @strawberry.mutation(description="Writes a case note (a draft unless `final`). Agency staff.")
    async def write_case_note(self, info: Info, input: CaseNoteInput) -> CaseNotePayload:
        result = await run_mutation(info, notes.write_note, input_values(input))
        return payload(CaseNotePayload, result)

    @strawberry.mutation(description="Edits your own draft note. Agency staff.")
    async def update_case_note(self, info: Info, id: strawberry.ID, input: CaseNoteChangeInput) -> CaseNotePayload:
        result = await run_mutation(info, lambda s, p: notes.update_draft(s, p, parse_id(id), input_values(input)))
        return payload(CaseNotePayload, result)

    @strawberry.mutation(
        description="Makes your draft note final; from then on it is corrected by amendment only. Agency staff."
    )
    async def finalize_case_note(self, info: Info, id: strawberry.ID) -> CaseNotePayload:
        result = await run_mutation(info, lambda s, p: notes.finalize_note(s, p, parse_id(id)))
        return payload(CaseNotePayload, result)

    @strawberry.mutation(
        description="Amends a final note: a new final note pointing at it; the original stays. Agency staff."
    )
    async def amend_case_note(self, info: Info, id: strawberry.ID, input: CaseNoteChangeInput) -> CaseNotePayload:
        result = await run_mutation(info, lambda s, p: notes.amend_note(s, p, parse_id(id), input_values(input)))
        return payload(CaseNotePayload, result)

    @strawberry.mutation(description="Reports an incident involving a client. Agency staff.")
    async def report_incident(self, info: Info, input: IncidentInput) -> IncidentPayload:
        result = await run_mutation(info, notes.report_incident, input_values(input))
        return payload(IncidentPayload, result)

    @strawberry.mutation(description="Schedules your meeting with a client. Agency staff.")
    async def schedule_meeting(self, info: Info, input: MeetingInput) -> MeetingPayload:
        result = await run_mutation(info, notes.schedule_meeting, input_values(input))
        return payload(MeetingPayload, result)
