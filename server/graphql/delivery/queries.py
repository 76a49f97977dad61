"""Queries of schedules and sessions: a provider sees its own; the agency, those submitted for its benefits."""

from datetime import datetime
from zoneinfo import ZoneInfo

import strawberry

from server.domain.delivery import schedules
from server.graphql.context import Info
from server.graphql.delivery.inputs import BenefitScheduleFilter, BenefitScheduleInput
from server.graphql.delivery.types import BenefitSchedule, BenefitSession, SessionPreview
from server.graphql.mapping import from_model, input_values, optional_id, parse_id
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


@strawberry.type
class DeliveryQuery:
    @strawberry.field(
        description="Benefit schedules, newest first: provider users see their provider's, agency staff those "
        "submitted for their agency's benefits. Agency staff and provider users."
    )
    async def benefit_schedules(
        self,
        info: Info,
        filter: BenefitScheduleFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[BenefitSchedule] | None:
        f = filter or BenefitScheduleFilter()
        page = await run_query(
            info,
            lambda s, p: schedules.list_schedules(
                s,
                p,
                statuses=f.statuses,
                facility_id=optional_id(f.facility_id, field="filter.facilityId"),
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(BenefitSchedule, r))

    @strawberry.field(description="One schedule you may see. Agency staff and provider users.")
    async def benefit_schedule(self, info: Info, id: strawberry.ID) -> BenefitSchedule | None:
        return from_model(
            BenefitSchedule, await run_query(info, lambda s, p: schedules.get_schedule(s, p, parse_id(id)))
        )

    @strawberry.field(description="The sessions a schedule would make, without saving anything. Provider users.")
    async def schedule_preview(self, info: Info, input: BenefitScheduleInput) -> list[SessionPreview] | None:
        found = await run_query(info, schedules.preview_schedule, input_values(input))
        zone = ZoneInfo(input.time_zone)
        return [SessionPreview(starts_at=a.astimezone(zone), ends_at=b.astimezone(zone)) for a, b in found]

    @strawberry.field(description="Sessions of the schedules you see, by start time. Agency staff and provider users.")
    async def benefit_sessions(
        self,
        info: Info,
        schedule_id: strawberry.ID | None = None,
        starts_after: datetime | None = None,
        starts_before: datetime | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[BenefitSession] | None:
        page = await run_query(
            info,
            lambda s, p: schedules.list_sessions(
                s,
                p,
                schedule_id=optional_id(schedule_id, field="scheduleId"),
                starts_after=starts_after,
                starts_before=starts_before,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(BenefitSession, r))
