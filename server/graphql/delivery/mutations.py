"""Mutations of schedules: provider admins draft, submit, cancel and postpone; agency supervisors and admins
approve or reject."""

from datetime import datetime

import strawberry

from server.domain.delivery import schedules
from server.graphql.context import Info
from server.graphql.delivery.inputs import BenefitScheduleInput
from server.graphql.delivery.types import BenefitSchedule, BenefitSession
from server.graphql.mapping import input_values, parse_id
from server.graphql.payloads import payload, payload_type
from server.graphql.runner import run_mutation

BenefitSchedulePayload = payload_type(
    "BenefitSchedulePayload",
    "schedule",
    BenefitSchedule,
    "The schedule changed, or the errors that stopped the change.",
    "The schedule as saved; null on errors.",
)

BenefitSessionPayload = payload_type(
    "BenefitSessionPayload",
    "session",
    BenefitSession,
    "The session changed, or the errors that stopped the change.",
    "The session as saved; null on errors.",
)


@strawberry.type
class DeliveryMutation:
    @strawberry.mutation(description="Drafts a schedule for one of your facilities. Provider admins.")
    async def create_benefit_schedule(self, info: Info, input: BenefitScheduleInput) -> BenefitSchedulePayload:
        return payload(
            BenefitSchedulePayload,
            await run_mutation(info, schedules.create_schedule, input_values(input)),
        )

    @strawberry.mutation(description="Changes a draft or rejected schedule (the whole input). Provider admins.")
    async def update_benefit_schedule(
        self, info: Info, id: strawberry.ID, input: BenefitScheduleInput
    ) -> BenefitSchedulePayload:
        return payload(
            BenefitSchedulePayload,
            await run_mutation(info, lambda s, p: schedules.update_schedule(s, p, parse_id(id), input_values(input))),
        )

    @strawberry.mutation(description="Submits a schedule for the agency's approval. Provider admins.")
    async def submit_benefit_schedule(self, info: Info, id: strawberry.ID) -> BenefitSchedulePayload:
        return payload(
            BenefitSchedulePayload, await run_mutation(info, lambda s, p: schedules.submit_schedule(s, p, parse_id(id)))
        )

    @strawberry.mutation(
        description="Takes a submitted schedule, still awaiting approval, back to DRAFT so it can be edited. "
        "Provider admins."
    )
    async def withdraw_benefit_schedule(
        self, info: Info, id: strawberry.ID, expected_version: int | None = None
    ) -> BenefitSchedulePayload:
        return payload(
            BenefitSchedulePayload,
            await run_mutation(
                info,
                lambda s, p: schedules.withdraw_schedule(s, p, parse_id(id), expected_version=expected_version),
            ),
        )

    @strawberry.mutation(
        description="Approves a submitted schedule and creates its sessions. Agency supervisors and admins."
    )
    async def approve_benefit_schedule(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> BenefitSchedulePayload:
        return payload(
            BenefitSchedulePayload,
            await run_mutation(
                info, lambda s, p: schedules.review_schedule(s, p, parse_id(id), approve=True, note=note)
            ),
        )

    @strawberry.mutation(description="Rejects a submitted schedule with a note. Agency supervisors and admins.")
    async def reject_benefit_schedule(self, info: Info, id: strawberry.ID, note: str) -> BenefitSchedulePayload:
        return payload(
            BenefitSchedulePayload,
            await run_mutation(
                info, lambda s, p: schedules.review_schedule(s, p, parse_id(id), approve=False, note=note)
            ),
        )

    @strawberry.mutation(description="Cancels one session, with a note. Provider admins.")
    async def cancel_benefit_session(self, info: Info, id: strawberry.ID, note: str) -> BenefitSessionPayload:
        return payload(
            BenefitSessionPayload,
            await run_mutation(info, lambda s, p: schedules.cancel_session(s, p, parse_id(id), note)),
        )

    @strawberry.mutation(
        description="Moves one session; the old one stays as POSTPONED and the new one is returned. Provider admins."
    )
    async def postpone_benefit_session(
        self, info: Info, id: strawberry.ID, starts_at: datetime, ends_at: datetime, note: str | None = None
    ) -> BenefitSessionPayload:
        return payload(
            BenefitSessionPayload,
            await run_mutation(
                info,
                lambda s, p: schedules.postpone_session(
                    s, p, parse_id(id), starts_at=starts_at, ends_at=ends_at, note=note
                ),
            ),
        )
