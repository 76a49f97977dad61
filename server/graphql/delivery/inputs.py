"""GraphQL inputs of schedules, enrollment into them, attendance and disbursements."""

from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry import UNSET

from server.graphql.delivery.disbursement_types import AttendanceMark, DisbursementStatus, RecipientType
from server.graphql.delivery.types import ApprovalStatus, Frequency, Weekday


@strawberry.input(
    description="A benefit schedule. Times are local wall-clock times (no offset) in `timeZone`. Example: "
    "Mondays, Wednesdays and Fridays 9:00 to 12:00 for 12 weeks is frequency WEEKLY, weekdays [MO, WE, FR], "
    "count 36."
)
class BenefitScheduleInput:
    facility_id: strawberry.ID = strawberry.field(description="One of your provider's facilities.")
    benefit_id: strawberry.ID = strawberry.field(description="A benefit referred to your provider.")
    code_set_id: strawberry.ID = strawberry.field(description="A code set that bills the benefit.")
    name: str = strawberry.field(description="What you call it, e.g. Grief group, mornings.")
    first_start: datetime = strawberry.field(description="The first session's local start, e.g. 2026-12-07T09:00.")
    first_end: datetime = strawberry.field(description="The first session's local end.")
    time_zone: str = strawberry.field(description="The facility's IANA time zone, e.g. America/Chicago.")
    frequency: Frequency = strawberry.field(description="How often sessions repeat.")
    capacity: int = strawberry.field(description="The most participants per session.")
    default_quantity: Decimal = strawberry.field(description="Units delivered per attendance.")
    interval: int | None = strawberry.field(
        default=UNSET, description="Every how many days, weeks or months; 1 unless given."
    )
    weekdays: list[Weekday] | None = strawberry.field(
        default=UNSET, description="Weekly: the days; monthly by week: the weekday."
    )
    month_day: int | None = strawberry.field(default=UNSET, description="Monthly: the day of the month.")
    month_week: int | None = strawberry.field(
        default=UNSET, description="Monthly: the week of the month (1 to 5, -1 last)."
    )
    until: date | None = strawberry.field(default=UNSET, description="The last day sessions may fall on.")
    count: int | None = strawberry.field(default=UNSET, description="How many sessions, instead of until.")


@strawberry.input(description="Narrows the schedules listed.")
class BenefitScheduleFilter:
    statuses: list[ApprovalStatus] | None = strawberry.field(default=None, description="Only in these statuses.")
    facility_id: strawberry.ID | None = strawberry.field(default=None, description="Only at this facility.")


@strawberry.input(
    description="Enrolls a referred participant into a schedule from a date, or into one session: give "
    "scheduleId (and fromDate) or sessionId."
)
class ScheduleEnrollmentInput:
    referral_id: strawberry.ID = strawberry.field(description="An authorized referral you are serving.")
    schedule_id: strawberry.ID | None = strawberry.field(default=None, description="An approved schedule of yours.")
    from_date: date | None = strawberry.field(
        default=None, description="The first day it counts, in the schedule's time zone; today when left out."
    )
    session_id: strawberry.ID | None = strawberry.field(
        default=None, description="Or, instead of scheduleId: the one session."
    )


@strawberry.input(description="One roster line's attendance.")
class AttendanceInput:
    participant_id: strawberry.ID = strawberry.field(description="A participant on the session's roster.")
    mark: AttendanceMark = strawberry.field(description="Present, absent or excused.")
    note: str | None = strawberry.field(default=UNSET, description="A note for this line (kept with corrections).")


@strawberry.input(description="An ad hoc delivery outside sessions (a bus pass, an hour of coaching).")
class BenefitDisbursementInput:
    benefit_assignment_id: strawberry.ID = strawberry.field(description="An assignment you may see and serve.")
    service_date: date = strawberry.field(description="The day of service.")
    quantity: Decimal = strawberry.field(description="Units delivered.")
    code_set_id: strawberry.ID | None = strawberry.field(
        default=UNSET,
        description="A code set that bills the benefit; its rate prices the delivery. Left out: the benefit's only "
        "one (REQUIRED when several bill it; none when none does).",
    )
    note: str | None = strawberry.field(default=UNSET, description="What was delivered, in words.")


@strawberry.input(
    description="One benefit, one date and one quantity for many recipients. WALK_IN takes participantIds, "
    "PROGRAM_ENROLLMENT takes enrollmentIds, ANONYMOUS takes recipientCount (up to 20,000 in one request)."
)
class BulkDisbursementInput:
    recipient_type: RecipientType = strawberry.field(
        description="Who receives it; each type takes its own recipients (see BulkDisbursementInput)."
    )
    benefit_id: strawberry.ID = strawberry.field(description="A benefit of your agency.")
    service_date: date = strawberry.field(description="The day of service.")
    quantity: Decimal = strawberry.field(description="Units per recipient.")
    code_set_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A code set that bills the benefit; its rate prices each delivery. Left out: the benefit's "
        "only one (REQUIRED when several bill it; none when none does).",
    )
    participant_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Walk-in recipients.")
    enrollment_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Enrolled recipients.")
    recipient_count: int | None = strawberry.field(default=None, description="How many anonymous recipients.")


@strawberry.input(description="Narrows the disbursements listed.")
class BenefitDisbursementFilter:
    participant_id: strawberry.ID | None = strawberry.field(default=None, description="Of this participant.")
    benefit_assignment_id: strawberry.ID | None = strawberry.field(default=None, description="Of this assignment.")
    referral_id: strawberry.ID | None = strawberry.field(default=None, description="Delivered on this referral.")
    session_id: strawberry.ID | None = strawberry.field(default=None, description="Of this session.")
    bulk_id: strawberry.ID | None = strawberry.field(default=None, description="Made by this bulk disbursement.")
    statuses: list[DisbursementStatus] | None = strawberry.field(default=None, description="In these statuses.")
