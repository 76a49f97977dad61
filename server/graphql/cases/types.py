"""GraphQL types of case management: cases, care plans, goals, tasks, notes, incidents, meetings, my day."""

import enum
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain.cases import models
from server.graphql.context import Info
from server.graphql.fields import local_time
from server.graphql.mapping import from_model
from server.graphql.referrals.types import ReferralStatus

if TYPE_CHECKING:
    from server.graphql.clients.types import BenefitAssignment, Participant, ProgramEnrollment
    from server.graphql.delivery.types import BenefitSession

CLIENTS = "server.graphql.clients.types"
CaseStatus = strawberry.enum(models.CaseStatus, description="Where a case stands, from intake to closed.")
IntakeSource = strawberry.enum(models.IntakeSource, description="How the case came in.")
CarePlanStatus = strawberry.enum(models.CarePlanStatus, description="Where a care plan stands.")
GoalStatus = strawberry.enum(models.GoalStatus, description="Where a goal stands.")
TaskStatus = strawberry.enum(models.TaskStatus, description="Where a task stands.")
NoteType = strawberry.enum(models.NoteType, description="What kind of interaction a note records.")
NoteStatus = strawberry.enum(models.NoteStatus, description="A draft (its author edits it) or final (amended only).")
IncidentSeverity = strawberry.enum(models.IncidentSeverity, description="How serious an incident is.")


async def _name(info: Info, user_id: int | None) -> str | None:
    return None if user_id is None else (await info.context.loaders.user.load(user_id)).full_name


async def _participant(info: Info, participant_id: int) -> "Participant":
    from server.graphql.clients.types import Participant

    return from_model(Participant, await info.context.loaders.participant.load(participant_id))


@strawberry.type(description="A caseworker on a case's team.")
class CaseTeamMember:
    record: strawberry.Private[models.CaseTeamMember]

    @strawberry.field(description="The user's id.")
    def user_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.user_id))

    @strawberry.field(description="Their name.")
    async def name(self, info: Info) -> str:
        return await _name(info, self.record.user_id)

    added_at = local_time("added_at", "When they joined, in your time zone.")


@strawberry.type(description="A provider a case's client was referred to, with the referral's status.")
class CaseProvider:
    referral_id: strawberry.ID = strawberry.field(description="The referral's id.")
    provider_name: str = strawberry.field(description="The provider's name.")
    referral_status: ReferralStatus = strawberry.field(description="Where the referral stands.")


@strawberry.type(description="A task under a care plan's goal.")
class CarePlanTask:
    record: strawberry.Private[models.CarePlanTask]
    id: strawberry.ID = strawberry.field(description="The task's id.")
    title: str = strawberry.field(description="What to do.")
    due_date: date | None = strawberry.field(description="When it is due.")
    status: TaskStatus = strawberry.field(description="Where it stands.")

    @strawberry.field(description="Who does it.")
    async def assignee_name(self, info: Info) -> str | None:
        return await _name(info, self.record.assignee_id)

    completed_at = local_time("completed_at", "When it was done, in your time zone.", optional=True)


@strawberry.type(description="A goal of a care plan.")
class CarePlanGoal:
    record: strawberry.Private[models.CarePlanGoal]
    id: strawberry.ID = strawberry.field(description="The goal's id.")
    name: str = strawberry.field(description="The goal.")
    description: str | None = strawberry.field(description="More about it.")
    status: GoalStatus = strawberry.field(description="Where it stands.")
    target_date: date | None = strawberry.field(description="When it should be reached.")
    progress: int = strawberry.field(description="How far along, in percent.")

    @strawberry.field(description="Its tasks, by due date.")
    async def tasks(self, info: Info) -> list[CarePlanTask]:
        return [from_model(CarePlanTask, t) for t in await info.context.loaders.tasks_of_goal.load(self.record.id)]


