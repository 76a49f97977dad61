"""Mutations of referrals: the agency creates, sends, cancels, marks in error and decides authorization; the
provider opens, accepts, rejects, holds, starts, completes, fails and requests authorization."""

import strawberry

from server.domain.referrals import referrals
from server.graphql.context import Info
from server.graphql.errors import UserError
from server.graphql.mapping import from_model, input_values, parse_id
from server.graphql.referrals.inputs import ReferralCreateInput
from server.graphql.referrals.types import ReasonCode, Referral
from server.graphql.runner import run_mutation


@strawberry.type(description="The referral changed, or the errors that stopped the change.")
class ReferralPayload:
    referral: Referral | None = strawberry.field(description="The referral as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description="Why the change was refused; empty when it was made.")


def _payload(result) -> ReferralPayload:
    record, errors = result
    return ReferralPayload(referral=from_model(Referral, record) if record else None, errors=errors)


def _transition(action: str, description: str):
    async def resolve(
        info: Info,
        id: strawberry.ID,
        reason: ReasonCode | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ReferralPayload:
        return _payload(
            await run_mutation(
                info,
                lambda s, p: referrals.transition(
                    s, p, parse_id(id), action, reason=reason, note=note, expected_version=expected_version
                ),
            )
        )

    return strawberry.mutation(resolver=resolve, description=description)


def _authorization(action: str, description: str):
    async def resolve(
        info: Info, id: strawberry.ID, reason: ReasonCode | None = None, note: str | None = None
    ) -> ReferralPayload:
        return _payload(
            await run_mutation(
                info, lambda s, p: referrals.decide_authorization(s, p, parse_id(id), action, reason=reason, note=note)
            )
        )

    return strawberry.mutation(resolver=resolve, description=description)


@strawberry.type
class ReferralsMutation:
    @strawberry.mutation(
        description="Creates a referral as a draft, or sends it at once with `send: true`. One live referral per "
        "assignment; a new one after a rejection or cancellation links to it. Agency staff."
    )
    async def create_referral(self, info: Info, input: ReferralCreateInput, send: bool = False) -> ReferralPayload:
        values = input_values(input, skip=("consent",))
        if input.consent is not None:
            values["consent_given_at"] = input.consent.given_at
            values["consent_expires_at"] = input.consent.expires_at
        return _payload(await run_mutation(info, lambda s, p: referrals.create_referral(s, p, values, send=send)))

    @strawberry.mutation(description="Opens a referral; the provider's first opening is recorded.")
    async def open_referral(self, info: Info, id: strawberry.ID) -> ReferralPayload:
        return _payload(await run_mutation(info, lambda s, p: referrals.open_referral(s, p, parse_id(id))))

    send_referral = _transition("send", "DRAFT → REQUESTED: sends it to the provider (consent needed). Agency.")
    cancel_referral = _transition("cancel", "→ CANCELLED, with a reason. Agency.")
    mark_referral_entered_in_error = _transition(
        "mark_in_error", "DRAFT or REQUESTED → ENTERED_IN_ERROR, with a reason. Agency."
    )
    accept_referral = _transition("accept", "REQUESTED → ACCEPTED. Provider.")
    reject_referral = _transition("reject", "REQUESTED → REJECTED, with a reason. Provider.")
    hold_referral = _transition("hold", "ACCEPTED → ON_HOLD (waitlist), with a reason. Provider.")
    start_referral = _transition("start", "ACCEPTED or ON_HOLD → IN_PROGRESS, once authorized if needed. Provider.")
    complete_referral = _transition("complete", "→ COMPLETED. Provider.")
    fail_referral = _transition("fail", "→ FAILED, with a reason. Provider.")
    request_authorization = _authorization("request", "NOT_REQUESTED → SUBMITTED: asks the agency. Provider.")
    authorize_referral = _authorization("authorize", "SUBMITTED → AUTHORIZED. Agency.")
    deny_authorization = _authorization("deny", "SUBMITTED → DENIED, with a reason. Agency.")
