"""Queries of case management. Agency staff only; providers are refused (FORBIDDEN)."""

from typing import Annotated

import strawberry

from server.domain.cases import care_plans, cases, my_day, notes
from server.domain.cases.models import CaseStatus as Status
from server.domain.clients import participants
from server.graphql.cases.inputs import CaseFilter
from server.graphql.cases.types import (
    CarePlan,
    CarePlanTask,
    Case,
    CaseNote,
    ClientSession,
    FollowUp,
    FollowUpReason,
    Incident,
    Meeting,
    MyDay,
)
from server.graphql.clients.types import Participant
from server.graphql.context import Info
from server.graphql.delivery.types import BenefitSession
from server.graphql.mapping import from_model, optional_id, parse_id
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


@strawberry.type
class CasesQuery:
    @strawberry.field(description="Your agency's cases, newest first. Agency staff.")
    async def cases(
        self, info: Info, filter: CaseFilter | None = None, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[Case] | None:
        f = filter or CaseFilter()
        page = await run_query(
            info,
            lambda s, p: cases.list_cases(
                s,
                p,
                participant_id=optional_id(f.participant_id, field="filter.participantId"),
                owner_id=optional_id(f.owner_id, field="filter.ownerId"),
                statuses=[Status(x.value) for x in f.statuses] if f.statuses else None,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(Case, r))

    @strawberry.field(description="One case of your agency. Agency staff.")
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        return from_model(Case, await run_query(info, lambda s, p: cases.get_case(s, p, parse_id(id))))

    @strawberry.field(description="One care plan of your agency. Agency staff.")
    async def care_plan(self, info: Info, id: strawberry.ID) -> CarePlan | None:
        return from_model(CarePlan, await run_query(info, lambda s, p: care_plans.get_plan(s, p, parse_id(id))))

    @strawberry.field(
        description="Your agency's case notes, newest interaction first: final ones, and your own drafts. Agency staff."
    )
    async def case_notes(
        self,
        info: Info,
        participant_id: strawberry.ID | None = None,
        case_id: strawberry.ID | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[CaseNote] | None:
        page = await run_query(
            info,
            lambda s, p: notes.list_notes(
                s,
                p,
                participant_id=optional_id(participant_id, field="participantId"),
                case_id=optional_id(case_id, field="caseId"),
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(CaseNote, r))

    @strawberry.field(description="Your agency's incidents, latest first. Agency staff.")
    async def incidents(
        self,
        info: Info,
        participant_id: strawberry.ID | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Incident] | None:
        page = await run_query(
            info,
            lambda s, p: notes.list_incidents(
                s, p, participant_id=optional_id(participant_id, field="participantId"), first=first, after=after
            ),
        )
        return connection(page, lambda r: from_model(Incident, r))

    @strawberry.field(
        description="Client search across every text field (names, client ID, phone, email, address, alerts); "
        "a name or client ID match comes first, then by last and first name. Agency staff."
    )
    async def client_search(
        self,
        info: Info,
        search: Annotated[str, strawberry.argument(description="Words to find, in any case; blank finds no one.")],
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Participant] | None:
        page = await run_query(info, participants.search_clients, search, first=first, after=after)
        return connection(page, lambda r: from_model(Participant, r))

    @strawberry.field(
        description="Your day: your clients' sessions today, your meetings, your open tasks due today, tomorrow "
        "or overdue, recent incidents, and the follow-up queue with its reasons. Agency staff."
    )
    async def my_day(self, info: Info) -> MyDay | None:
        found = await run_query(info, my_day.my_day)
        tasks = lambda rows: [from_model(CarePlanTask, t) for t in rows]  # noqa: E731
        return MyDay(
            day=found.day,
            sessions=[
                ClientSession(session=from_model(BenefitSession, s), participant_id=p) for s, p in found.sessions
            ],
            meetings=[from_model(Meeting, m) for m in found.meetings],
            overdue_tasks=tasks(found.overdue_tasks),
            tasks_today=tasks(found.tasks_today),
            tasks_tomorrow=tasks(found.tasks_tomorrow),
            incidents=[from_model(Incident, i) for i in found.incidents],
            follow_ups=[
                FollowUp(
                    participant_id=f.participant_id,
                    reasons=[FollowUpReason(r) for r in f.reasons],
                    consecutive_absences=f.consecutive_absences,
                    last_interaction=f.last_interaction,
                )
                for f in found.follow_ups
            ],
        )