@strawberry.type(description="A care plan of a case: goals, tasks, and the benefits and enrollments it covers.")
class CarePlan:
    record: strawberry.Private[models.CarePlan]
    id: strawberry.ID = strawberry.field(description="The care plan's id.")
    name: str = strawberry.field(description="Its name.")
    status: CarePlanStatus = strawberry.field(description="Where it stands.")
    start_date: date | None = strawberry.field(description="When it starts.")
    end_date: date | None = strawberry.field(description="When it ends.")
    version: int = strawberry.field(description="Changes with every status change.")

    @strawberry.field(description="The case it belongs to.")
    def case_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.case_id))

    @strawberry.field(description="Its goals.")
    async def goals(self, info: Info) -> list[CarePlanGoal]:
        return [from_model(CarePlanGoal, g) for g in await info.context.loaders.goals_of_plan.load(self.record.id)]

    @strawberry.field(description="The benefit assignments it covers.")
    async def benefit_assignments(self, info: Info) -> list[Annotated["BenefitAssignment", strawberry.lazy(CLIENTS)]]:
        from server.graphql.clients.types import BenefitAssignment

        rows = await info.context.loaders.assignments_of_plan.load(self.record.id)
        return [from_model(BenefitAssignment, row) for row in rows]

    @strawberry.field(description="The program enrollments it covers.")
    async def enrollments(self, info: Info) -> list[Annotated["ProgramEnrollment", strawberry.lazy(CLIENTS)]]:
        from server.graphql.clients.types import ProgramEnrollment

        rows = await info.context.loaders.enrollments_of_plan.load(self.record.id)
        return [from_model(ProgramEnrollment, row) for row in rows]


@strawberry.type(description="A client's case, from intake to resolution.")
class Case:
    record: strawberry.Private[models.Case]
    id: strawberry.ID = strawberry.field(description="The case's id.")
    status: CaseStatus = strawberry.field(description="Where it stands.")
    intake_source: IntakeSource = strawberry.field(description="How it came in.")
    summary: str | None = strawberry.field(description="The intake's summary.")
    opened_on: date = strawberry.field(description="When it was opened.")
    resolved_on: date | None = strawberry.field(description="When it was resolved.")
    closed_on: date | None = strawberry.field(description="When it was closed.")
    version: int = strawberry.field(description="Changes with every change; pass it as expectedVersion.")

    @strawberry.field(description="The client.")
    async def participant(self, info: Info) -> Annotated["Participant", strawberry.lazy(CLIENTS)]:
        return await _participant(info, self.record.participant_id)

    @strawberry.field(description="The caseworker who owns it.")
    async def owner_name(self, info: Info) -> str:
        return await _name(info, self.record.owner_id)

    @strawberry.field(description="The owner's user id.")
    def owner_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.owner_id))

    @strawberry.field(description="The other caseworkers on it.")
    async def team(self, info: Info) -> list[CaseTeamMember]:
        return [from_model(CaseTeamMember, m) for m in await info.context.loaders.team_of_case.load(self.record.id)]

    @strawberry.field(
        description="The providers the client was referred to (referrals sent), with each referral's status."
    )
    async def providers(self, info: Info) -> list[CaseProvider]:
        referrals = await info.context.loaders.sent_referrals_of_participant.load(self.record.participant_id)
        providers = await info.context.loaders.provider.load_many([r.provider_id for r in referrals])
        return [
            CaseProvider(referral_id=strawberry.ID(str(r.id)), provider_name=p.name, referral_status=r.status)
            for r, p in zip(referrals, providers, strict=True)
        ]

    @strawberry.field(description="Its care plans, newest first.")
    async def care_plans(self, info: Info) -> list[CarePlan]:
        return [from_model(CarePlan, p) for p in await info.context.loaders.care_plans_of_case.load(self.record.id)]


@strawberry.type(description="A case note. A final note is corrected by amendment (a new note), never edited.")
class CaseNote:
    record: strawberry.Private[models.CaseNote]
    id: strawberry.ID = strawberry.field(description="The note's id.")
    subject: str = strawberry.field(description="Its subject.")
    text: str = strawberry.field(description="What happened.")
    interaction_date: date = strawberry.field(description="When the interaction took place.")
    minutes_spent: int = strawberry.field(description="Minutes spent.")
    note_type: NoteType = strawberry.field(description="What kind of interaction.")
    status: NoteStatus = strawberry.field(description="Draft or final.")

    @strawberry.field(description="The note this one amends, if it is an amendment.")
    def amends_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.record.amends_id)) if self.record.amends_id else None

    @strawberry.field(description="Who wrote it.")
    async def author_name(self, info: Info) -> str:
        return await _name(info, self.record.author_id)

    finalized_at = local_time("finalized_at", "When it was made final, in your time zone.", optional=True)

    @strawberry.field(description="The amendments made to it, oldest first.")
    async def amendments(self, info: Info) -> list["CaseNote"]:
        return [from_model(CaseNote, n) for n in await info.context.loaders.amendments_of_note.load(self.record.id)]


