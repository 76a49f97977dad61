"""The referral state machine (FHIR Task codes): who may move a referral from which status to which."""

import enum
from dataclasses import dataclass

from server.domain.referrals.models import ReferralStatus as S


class Side(enum.Enum):
    AGENCY = "agency"
    PROVIDER = "provider"


class ReferralAction(enum.StrEnum):
    """A step a user may take on a referral: a status transition (TRANSITIONS) or an authorization step.

    The GraphQL schema shows this enum as it is; a member equals its value, so the domain's string keys still match.
    """

    SEND = "send"
    CANCEL = "cancel"
    MARK_IN_ERROR = "mark_in_error"
    ACCEPT = "accept"
    REJECT = "reject"
    HOLD = "hold"
    START = "start"
    COMPLETE = "complete"
    FAIL = "fail"
    REQUEST_AUTHORIZATION = "request"
    AUTHORIZE = "authorize"
    DENY_AUTHORIZATION = "deny"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[S]
    target: S
    side: Side
    needs_reason: bool = False
    # The step in words, for messages ("Only the agency may mark a referral entered in error.").
    words: str = ""


TRANSITIONS: dict[ReferralAction, Transition] = {
    ReferralAction.SEND: Transition(frozenset({S.DRAFT}), S.REQUESTED, Side.AGENCY),
    # A draft is cancelled too (the client declined before it was sent): a decision, not an error.
    ReferralAction.CANCEL: Transition(
        frozenset({S.DRAFT, S.REQUESTED, S.ACCEPTED, S.ON_HOLD, S.IN_PROGRESS}),
        S.CANCELLED,
        Side.AGENCY,
        needs_reason=True,
    ),
    ReferralAction.MARK_IN_ERROR: Transition(
        frozenset({S.DRAFT, S.REQUESTED}),
        S.ENTERED_IN_ERROR,
        Side.AGENCY,
        needs_reason=True,
        words="mark a referral entered in error",
    ),
    ReferralAction.ACCEPT: Transition(frozenset({S.REQUESTED}), S.ACCEPTED, Side.PROVIDER),
    ReferralAction.REJECT: Transition(frozenset({S.REQUESTED}), S.REJECTED, Side.PROVIDER, needs_reason=True),
    ReferralAction.HOLD: Transition(frozenset({S.ACCEPTED}), S.ON_HOLD, Side.PROVIDER, needs_reason=True),
    ReferralAction.START: Transition(frozenset({S.ACCEPTED, S.ON_HOLD}), S.IN_PROGRESS, Side.PROVIDER),
    ReferralAction.COMPLETE: Transition(frozenset({S.ACCEPTED, S.ON_HOLD, S.IN_PROGRESS}), S.COMPLETED, Side.PROVIDER),
    ReferralAction.FAIL: Transition(
        frozenset({S.ACCEPTED, S.ON_HOLD, S.IN_PROGRESS}), S.FAILED, Side.PROVIDER, needs_reason=True
    ),
}


def in_words(action: str) -> str:
    """What the step does, in words: its own, else its name ("accept a referral")."""
    return TRANSITIONS[action].words or f"{action} a referral"


def actions_from(status: S, side: Side) -> list[ReferralAction]:
    """The actions a user of `side` may take on a referral in `status` (what a UI should offer)."""
    return [name for name, t in TRANSITIONS.items() if t.side is side and status in t.sources]
