"""Queries of clients: agency staff, their own agency's participants only."""

import strawberry

from server.domain.clients import enrollments, participants
from server.graphql.clients.types import Participant, ProgramEnrollment
from server.graphql.context import Info
from server.graphql.mapping import from_model, optional_id, parse_id
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


@strawberry.type
class ClientsQuery:
    @strawberry.field(
        description="Your agency's participants by name; `search` matches names, client ID, phone or email, in "
        "any case and with or without accents. Agency staff."
    )
    async def participants(
        self, info: Info, search: str | None = None, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[Participant] | None:
        page = await run_query(info, participants.list_participants, search=search, first=first, after=after)
        return connection(page, lambda r: from_model(Participant, r))

    @strawberry.field(description="One of your agency's participants. Agency staff.")
    async def participant(self, info: Info, id: strawberry.ID) -> Participant | None:
        return from_model(
            Participant, await run_query(info, lambda s, p: participants.get_participant(s, p, parse_id(id)))
        )

    @strawberry.field(description="Your agency's program enrollments, newest first. Agency staff.")
    async def enrollments(
        self,
        info: Info,
        participant_id: strawberry.ID | None = None,
        program_id: strawberry.ID | None = None,
        active: bool | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[ProgramEnrollment] | None:
        page = await run_query(
            info,
            lambda s, p: enrollments.list_enrollments(
                s,
                p,
                participant_id=optional_id(participant_id, field="participantId"),
                program_id=optional_id(program_id, field="programId"),
                active=active,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(ProgramEnrollment, r))
