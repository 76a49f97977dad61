"""Facilities: where a provider delivers. Provider users edit only their own facilities' contact, availability and
time zone."""

from sqlalchemy import ColumnElement, func, or_, true
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.errors import Forbidden, Invalid, InvalidInput
from server.domain.network.models import CapacityStatus, Facility, FacilitySpecialty, Provider
from server.domain.network.specialties import check_specialties_exist, descendants_of
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, Role, require
from server.domain.records import apply_changes, fetch, set_links
from server.domain.validation import field_name
from server.domain.zones import facility_today

RULES = {
    "provider_id": v.reference(required=True),
    "name": v.text(200, required=True),
    "address_line1": v.text(200),
    "address_line2": v.text(200),
    "city": v.text(100),
    "region": v.text(100),
    "postal_code": v.text(20),
    "country": v.text(2),
    "latitude": v.number_between(-90, 90),
    "longitude": v.number_between(-180, 180),
    "phone": v.phone(),
    "email": v.email(),
    "website": v.url(),
    "accessibility_notes": v.text(2000),
    "accepting_referrals": v.flag(),
    "capacity_status": v.choice(CapacityStatus),
    "confidential": v.flag(),
    "time_zone": v.time_zone(),
}
# What a provider's own users may change: contact details, availability and time zone.
PROVIDER_EDITABLE = frozenset(
    {"phone", "email", "website", "accessibility_notes", "accepting_referrals", "capacity_status", "time_zone"}
)
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code", "latitude", "longitude")
EDITORS = frozenset({Role.AGENCY_ADMIN}) | PROVIDER_ROLES


def visible_facilities(principal: Principal) -> ColumnElement[bool]:
    return true() if principal.is_agency else Facility.provider_id == principal.provider_id


def active_facilities() -> ColumnElement[bool]:
    """The facilities a provider still runs (a deactivated one is kept for its history only)."""
    return Facility.active.is_(True)


def offered_specialties() -> ColumnElement[bool]:
    """The specialties a facility still offers (its active links)."""
    return FacilitySpecialty.active.is_(True)


def address_visible(principal: Principal, facility: Facility) -> bool:
    """A confidential facility's address is for agency staff and its own provider's users only."""
    return not facility.confidential or principal.is_agency or principal.provider_id == facility.provider_id


async def list_facilities(
    session: AsyncSession,
    principal: Principal | None,
    *,
    provider_id: int | None = None,
    specialty_id: int | None = None,
    accepting_referrals: bool | None = None,
    include_inactive: bool = False,
    search: str | None = None,
    first: int,
    after: str | None = None,
) -> Page[Facility]:
    """Facilities in name order; a specialty filter matches that specialty and every one under it."""
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DIRECTORY_READ)
    query = select(Facility).where(visible_facilities(principal))
    if provider_id is not None:
        query = query.where(Facility.provider_id == provider_id)
    if specialty_id is not None:
        tree = descendants_of([specialty_id])
        offered = select(FacilitySpecialty.facility_id).where(
            FacilitySpecialty.active.is_(True), FacilitySpecialty.specialty_id.in_(select(tree.c.id))
        )
        query = query.where(Facility.id.in_(offered))
    if accepting_referrals is not None:
        query = query.where(Facility.accepting_referrals.is_(accepting_referrals))
    if not include_inactive:
        query = query.where(Facility.active.is_(True))
    if search:
        needle = search.strip().lower()
        query = query.where(
            or_(
                func.lower(Facility.name).contains(needle, autoescape=True),
                func.lower(Facility.city).contains(needle, autoescape=True),
            )
        )
    return await paginate(
        session, query, order=[(Facility.name, "asc"), (Facility.id, "asc")], first=first, after=after
    )


async def get_facility(session: AsyncSession, principal: Principal | None, facility_id: int) -> Facility:
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DIRECTORY_READ)
    return await fetch(session, Facility, facility_id, scope=visible_facilities(principal), what="facility")


