"""Provider search for caseworkers: by specialty (and what is under it), benefit, code set, name, type, distance
and availability. It runs in the database as one statement: a bounding box on the indexed coordinates, then the
exact distance, the specialty trees asked for (of specialties, a benefit, a code set) folded in as recursive CTEs.

What a facility must offer to deliver a benefit (`specialties_for_benefit`) is also what a referral must go to."""

import math
from dataclasses import dataclass
from datetime import time

from sqlalchemy import ColumnElement, String, and_, cast, func, literal, union
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.api_clients import Scope
from server.domain.catalogue.code_sets import benefits_billed_by, code_sets_billing
from server.domain.catalogue.models import Benefit, BenefitSpecialty, CodeSet
from server.domain.clients.participants import get_participant
from server.domain.columns import utcnow
from server.domain.delivery.models import ApprovalStatus, BenefitSchedule, BenefitSession, SessionStatus
from server.domain.errors import Invalid
from server.domain.network.models import (
    CapacityStatus,
    Facility,
    FacilitySpecialty,
    Provider,
    ProviderStatus,
    ProviderType,
)
from server.domain.network.specialties import descendants_of
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, Principal, require
from server.domain.records import fetch

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.195  # along a meridian, on that sphere
MAX_RADIUS_KM = 500


@dataclass(frozen=True)
class SearchHit:
    facility: Facility
    distance_km: float | None
    provider: Provider | None = None  # read with the facility when asked (`with_providers`)


@dataclass(frozen=True)
class SearchResult:
    page: Page[SearchHit]
    # The specialties asked for (with everything under them): a hit's matching specialties are among these.
    wanted_specialty_ids: frozenset[int] | None


def distance_km(latitude: float, longitude: float) -> ColumnElement[float]:
    """Great-circle (haversine) distance from the point to a facility, in SQL."""
    lat1, lon1 = math.radians(latitude), math.radians(longitude)
    lat2, lon2 = func.radians(Facility.latitude), func.radians(Facility.longitude)
    a = func.power(func.sin((lat2 - lat1) / 2), 2) + math.cos(lat1) * func.cos(lat2) * func.power(
        func.sin((lon2 - lon1) / 2), 2
    )
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(a))


def bounding_box(latitude: float, longitude: float, radius_km: float) -> ColumnElement[bool]:
    """A cheap prefilter the coordinates index can serve: every point within the radius is inside it."""
    dlat = radius_km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    dlon = min(radius_km / (KM_PER_DEGREE * cos_lat), 180.0)
    return and_(
        Facility.latitude.between(latitude - dlat, latitude + dlat),
        Facility.longitude.between(longitude - dlon, longitude + dlon),
    )


