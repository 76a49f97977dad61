"""A benefit assignment follows its referral: waitlisted while the provider holds it, active while served,
completed with it, and back to enrolled when a referral ends without the service (rejected, cancelled, failed,
entered in error), so the agency may refer it again. Sending and accepting leave it as it is.

An assignment the agency closed (completed or withdrawn) is left alone: that was the agency's decision."""

from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.audit import record_event, snapshot
from server.domain.clients.models import AssignmentStatus, BenefitAssignment
from server.domain.principal import Principal
from server.domain.referrals.models import Referral, ReferralStatus

A = AssignmentStatus
OPEN = frozenset({A.ENROLLED, A.ACTIVE, A.WAITLISTED})
FOLLOWS: dict[ReferralStatus, AssignmentStatus] = {
    ReferralStatus.ON_HOLD: A.WAITLISTED,
    ReferralStatus.IN_PROGRESS: A.ACTIVE,
    ReferralStatus.COMPLETED: A.COMPLETED,
    ReferralStatus.REJECTED: A.ENROLLED,
    ReferralStatus.CANCELLED: A.ENROLLED,
    ReferralStatus.FAILED: A.ENROLLED,
    ReferralStatus.ENTERED_IN_ERROR: A.ENROLLED,
}


async def follow_referral(session: AsyncSession, principal: Principal, referral: Referral) -> None:
    """Moves the referral's assignment to the status its referral's new status implies (audited). A draft ended
    before it was sent changes nothing: it referred the client to no one."""
    target = FOLLOWS.get(referral.status)
    if target is None or referral.sent_at is None:
        return
    assignment = await session.get(BenefitAssignment, referral.benefit_assignment_id)
    if assignment.status not in OPEN or assignment.status == target:
        return
    before = snapshot(assignment)
    assignment.status = target
    session.add(assignment)
    await record_event(
        session,
        principal,
        action="benefit_assignment.follow_referral",
        record=assignment,
        before=before,
        agency_id=assignment.agency_id,
        after={**snapshot(assignment), "referral_id": referral.id, "referral_status": referral.status.value},
    )
