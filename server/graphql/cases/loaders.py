"""Loaders of case management: cases, their teams, care plans with goals and tasks, notes and incidents.

Only agency staff reach these. `case` and `care_plan` admit the caller's agency's rows only (the domain's
visibility); the lists are keyed by a participant, case, plan, goal or note the caller already holds."""

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property

from sqlmodel import select
from strawberry.dataloader import DataLoader

from server.domain.cases import notes
from server.domain.cases.care_plans import visible_plans
from server.domain.cases.cases import current_team, visible_cases
from server.domain.cases.models import CarePlan, CarePlanGoal, CarePlanTask, Case, CaseNote, CaseTeamMember, Incident
from server.domain.clients.models import BenefitAssignment, ProgramEnrollment
from server.graphql.loading import AreaLoaders, by_id, by_key


class CasesLoaders(AreaLoaders):
    @cached_property
    def case(self) -> DataLoader:
        return by_id(self.db, Case, where=[visible_cases(self.principal)])

    @cached_property
    def care_plan(self) -> DataLoader:
        return by_id(self.db, CarePlan, where=[visible_plans(self.principal)])

    @cached_property
    def cases_of_participant(self) -> DataLoader:
        return by_key(self.db, Case, Case.participant_id, order=[Case.id.desc()])

    @cached_property
    def team_of_case(self) -> DataLoader:
        return by_key(self.db, CaseTeamMember, CaseTeamMember.case_id, where=[current_team()])

    @cached_property
    def care_plans_of_case(self) -> DataLoader:
        return by_key(self.db, CarePlan, CarePlan.case_id, order=[CarePlan.id.desc()])

    @cached_property
    def care_plans_of_participant(self) -> DataLoader:
        async def load(ids: Sequence[int]) -> list[list[CarePlan]]:
            query = (
                select(CarePlan, Case.participant_id)
                .join(Case, Case.id == CarePlan.case_id)
                .where(Case.participant_id.in_(ids))
                .order_by(CarePlan.id.desc())
            )
            groups: dict[int, list[CarePlan]] = defaultdict(list)
            async with self.db.read() as session:
                for plan, participant_id in (await session.exec(query)).all():
                    groups[participant_id].append(plan)
            return [groups.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def goals_of_plan(self) -> DataLoader:
        return by_key(self.db, CarePlanGoal, CarePlanGoal.care_plan_id)

    @cached_property
    def tasks_of_goal(self) -> DataLoader:
        return by_key(self.db, CarePlanTask, CarePlanTask.goal_id, order=[CarePlanTask.due_date])

    @cached_property
    def assignments_of_plan(self) -> DataLoader:
        return by_key(self.db, BenefitAssignment, BenefitAssignment.care_plan_id)

    @cached_property
    def enrollments_of_plan(self) -> DataLoader:
        return by_key(self.db, ProgramEnrollment, ProgramEnrollment.care_plan_id)

    @cached_property
    def notes_of_participant(self) -> DataLoader:
        """Final notes and the viewer's own drafts (the domain's rule), newest interaction first."""
        return by_key(
            self.db,
            CaseNote,
            CaseNote.participant_id,
            where=[notes.readable_notes(self.principal)],
            order=[CaseNote.interaction_date.desc()],
        )

    @cached_property
    def amendments_of_note(self) -> DataLoader:
        return by_key(self.db, CaseNote, CaseNote.amends_id)

    @cached_property
    def incidents_of_participant(self) -> DataLoader:
        return by_key(self.db, Incident, Incident.participant_id, order=[Incident.occurred_at.desc()])