@strawberry.type(description="An incident involving a client.")
class Incident:
    record: strawberry.Private[models.Incident]
    id: strawberry.ID = strawberry.field(description="The incident's id.")
    incident_type: str = strawberry.field(description="What kind of incident.")
    severity: IncidentSeverity = strawberry.field(description="How serious.")
    location: str | None = strawberry.field(description="Where.")
    description: str = strawberry.field(description="What happened.")

    occurred_at = local_time("occurred_at", "When it happened, in your time zone.")

    @strawberry.field(description="The client involved.")
    async def participant(self, info: Info) -> Annotated["Participant", strawberry.lazy(CLIENTS)]:
        return await _participant(info, self.record.participant_id)

    @strawberry.field(description="Who reported it.")
    async def reported_by_name(self, info: Info) -> str:
        return await _name(info, self.record.reported_by_id)


@strawberry.type(description="A caseworker's meeting with a client.")
class Meeting:
    record: strawberry.Private[models.Meeting]
    id: strawberry.ID = strawberry.field(description="The meeting's id.")
    subject: str = strawberry.field(description="What it is about.")
    location: str | None = strawberry.field(description="Where.")

    starts_at = local_time("starts_at", "When it starts, in your time zone.")

    ends_at = local_time("ends_at", "When it ends, in your time zone.")

    @strawberry.field(description="The client.")
    async def participant(self, info: Info) -> Annotated["Participant", strawberry.lazy(CLIENTS)]:
        return await _participant(info, self.record.participant_id)


@strawberry.enum(description="Why a client is in the follow-up queue.")
class FollowUpReason(enum.Enum):
    MISSED_LAST_SESSION = "MISSED_LAST_SESSION"
    CONSECUTIVE_ABSENCES = "CONSECUTIVE_ABSENCES"
    NO_RECENT_INTERACTION = "NO_RECENT_INTERACTION"


@strawberry.type(description="A client who may need a follow-up, and why.")
class FollowUp:
    participant_id: strawberry.Private[int]
    reasons: list[FollowUpReason] = strawberry.field(description="Every reason that applies.")
    consecutive_absences: int = strawberry.field(description="Absences in a row since they last came.")
    last_interaction: date | None = strawberry.field(
        description="The last final note, disbursement (not voided) or referral update."
    )

    @strawberry.field(description="The client.")
    async def participant(self, info: Info) -> Annotated["Participant", strawberry.lazy(CLIENTS)]:
        return await _participant(info, self.participant_id)


@strawberry.type(description="A session today that one of your clients is enrolled in.")
class ClientSession:
    session: Annotated["BenefitSession", strawberry.lazy("server.graphql.delivery.types")] = strawberry.field(
        description="The session."
    )
    participant_id: strawberry.Private[int]

    @strawberry.field(description="Your client enrolled in it.")
    async def participant(self, info: Info) -> Annotated["Participant", strawberry.lazy(CLIENTS)]:
        return await _participant(info, self.participant_id)


@strawberry.type(description="The signed-in caseworker's day.")
class MyDay:
    day: date = strawberry.field(description="Today, in your time zone.")
    sessions: list[ClientSession] = strawberry.field(description="Today's sessions of your clients.")
    meetings: list[Meeting] = strawberry.field(description="Your meetings today.")
    overdue_tasks: list[CarePlanTask] = strawberry.field(description="Your open tasks past their due date.")
    tasks_today: list[CarePlanTask] = strawberry.field(description="Your open tasks due today.")
    tasks_tomorrow: list[CarePlanTask] = strawberry.field(description="Your open tasks due tomorrow.")
    incidents: list[Incident] = strawberry.field(description="Your clients' incidents of the past week, latest first.")
    follow_ups: list[FollowUp] = strawberry.field(description="Your clients who may need a follow-up, and why.")
