"""Whose time zone a day or a time is in.

- An agency's staff: the agency's zone (`Agency.time_zone`).
- A provider's users: the provider's own setting, else its first facility's zone that is known, else UTC.
- A facility: its own setting, else the zone of its approved (else first) schedule, else its provider's zone.

Each is one SQL expression, so a request learns its caller's zone in the statement that finds the caller.
"""

from datetime import date

from sqlalchemy import ColumnElement, case, func, literal
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.agencies import Agency
from server.domain.days import today_in
from server.domain.delivery.models import ApprovalStatus, BenefitSchedule
from server.domain.errors import Invalid
from server.domain.network.models import Facility, Provider
from server.domain.principal import Principal
from server.domain.validation import field_name

DEFAULT_ZONE = "UTC"


def _schedule_zone(facility_id: ColumnElement[int]) -> ColumnElement[str | None]:
    """The zone of the facility's approved schedule (the first one), else of its first schedule."""
    return (
        select(BenefitSchedule.time_zone)
        .where(BenefitSchedule.facility_id == facility_id)
        .order_by(case((BenefitSchedule.approval_status == ApprovalStatus.APPROVED, 0), else_=1), BenefitSchedule.id)
        .limit(1)
        .scalar_subquery()
    )


def _own_facility_zone(facility) -> ColumnElement[str | None]:
    """A facility's zone from itself alone: its setting, else its schedules'. Null when neither has one."""
    return func.coalesce(facility.time_zone, _schedule_zone(facility.id))


def provider_zone(provider=Provider) -> ColumnElement[str]:
    """The zone of `provider` (the Provider table or an alias of it, in the enclosing query)."""
    site = aliased(Facility)
    zone = _own_facility_zone(site)
    first_facility = (
        select(zone)
        .where(site.provider_id == provider.id, zone.is_not(None))
        .order_by(site.active.desc(), site.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(provider.time_zone, first_facility, literal(DEFAULT_ZONE))


def facility_zone(facility=Facility) -> ColumnElement[str]:
    """The zone of `facility` (the Facility table or an alias of it, in the enclosing query): its own, else its
    provider's (the provider's setting, else its first facility's that has a zone: what its users see)."""
    owner = aliased(Provider)
    zone = select(provider_zone(owner)).where(owner.id == facility.provider_id).scalar_subquery()
    return func.coalesce(_own_facility_zone(facility), zone)


async def zone_of(session: AsyncSession, principal: Principal) -> str:
    """The zone the principal lives in: known from the request, else looked up."""
    if principal.time_zone is not None:
        return principal.time_zone
    if principal.agency_id is not None:
        query = select(Agency.time_zone).where(Agency.id == principal.agency_id)
    else:
        query = select(provider_zone()).where(Provider.id == principal.provider_id)
    return (await session.exec(query)).one()


async def today_for(session: AsyncSession, principal: Principal) -> date:
    """Today where the principal works: the agency's day for its staff, the provider's for its users."""
    return today_in(await zone_of(session, principal))


async def check_not_after_today(session: AsyncSession, principal: Principal, values: dict, key: str) -> None:
    """A day recorded as past (a service, an interaction) has begun where the principal works: in Chicago at
    23:30 tomorrow is refused, although it is already tomorrow in UTC."""
    day = values.get(key)
    if day is not None and day > (today := await today_for(session, principal)):
        field = field_name(key)
        raise Invalid(f"{field} cannot be after today ({today.isoformat()}, where you work).", field=field)


async def facility_today(session: AsyncSession, facility_id: int) -> date:
    """Today at the facility."""
    return today_in((await session.exec(select(facility_zone()).where(Facility.id == facility_id))).one())