def _clean_specialties(specialties: list[dict]) -> dict[int, dict]:
    """[{specialty_id, primary}] → {specialty_id: {primary}}, with at most one primary."""
    wanted: dict[int, dict] = {}
    for i, item in enumerate(specialties):
        field = f"specialties[{i}].specialtyId"
        specialty_id = v.argument(v.reference(), item.get("specialty_id"), field=field, required="Name the specialty.")
        if specialty_id in wanted:
            raise Invalid(f"Specialty {specialty_id} is listed twice.", field=field)
        wanted[specialty_id] = {"primary": bool(item.get("primary", False))}
    if sum(1 for extra in wanted.values() if extra["primary"]) > 1:
        raise Invalid("Mark at most one specialty as primary.", field="specialties")
    return wanted


async def _set_specialties(
    session: AsyncSession, principal: Principal, facility: Facility, specialties: list[dict]
) -> None:
    wanted = _clean_specialties(specialties)
    await check_specialties_exist(session, list(wanted), field="specialties")
    today = await facility_today(session, facility.id)
    for extra in wanted.values():
        extra.setdefault("effective_from", today)
    existing = set(
        (
            await session.exec(
                select(FacilitySpecialty.specialty_id).where(
                    FacilitySpecialty.facility_id == facility.id, FacilitySpecialty.active.is_(True)
                )
            )
        ).all()
    )
    for specialty_id in existing & set(wanted):
        wanted[specialty_id].pop("effective_from")  # still offered: keep the date it started
    await set_links(
        session,
        principal,
        FacilitySpecialty,
        owner=facility,
        owner_key="facility_id",
        target="specialty_id",
        wanted=wanted,
        agency_id=None,
        today=today,
    )


def _check_coordinates(facility: Facility) -> None:
    if (facility.latitude is None) != (facility.longitude is None):
        raise Invalid("Give both latitude and longitude, or neither.", field="latitude")


async def create_facility(
    session: AsyncSession, principal: Principal | None, values: dict, specialties: list[dict] | None = None
) -> Facility:
    principal = require(principal, frozenset({Role.AGENCY_ADMIN}), scope=Scope.DIRECTORY_WRITE)
    values = v.clean(RULES, values, partial=False)
    await fetch(session, Provider, values["provider_id"], field="providerId", what="provider")
    facility = Facility(**values)
    _check_coordinates(facility)
    session.add(facility)
    await record_event(session, principal, action="facility.create", record=facility, before=None, agency_id=None)
    if specialties:
        await _set_specialties(session, principal, facility, specialties)
    return facility


async def update_facility(
    session: AsyncSession,
    principal: Principal | None,
    facility_id: int,
    values: dict,
    specialties: list[dict] | None = None,
) -> Facility:
    """Agency admins change anything; a provider's users change their own facilities' contact, availability and
    time zone."""
    principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
    facility = await fetch(session, Facility, facility_id, scope=visible_facilities(principal), what="facility")
    if principal.is_provider:
        refused = sorted(set(values) - PROVIDER_EDITABLE) + (["specialties"] if specialties is not None else [])
        if refused:
            raise InvalidInput(
                [Forbidden(f"Only the agency may change {field_name(key)}.", field=field_name(key)) for key in refused]
            )
    values = v.clean(RULES, values, partial=True)
    if "provider_id" in values and values["provider_id"] != facility.provider_id:
        raise Invalid("A facility stays with its provider.", field="providerId")
    before = snapshot(facility)
    changed = apply_changes(facility, values)
    _check_coordinates(facility)
    if changed:
        await record_event(session, principal, action="facility.update", record=facility, before=before, agency_id=None)
    if specialties is not None:
        await _set_specialties(session, principal, facility, specialties)
    return facility


async def deactivate_facility(session: AsyncSession, principal: Principal | None, facility_id: int) -> Facility:
    principal = require(principal, frozenset({Role.AGENCY_ADMIN}), scope=Scope.DIRECTORY_WRITE)
    facility = await fetch(session, Facility, facility_id, what="facility")
    before = snapshot(facility)
    if apply_changes(facility, {"active": False, "accepting_referrals": False}):
        await record_event(
            session, principal, action="facility.deactivate", record=facility, before=before, agency_id=None
        )
    return facility
