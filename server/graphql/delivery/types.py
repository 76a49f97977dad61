"""GraphQL types of benefit schedules and sessions. Session times are shown in the schedule's time zone."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import strawberry

from server.domain.delivery import attendance, models, recurrence
from server.graphql.context import Info
from server.graphql.delivery.disbursement_types import AttendanceMark, BenefitDisbursement
from server.graphql.fields import local_time
from server.graphql.mapping import from_model, to_id
from server.graphql.network.types import Facility
from server.graphql.referrals.types import SharedParticipant, shared_participant

ApprovalStatus = strawberry.enum(models.ApprovalStatus, description="Where a schedule's approval stands.")
SessionStatus = strawberry.enum(models.SessionStatus, description="Where a session stands.")
Frequency = strawberry.enum(recurrence.Frequency, description="How often a schedule's sessions repeat.")
Weekday = strawberry.enum(recurrence.Weekday, description="A day of the week (iCalendar codes).")


@strawberry.type(description="One session of a benefit schedule.")
class BenefitSession:
    record: strawberry.Private[models.BenefitSession]
    id: strawberry.ID = strawberry.field(description="The session's id.")
    status: SessionStatus = strawberry.field(description="Where it stands.")
    status_note: str | None = strawberry.field(description="Why it was cancelled or postponed.")

    @strawberry.field(description="When it starts, in the schedule's time zone.")
    async def starts_at(self, info: Info) -> datetime:
        return await self._local(info, self.record.starts_at)

    @strawberry.field(description="When it ends, in the schedule's time zone.")
    async def ends_at(self, info: Info) -> datetime:
        return await self._local(info, self.record.ends_at)

    @strawberry.field(description="The session that replaces this one, when it was postponed.")
    def rescheduled_to_id(self) -> strawberry.ID | None:
        return to_id(self.record.rescheduled_to_id)

    @strawberry.field(
        description="Its roster's length, whatever its status: everyone enrolled on its date, and anyone whose "
        "attendance was recorded there."
    )
    async def enrolled_count(self, info: Info) -> int:
        return await info.context.loaders.enrolled_in_session.load(self.record.id)

    @strawberry.field(description="The schedule it belongs to.")
    async def schedule(self, info: Info) -> "BenefitSchedule":
        return from_model(BenefitSchedule, await info.context.loaders.schedule.load(self.record.schedule_id))

    async def _local(self, info: Info, moment: datetime) -> datetime:
        schedule = await info.context.loaders.schedule.load(self.record.schedule_id)
        return moment.astimezone(ZoneInfo(schedule.time_zone))


@strawberry.type(description="A session a schedule would create (a preview: nothing is saved).")
class SessionPreview:
    starts_at: datetime = strawberry.field(description="When it would start, in the schedule's time zone.")
    ends_at: datetime = strawberry.field(description="When it would end, in the schedule's time zone.")


@strawberry.type(description="A provider's plan to deliver a benefit at one facility, approved by the agency.")
class BenefitSchedule:
    record: strawberry.Private[models.BenefitSchedule]
    id: strawberry.ID = strawberry.field(description="The schedule's id.")
    name: str = strawberry.field(description="What the provider calls it.")
    first_start: datetime = strawberry.field(
        description="The first session's start: wall-clock time in the schedule's time zone."
    )
    first_end: datetime = strawberry.field(
        description="The first session's end: wall-clock time in the schedule's time zone."
    )
    time_zone: str = strawberry.field(description="The facility's IANA time zone; sessions keep its local time.")
    frequency: Frequency = strawberry.field(description="How often sessions repeat.")
    interval: int = strawberry.field(description="Every how many days, weeks or months.")
    month_day: int | None = strawberry.field(description="Monthly: the day of the month.")
    month_week: int | None = strawberry.field(description="Monthly: the week of the month (1 to 5, -1 for last).")
    until: date | None = strawberry.field(description="The last day sessions may fall on.")
    count: int | None = strawberry.field(description="How many sessions, when not bounded by a date.")
    capacity: int = strawberry.field(description="The most participants a session takes.")
    default_quantity: Decimal = strawberry.field(description="Units delivered per attendance.")
    approval_status: ApprovalStatus = strawberry.field(description="Where the agency's approval stands.")
    reviewer_note: str | None = strawberry.field(description="The agency's note on approval or rejection.")

    @strawberry.field(description="Weekly: the days; monthly by week: the one weekday.")
    def weekdays(self) -> list[Weekday]:
        return [recurrence.Weekday(d) for d in self.record.weekdays]

    @strawberry.field(description="The facility where sessions happen.")
    async def facility(self, info: Info) -> Facility:
        return from_model(Facility, await info.context.loaders.facility.load(self.record.facility_id))

    @strawberry.field(description="The benefit delivered.")
    async def benefit_name(self, info: Info) -> str:
        return (await info.context.loaders.benefit.load(self.record.benefit_id)).name

    submitted_at = local_time("submitted_at", "When it was submitted for approval, in your time zone.", optional=True)

    reviewed_at = local_time("reviewed_at", "When the agency decided, in your time zone.", optional=True)

    @strawberry.field(
        description="Places left for someone enrolling from today: capacity less the fullest upcoming session "
        "(null when no session is left)."
    )
    async def places_left(self, info: Info) -> int | None:
        fullest = await info.context.loaders.fullest_upcoming_of_schedule.load(self.record.id)
        return None if fullest is None else max(self.record.capacity - fullest, 0)

    @strawberry.field(description="The id of the benefit delivered.")
    def benefit_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.benefit_id))

    @strawberry.field(description="The id of the code set that bills its deliveries.")
    def code_set_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.code_set_id))

    @strawberry.field(description="Changes with every change of its approval; pass it as expectedVersion.")
    def version(self) -> int:
        return self.record.version

    @strawberry.field(description="Its sessions (made on approval), by start time.")
    async def sessions(self, info: Info) -> list[BenefitSession]:
        rows = await info.context.loaders.sessions_of_schedule.load(self.record.id)
        return [from_model(BenefitSession, row) for row in rows]


ScheduleAssignmentStatus = strawberry.enum(
    models.ScheduleAssignmentStatus, description="Enrolled in a schedule's sessions, waitlisted, or withdrawn."
)


@strawberry.type(
    description="A schedule assignment: a participant enrolled into (or waitlisted for) a schedule from a date, or "
    "one session."
)
class ScheduleAssignment:
    record: strawberry.Private[models.ScheduleAssignment]
    id: strawberry.ID = strawberry.field(description="The schedule assignment's id.")
    status: ScheduleAssignmentStatus = strawberry.field(description="Enrolled, waitlisted past capacity, or withdrawn.")
    from_date: date = strawberry.field(description="The first day it counts, in the schedule's time zone.")

    @strawberry.field(description="The referral it serves.")
    def referral_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.referral_id))

    @strawberry.field(description="The schedule.")
    async def schedule(self, info: Info) -> BenefitSchedule:
        return from_model(BenefitSchedule, await info.context.loaders.schedule.load(self.record.schedule_id))

    @strawberry.field(description="The one session, when enrolled into a single session.")
    async def session(self, info: Info) -> BenefitSession | None:
        if self.record.session_id is None:
            return None
        return from_model(BenefitSession, await info.context.loaders.session.load(self.record.session_id))

    @strawberry.field(description="The participant as the referral shows them to its provider.")
    async def participant(self, info: Info) -> SharedParticipant:
        return await shared_participant(info, await info.context.loaders.referral.load(self.record.referral_id))


@strawberry.type(description="One person on a session's roster and the attendance recorded for them.")
class RosterLine:
    line: strawberry.Private[attendance.RosterLine]

    @strawberry.field(description="The participant's id (what attendance marks name).")
    def participant_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.line.participant_id))

    @strawberry.field(description="Present, absent or excused; null until attendance is taken.")
    def mark(self) -> AttendanceMark | None:
        return self.line.mark

    @strawberry.field(description="The participant as their referral shows them to the provider.")
    async def participant(self, info: Info) -> SharedParticipant:
        referral_id = (self.line.assignment or self.line.disbursement).referral_id
        return await shared_participant(info, await info.context.loaders.referral.load(referral_id))

    @strawberry.field(description="The disbursement this line became, once attendance is taken.")
    def disbursement(self) -> BenefitDisbursement | None:
        found = self.line.disbursement
        return from_model(BenefitDisbursement, found) if found is not None else None


@strawberry.type(description="A session and everyone enrolled on its date.")
class Roster:
    session: BenefitSession = strawberry.field(description="The session.")
    lines: list[RosterLine] = strawberry.field(description="One line per participant, in enrollment order.")
    capacity: int = strawberry.field(description="The most participants the session takes.")
