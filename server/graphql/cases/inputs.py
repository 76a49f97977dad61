"""GraphQL inputs of case management."""

from datetime import date, datetime

import strawberry
from strawberry import UNSET

from server.graphql.cases.types import CaseStatus, GoalStatus, IncidentSeverity, IntakeSource, NoteType, TaskStatus


@strawberry.input(description="A new case, from an intake.")
class CaseOpenInput:
    participant_id: strawberry.ID = strawberry.field(description="The client.")
    intake_source: IntakeSource = strawberry.field(description="How it came in.")
    owner_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The owner; you when left out.")
    summary: str | None = strawberry.field(default=UNSET, description="The intake's summary.")
    opened_on: date | None = strawberry.field(default=UNSET, description="When it was opened; today when left out.")


@strawberry.input(description="Changes to a case; only the fields given change.")
class CaseUpdateInput:
    owner_id: strawberry.ID | None = strawberry.field(default=UNSET, description="A new owner.")
    summary: str | None = strawberry.field(default=UNSET, description="The summary.")


@strawberry.input(description="Narrows the cases listed.")
class CaseFilter:
    participant_id: strawberry.ID | None = strawberry.field(default=None, description="Of this client.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Owned by this caseworker.")
    statuses: list[CaseStatus] | None = strawberry.field(default=None, description="In these statuses.")


@strawberry.input(description="A new care plan for a case.")
class CarePlanInput:
    case_id: strawberry.ID = strawberry.field(description="The case.")
    name: str = strawberry.field(description="Its name.")
    start_date: date | None = strawberry.field(default=UNSET, description="When it starts.")
    end_date: date | None = strawberry.field(default=UNSET, description="When it ends.")


@strawberry.input(description="A goal of a care plan; on update, only the fields given change.")
class GoalInput:
    name: str | None = strawberry.field(default=UNSET, description="The goal (required when adding).")
    description: str | None = strawberry.field(default=UNSET, description="More about it.")
    target_date: date | None = strawberry.field(default=UNSET, description="When it should be reached.")
    status: GoalStatus | None = strawberry.field(default=UNSET, description="Where it stands.")
    progress: int | None = strawberry.field(default=UNSET, description="How far along, 0 to 100 percent.")


@strawberry.input(description="A task under a goal; on update, only the fields given change.")
class TaskInput:
    title: str | None = strawberry.field(default=UNSET, description="What to do (required when adding).")
    due_date: date | None = strawberry.field(default=UNSET, description="When it is due.")
    assignee_id: strawberry.ID | None = strawberry.field(default=UNSET, description="Who does it.")
    status: TaskStatus | None = strawberry.field(default=UNSET, description="Where it stands.")


@strawberry.input(description="A case note.")
class CaseNoteInput:
    participant_id: strawberry.ID = strawberry.field(description="The client.")
    case_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The case, if any.")
    subject: str = strawberry.field(description="Its subject.")
    text: str = strawberry.field(description="What happened.")
    interaction_date: date = strawberry.field(description="When the interaction took place.")
    minutes_spent: int | None = strawberry.field(default=UNSET, description="Minutes spent (0 to 1440).")
    note_type: NoteType = strawberry.field(description="What kind of interaction.")
    final: bool | None = strawberry.field(default=UNSET, description="Save it final at once (default: draft).")


@strawberry.input(description="Changes to a draft note, or what an amendment says; only the fields given count.")
class CaseNoteChangeInput:
    subject: str | None = strawberry.field(default=UNSET, description="Its subject.")
    text: str | None = strawberry.field(default=UNSET, description="What happened (required to amend).")
    interaction_date: date | None = strawberry.field(default=UNSET, description="When it took place.")
    minutes_spent: int | None = strawberry.field(default=UNSET, description="Minutes spent.")
    note_type: NoteType | None = strawberry.field(default=UNSET, description="What kind of interaction.")


@strawberry.input(description="An incident involving a client.")
class IncidentInput:
    participant_id: strawberry.ID = strawberry.field(description="The client involved.")
    case_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The case, if any.")
    occurred_at: datetime = strawberry.field(description="When it happened, with its offset.")
    incident_type: str = strawberry.field(description="What kind, e.g. Fall, Conflict, Medical.")
    severity: IncidentSeverity = strawberry.field(description="How serious.")
    location: str | None = strawberry.field(default=UNSET, description="Where.")
    description: str = strawberry.field(description="What happened.")


@strawberry.input(description="A meeting with a client.")
class MeetingInput:
    participant_id: strawberry.ID = strawberry.field(description="The client.")
    case_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The case, if any.")
    starts_at: datetime = strawberry.field(description="When it starts, with its offset.")
    ends_at: datetime = strawberry.field(description="When it ends, with its offset.")
    subject: str = strawberry.field(description="What it is about.")
    location: str | None = strawberry.field(default=UNSET, description="Where.")
