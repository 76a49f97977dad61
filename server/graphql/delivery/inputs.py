"""GraphQL inputs of benefit schedules."""

from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry import UNSET

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
    frequency: Frequency = strawberry.field(description="ONCE, DAILY, WEEKLY or MONTHLY.")
    capacity: int = strawberry.field(description="The most participants per session.")
    default_quantity: Decimal = strawberry.field(description="Units delivered per attendance.")
    interval: int | None = strawberry.field(default=UNSET, description="Every how many days/weeks/months; 1.")
    weekdays: list[Weekday] | None = strawberry.field(default=UNSET, description="Weekly days, or the monthly day.")
    month_day: int | None = strawberry.field(default=UNSET, description="Monthly on this day of the month.")
    month_week: int | None = strawberry.field(default=UNSET, description="Monthly on this week (1-5, -1 last).")
    until: date | None = strawberry.field(default=UNSET, description="The last day sessions may fall on.")
    count: int | None = strawberry.field(default=UNSET, description="Or: how many sessions.")


@strawberry.input(description="Narrows the schedules listed.")
class BenefitScheduleFilter:
    statuses: list[ApprovalStatus] | None = strawberry.field(default=None, description="Only in these statuses.")
    facility_id: strawberry.ID | None = strawberry.field(default=None, description="Only at this facility.")
