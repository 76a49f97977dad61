"""A benefit assignment follows its referral: waitlisted while the provider holds it, active while served,
completed with it, and back to enrolled when a referral it followed (on hold, in progress) ends without the
service (cancelled, failed, entered in error), so the agency may refer it again. Sending, accepting and a
refusal before the service leave it as the agency set it.

An assignment the agency closed (completed or withdrawn) is left alone: that was the agency's decision, and the
change is made only if the assignment still has the status it was read with (a concurrent decision wins).

A referral that ends holds no places: its schedule enrollments are withdrawn, and the places freed go to the
waitlist (`schedule_assignments.release_referral`)."""

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.audit import record_event, snapshot
from server.domain.clients.models import AssignmentStatus, BenefitAssignment
from server.domain.principal import Principal
from server.domain.referrals.models import Referral, ReferralStatus, was_sent

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


# The referral statuses whose assignment status the referral set: only an end from these undoes it.
SERVING = frozenset({ReferralStatus.ON_HOLD, ReferralStatus.IN_PROGRESS})
ENDED = frozenset(
    {ReferralStatus.COMPLETED, ReferralStatus.FAILED, ReferralStatus.CANCELLED, ReferralStatus.ENTERED_IN_ERROR}
)


async def follow_referral(session: AsyncSession, principal: Principal, referral: Referral, source: str) -> None:
    """After the referral moved from `source`: its assignment follows (audited), and an ended referral's schedule
    enrollments are withdrawn. A draft ended before it was sent changes nothing: it referred the client to no one."""
    if not was_sent(referral):
        return
    if referral.status in ENDED:
        from server.domain.delivery.schedule_assignments import release_referral  # delivery builds on referrals

        await release_referral(session, principal, referral.id)
    target = FOLLOWS.get(referral.status)
    if target is None or (target == A.ENROLLED and ReferralStatus(source) not in SERVING):
        return
    assignment = await session.get(BenefitAssignment, referral.benefit_assignment_id)
    if assignment.status not in OPEN or assignment.status == target:
        return
    before = snapshot(assignment)
    changed = await session.exec(
        update(BenefitAssignment)
        .where(BenefitAssignment.id == assignment.id, BenefitAssignment.status == assignment.status)
        .values(status=target)
    )
    if changed.rowcount != 1:
        return  # the agency decided meanwhile: its decision stands
    await session.refresh(assignment)
    await record_event(
        session,
        principal,
        action="benefit_assignment.follow_referral",
        record=assignment,
        before=before,
        agency_id=assignment.agency_id,
        after={**snapshot(assignment), "referral_id": referral.id, "referral_status": referral.status.value},
    )
