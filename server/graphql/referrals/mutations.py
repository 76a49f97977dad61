"""Mutations of referrals: the agency creates, sends, cancels, marks in error and decides authorization; the
provider opens, accepts, rejects, holds, starts, completes, fails and requests authorization."""

import strawberry

from server.domain.referrals import referrals
from server.domain.referrals.transitions import TRANSITIONS, ReferralAction
from server.graphql.context import Info
from server.graphql.mapping import input_values, parse_id
from server.graphql.payloads import payload, payload_type
from server.graphql.referrals.inputs import ReferralCreateInput, ReferralUpdateInput
from server.graphql.referrals.types import ReasonCode, Referral
from server.graphql.runner import run_mutation

ReferralPayload = payload_type(
    "ReferralPayload",
    "referral",
    Referral,
    "The referral changed, or the errors that stopped the change.",
    "The referral as saved; null on errors.",
)


# The domain's names for the consent an input gives as `consent { givenAt expiresAt }`.
CONSENT = {"consentGivenAt": "consent.givenAt", "consentExpiresAt": "consent.expiresAt"}
# A transition checks the stored referral (sending: its consent, provider, facility): a fault there is its own.
STORED = {"consentGivenAt": "id", "consentExpiresAt": "id", "providerId": "id", "facilityId": "id"}


def _transition(action: ReferralAction, description: str):
    """A status transition's mutation; it takes a `reason` only where the step needs one."""

    async def change(info: Info, id, reason, note, expected_version) -> ReferralPayload:
        return payload(
            ReferralPayload,
            await run_mutation(
                info,
                lambda s, p: referrals.transition(
                    s, p, parse_id(id), action, reason=reason, note=note, expected_version=expected_version
                ),
                fields=STORED,
            ),
        )

    if TRANSITIONS[action].needs_reason:

        async def resolve(
            info: Info,
            id: strawberry.ID,
            reason: ReasonCode | None = None,
            note: str | None = None,
            expected_version: int | None = None,
        ) -> ReferralPayload:
            return await change(info, id, reason, note, expected_version)

    else:

        async def resolve(
            info: Info, id: strawberry.ID, note: str | None = None, expected_version: int | None = None
        ) -> ReferralPayload:
            return await change(info, id, None, note, expected_version)

    return strawberry.mutation(resolver=resolve, description=description)


def _authorization(action: ReferralAction, description: str):
    """An authorization step's mutation; only denying takes a reason."""

    async def change(info: Info, id, reason, note) -> ReferralPayload:
        return payload(
            ReferralPayload,
            await run_mutation(
                info, lambda s, p: referrals.decide_authorization(s, p, parse_id(id), action, reason=reason, note=note)
            ),
        )

    if referrals.AUTHORIZATION_STEPS[action][3]:

        async def resolve(
            info: Info, id: strawberry.ID, reason: ReasonCode | None = None, note: str | None = None
        ) -> ReferralPayload:
            return await change(info, id, reason, note)

    else:

        async def resolve(info: Info, id: strawberry.ID, note: str | None = None) -> ReferralPayload:
            return await change(info, id, None, note)

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
        return payload(
            ReferralPayload,
            await run_mutation(info, referrals.create_referral, values, send=send, fields=CONSENT),
        )

    @strawberry.mutation(
        description="Changes a draft before it is sent: its facility, consent, shared fields, priority and notes. "
        "Only the fields given change; `consent: null` withdraws the consent. Agency staff."
    )
    async def update_referral(
        self, info: Info, id: strawberry.ID, input: ReferralUpdateInput, expected_version: int
    ) -> ReferralPayload:
        values = input_values(input, skip=("consent",))
        if input.consent is not strawberry.UNSET:
            consent = input.consent
            values["consent_given_at"] = consent.given_at if consent else None
            values["consent_expires_at"] = consent.expires_at if consent else None
        return payload(
            ReferralPayload,
            await run_mutation(
                info,
                lambda s, p: referrals.update_draft(s, p, parse_id(id), values, expected_version=expected_version),
                fields=CONSENT,
            ),
        )

    @strawberry.mutation(
        description="Opens a referral; the provider's first opening is recorded. Agency staff and provider users."
    )
    async def open_referral(self, info: Info, id: strawberry.ID) -> ReferralPayload:
        return payload(
            ReferralPayload, await run_mutation(info, lambda s, p: referrals.open_referral(s, p, parse_id(id)))
        )

    send_referral = _transition(
        ReferralAction.SEND, "DRAFT → REQUESTED: sends it to the provider (consent needed). Agency staff."
    )
    cancel_referral = _transition(
        ReferralAction.CANCEL,
        "DRAFT, REQUESTED, ACCEPTED, ON_HOLD or IN_PROGRESS → CANCELLED, with a reason. Agency staff.",
    )
    mark_referral_entered_in_error = _transition(
        ReferralAction.MARK_IN_ERROR, "DRAFT or REQUESTED → ENTERED_IN_ERROR, with a reason. Agency staff."
    )
    accept_referral = _transition(ReferralAction.ACCEPT, "REQUESTED → ACCEPTED. Provider users.")
    reject_referral = _transition(ReferralAction.REJECT, "REQUESTED → REJECTED, with a reason. Provider users.")
    hold_referral = _transition(ReferralAction.HOLD, "ACCEPTED → ON_HOLD (waitlist), with a reason. Provider users.")
    start_referral = _transition(
        ReferralAction.START, "ACCEPTED or ON_HOLD → IN_PROGRESS, once authorized if needed. Provider users."
    )
    complete_referral = _transition(
        ReferralAction.COMPLETE, "ACCEPTED, ON_HOLD or IN_PROGRESS → COMPLETED. Provider users."
    )
    fail_referral = _transition(
        ReferralAction.FAIL,
        "ACCEPTED, ON_HOLD or IN_PROGRESS → FAILED (the service could not be given), with a reason. Provider users.",
    )
    request_authorization = _authorization(
        ReferralAction.REQUEST_AUTHORIZATION, "NOT_REQUESTED → SUBMITTED: asks the agency to authorize. Provider users."
    )
    authorize_referral = _authorization(
        ReferralAction.AUTHORIZE, "SUBMITTED → AUTHORIZED: service may start. Agency staff."
    )
    deny_authorization = _authorization(
        ReferralAction.DENY_AUTHORIZATION, "SUBMITTED → DENIED, with a reason. Agency staff."
    )
