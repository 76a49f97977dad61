"""A referral goes where its benefit is offered, by provider search's rule (`search.specialties_for_benefit`):
what a caseworker finds by benefit is exactly where a referral of it may go."""

from sqlalchemy import and_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.catalogue.models import Benefit
from server.domain.clients.models import BenefitAssignment
from server.domain.errors import Invalid
from server.domain.network.models import Facility
from server.domain.network.search import offering, specialties_for_benefit


async def check_offered(
    session: AsyncSession,
    assignment_id: int,
    provider_id: int,
    facility_id: int | None,
    *,
    unnamed_field: str = "providerId",
) -> None:
    """The facility named (none named: one of the provider's active facilities) offers a specialty the assignment's
    benefit requires, or one under it (INVALID facilityId; with no facility, INVALID on `unnamed_field`). A benefit
    that requires no specialty and shares no code set with one that does cannot be matched: it goes anywhere."""
    assignment = await session.get(BenefitAssignment, assignment_id)
    wanted = list((await session.exec(specialties_for_benefit(assignment.benefit_id))).all())
    if not wanted:
        return
    where = (
        Facility.id == facility_id
        if facility_id is not None
        else and_(Facility.provider_id == provider_id, Facility.active.is_(True))
    )
    if (await session.exec(select(Facility.id).where(where, offering(wanted)).limit(1))).first() is not None:
        return
    benefit = await session.get(Benefit, assignment.benefit_id)
    if facility_id is not None:
        raise Invalid(f"This facility offers no specialty {benefit.name} requires.", field="facilityId")
    raise Invalid(f"This provider offers {benefit.name} at none of its facilities.", field=unnamed_field)