def _minute(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _has_sessions(weekdays: list[int] | None, starts_from: time | None, starts_before: time | None):
    """The facility has upcoming sessions of approved schedules on these weekdays, starting in this window of
    local time (each session's local weekday and minute are stored with it)."""
    conditions = [
        BenefitSchedule.facility_id == Facility.id,
        BenefitSchedule.approval_status == ApprovalStatus.APPROVED,
        BenefitSession.status == SessionStatus.SCHEDULED,
        BenefitSession.starts_at >= utcnow(),
    ]
    if weekdays:
        conditions.append(BenefitSession.local_weekday.in_(weekdays))
    if starts_from is not None:
        conditions.append(BenefitSession.local_minute >= _minute(starts_from))
    if starts_before is not None:
        conditions.append(BenefitSession.local_minute < _minute(starts_before))
    return (
        select(BenefitSession.id)
        .join(BenefitSchedule, BenefitSchedule.id == BenefitSession.schedule_id)
        .where(*conditions)
        .exists()
    )


async def search_facilities(
    session: AsyncSession,
    principal: Principal | None,
    *,
    specialty_ids: list[int] | None = None,
    benefit_id: int | None = None,
    code_set_id: int | None = None,
    provider_name: str | None = None,
    provider_types: list[ProviderType] | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    participant_id: int | None = None,
    radius_km: float | None = None,
    accepting_referrals: bool | None = None,
    capacity_statuses: list[CapacityStatus] | None = None,
    session_weekdays: list[int] | None = None,
    session_starts_from: time | None = None,
    session_starts_before: time | None = None,
    first: int,
    after: str | None = None,
    with_providers: bool = False,
) -> SearchResult:
    """Active facilities of active, searchable providers; nearest first when a point or participant is given.
    `with_providers`: each hit's provider is read in the same statement (already joined for its filters)."""
    principal = require(principal, AGENCY_ROLES, scope=Scope.DIRECTORY_READ)
    if participant_id is not None:
        if latitude is not None or longitude is not None:
            raise Invalid("Search near a point or near a participant, not both.", field="participantId")
        home = await get_participant(session, principal, participant_id, field="participantId")
        if home.latitude is None:
            raise Invalid("This participant's home has no coordinates.", field="participantId")
        latitude, longitude = home.latitude, home.longitude
    if (latitude is None) != (longitude is None):
        raise Invalid("Give both latitude and longitude.", field="latitude")
    if radius_km is not None and (latitude is None or not 0 < radius_km <= MAX_RADIUS_KM):
        raise Invalid(f"A radius needs a point and must be between 0 and {MAX_RADIUS_KM} km.", field="radiusKm")

    query_filters = [Facility.active.is_(True), Provider.status == ProviderStatus.ACTIVE, Provider.searchable.is_(True)]
    # The specialty trees asked for, folded into the one statement (each as a recursive CTE); `wanted` is their
    # union, read back from the first row (no rows: `_specialties_asked` says why, or that none matched).
    roots = []
    if specialty_ids is not None:
        roots.append(specialty_ids)
    if benefit_id is not None:
        roots.append(_scoped(specialties_for_benefit(benefit_id), Benefit, benefit_id, principal))
    if code_set_id is not None:
        roots.append(_scoped(specialties_for_code_set(code_set_id), CodeSet, code_set_id, principal))
    trees = [descendants_of(ids, name=f"specialty_tree_{i}") for i, ids in enumerate(roots)]
    query_filters += [_offering_one_of(tree) for tree in trees]
    if provider_name and provider_name.strip():
        query_filters.append(func.lower(Provider.name).contains(provider_name.strip().lower(), autoescape=True))
    if provider_types:
        query_filters.append(Provider.type.in_(provider_types))
    if accepting_referrals is not None:
        query_filters.append(Facility.accepting_referrals.is_(accepting_referrals))
    if capacity_statuses:
        query_filters.append(Facility.capacity_status.in_(capacity_statuses))
    if session_weekdays or session_starts_from is not None or session_starts_before is not None:
        query_filters.append(_has_sessions(session_weekdays, session_starts_from, session_starts_before))

    wanted_column = [_ids_of(trees).label("wanted")] if trees else []
    provider_column = [Provider] if with_providers else []
    if latitude is None:
        order = [(Provider.name, "asc"), (Facility.name, "asc"), (Facility.id, "asc")]
        query = (
            select(
                Facility,
                literal(None).label("distance"),
                Provider.name.label("provider_name"),
                *provider_column,
                *wanted_column,
            )
            .join(Provider)
            .where(*query_filters)
        )
        values_of = lambda row: [row.provider_name, row.Facility.name, row.Facility.id]  # noqa: E731
    else:
        distance = distance_km(latitude, longitude).label("distance")
        if radius_km is not None:
            query_filters += [bounding_box(latitude, longitude, radius_km), distance <= radius_km]
        query = (
            select(Facility, distance, *provider_column, *wanted_column)
            .join(Provider)
            .where(Facility.latitude.is_not(None), *query_filters)
        )
        order = [(distance, "asc"), (Facility.id, "asc")]
        values_of = lambda row: [row.distance, row.Facility.id]  # noqa: E731
    try:
        page = await paginate(session, query, order=order, first=first, after=after, values_of=values_of)
    except Invalid:
        if trees:  # a bad specialty, benefit or code set is told first, as when it was looked up first
            await _specialties_asked(session, principal, specialty_ids, benefit_id, code_set_id)
        raise
    if page.items:
        wanted = frozenset(map(int, page.items[0].wanted.split(","))) if trees else None
    else:
        wanted = await _specialties_asked(session, principal, specialty_ids, benefit_id, code_set_id)
    page.items = [SearchHit(row.Facility, row.distance, row.Provider if with_providers else None) for row in page.items]
    return SearchResult(page=page, wanted_specialty_ids=wanted)


def _offering_one_of(tree) -> ColumnElement[bool]:
    """The facility offers one of the tree's specialties. Asked of each facility the box and the other filters
    keep (a correlated EXISTS, served by the facility_id index), not by listing every facility offering it."""
    return (
        select(FacilitySpecialty.id)
        .where(
            FacilitySpecialty.facility_id == Facility.id,
            FacilitySpecialty.active.is_(True),
            FacilitySpecialty.specialty_id.in_(select(tree.c.id)),
        )
        .exists()
    )


def _ids_of(trees) -> ColumnElement[str]:
    """The ids of the trees' specialties, as one comma-separated text (a scalar subquery, computed once)."""
    every = union(*(select(tree.c.id) for tree in trees)).subquery()
    return select(func.aggregate_strings(cast(every.c.id, String), ",")).scalar_subquery()


def _scoped(specialties, model, record_id: int, principal: Principal):
    """`specialties` only if the benefit or code set is the principal's agency's (none otherwise)."""
    mine = select(model.id).where(model.id == record_id, model.agency_id == principal.agency_id).exists()
    return select(specialties.subquery().c.specialty_id).where(mine)


async def _specialties_asked(
    session: AsyncSession,
    principal: Principal,
    specialty_ids: list[int] | None,
    benefit_id: int | None,
    code_set_id: int | None,
) -> frozenset[int] | None:
    """The specialties searched by (with everything under them), None when not asked; NOT_FOUND or INVALID, in
    this order, for a benefit or code set not the principal's, one naming no specialty, or an empty tree.
    The search itself checks none of it: this runs only when it found nothing, to say why."""
    wanted: frozenset[int] | None = None
    for roots, field in (
        (specialty_ids, "specialtyIds"),
        (
            await _specialties_to_search(
                session, principal, Benefit, benefit_id, specialties_for_benefit, field="benefitId", what="benefit"
            ),
            "benefitId",
        ),
        (
            await _specialties_to_search(
                session, principal, CodeSet, code_set_id, specialties_for_code_set, field="codeSetId", what="code set"
            ),
            "codeSetId",
        ),
    ):
        if roots is None:
            continue
        tree = frozenset((await session.exec(select(descendants_of(roots).c.id))).all())
        if not tree:
            raise Invalid("No such care specialty.", field=field)
        wanted = tree if wanted is None else wanted | tree
    return wanted


def specialties_for_benefit(benefit_id: int):
    """The specialties that deliver the benefit (a facility offers one of them, or one under it): those it requires;
    for a benefit that requires none, those required by the active benefits its code sets bill (its item codes).
    A subquery of ids."""
    required = select(BenefitSpecialty.specialty_id).where(
        BenefitSpecialty.active.is_(True), BenefitSpecialty.benefit_id == benefit_id
    )
    billed_alike = select(Benefit.id).where(
        Benefit.active.is_(True), Benefit.id.in_(benefits_billed_by(code_sets_billing(benefit_id)))
    )
    through_codes = select(BenefitSpecialty.specialty_id).where(
        BenefitSpecialty.active.is_(True), BenefitSpecialty.benefit_id.in_(billed_alike), ~required.exists()
    )
    either = union(required, through_codes).subquery()
    return select(either.c.specialty_id)


def specialties_for_code_set(code_set_id: int):
    """The specialties required by the active benefits the code set bills (directly or through a bundle)."""
    billed = select(Benefit.id).where(Benefit.active.is_(True), Benefit.id.in_(benefits_billed_by(code_set_id)))
    return select(BenefitSpecialty.specialty_id).where(
        BenefitSpecialty.active.is_(True), BenefitSpecialty.benefit_id.in_(billed)
    )


def offering(specialty_ids) -> ColumnElement[bool]:
    """Facilities offering one of the specialties (a list or a subquery of ids) or one under it."""
    return _offering_one_of(descendants_of(specialty_ids))


async def _specialties_to_search(
    session: AsyncSession, principal: Principal, model, record_id: int | None, specialties, *, field: str, what: str
) -> list[int] | None:
    """The specialties a benefit or a code set of the principal's agency searches by (`specialties(record_id)`);
    None when not asked; INVALID on `field` when it names none."""
    if record_id is None:
        return None
    await fetch(session, model, record_id, scope=model.agency_id == principal.agency_id, field=field, what=what)
    ids = list((await session.exec(specialties(record_id))).all())
    if not ids:
        raise Invalid(f"This {what} names no care specialty to search by (nor do the benefits it bills).", field=field)
    return ids
