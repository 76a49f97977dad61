"""Queries of referrals (both sides, each scoped) and provider search (agency staff)."""

import strawberry

from server.domain.delivery.recurrence import Weekday as WeekdayCode
from server.domain.network.search import search_facilities
from server.domain.referrals import referrals
from server.graphql.context import Info
from server.graphql.mapping import from_model, optional_id, parse_id, parse_ids
from server.graphql.network.types import Facility
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.referrals.inputs import ProviderSearchFilter, ReferralFilter
from server.graphql.referrals.types import ProviderSearchResult, Referral, ReferralOrder, ReferralStatusCount
from server.graphql.runner import run_query
from server.graphql.selection import asks_for

# Where a list of referrals shows their participants: read with the page, not by a second statement.
PARTICIPANT_PATHS = [
    f"{item}.{field}" for item in ("nodes", "edges.node") for field in ("sharedParticipant", "participant")
]
# Where a search shows its facilities' providers: read with the facilities.
PROVIDER_PATHS = [f"{item}.{field}" for item in ("nodes", "edges.node") for field in ("provider", "facility.provider")]


def _filters(f: ReferralFilter) -> dict:
    return {
        "provider_id": optional_id(f.provider_id, field="filter.providerId"),
        "participant_id": optional_id(f.participant_id, field="filter.participantId"),
        "referring_user_id": optional_id(f.referred_by_id, field="filter.referredById"),
        "overdue": f.overdue,
        "new": f.new,
        "client_name": f.client_name,
        "facility_id": optional_id(f.facility_id, field="filter.facilityId"),
        "benefit_id": optional_id(f.benefit_id, field="filter.benefitId"),
        "priorities": f.priorities,
    }


@strawberry.type
class ReferralsQuery:
    @strawberry.field(
        description="Referrals, newest first (or most urgent first, `orderBy: URGENCY`): agency staff see their "
        "agency's, provider users those sent to their provider (their inbox). Agency staff and provider users."
    )
    async def referrals(
        self,
        info: Info,
        filter: ReferralFilter | None = None,
        order_by: ReferralOrder = ReferralOrder.NEWEST,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Referral] | None:
        f = filter or ReferralFilter()
        page = await run_query(
            info,
            referrals.list_referrals,
            statuses=f.statuses,
            **_filters(f),
            order=order_by,
            first=first,
            after=after,
            with_participants=asks_for(info, *PARTICIPANT_PATHS),
        )
        for (participant,) in page.companions:
            info.context.loaders.participant.prime(participant.id, participant)
        return connection(page, lambda r: from_model(Referral, r))

    @strawberry.field(
        description="One referral you may see; NOT_FOUND otherwise. Opening it is `openReferral`. Agency staff "
        "and provider users."
    )
    async def referral(self, info: Info, id: strawberry.ID) -> Referral | None:
        return from_model(Referral, await run_query(info, lambda s, p: referrals.get_referral(s, p, parse_id(id))))

    @strawberry.field(
        description="How many of the referrals you see are in each status (with the same filter as `referrals`). "
        "Agency staff and provider users."
    )
    async def referral_counts(
        self, info: Info, filter: ReferralFilter | None = None
    ) -> list[ReferralStatusCount] | None:
        f = filter or ReferralFilter()
        counts = await run_query(info, referrals.count_referrals, **_filters(f))
        return [ReferralStatusCount(status=status, count=n) for status, n in counts.items()]

    @strawberry.field(
        description="Find facilities for a referral: active, searchable providers only; nearest first when a point "
        "or a participant is given. Agency staff."
    )
    async def provider_search(
        self, info: Info, filter: ProviderSearchFilter, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[ProviderSearchResult] | None:
        f = filter
        result = await run_query(
            info,
            lambda s, p: search_facilities(
                s,
                p,
                specialty_ids=parse_ids(f.specialty_ids, field="filter.specialtyIds"),
                benefit_id=optional_id(f.benefit_id, field="filter.benefitId"),
                code_set_id=optional_id(f.code_set_id, field="filter.codeSetId"),
                provider_name=f.provider_name,
                provider_types=f.provider_types,
                latitude=f.near.latitude if f.near else None,
                longitude=f.near.longitude if f.near else None,
                participant_id=optional_id(f.near_participant_id, field="filter.nearParticipantId"),
                radius_km=f.radius_km,
                accepting_referrals=f.accepting_referrals,
                capacity_statuses=f.capacity_statuses,
                session_weekdays=[list(WeekdayCode).index(d) for d in f.session_weekdays]
                if f.session_weekdays
                else None,
                session_starts_from=f.session_starts_from,
                session_starts_before=f.session_starts_before,
                first=first,
                after=after,
                with_providers=asks_for(info, *PROVIDER_PATHS),
            ),
            fields={"participantId": "filter.nearParticipantId", "latitude": "filter.near"},
        )
        for hit in result.page.items:
            if (provider := hit.provider) is not None:
                info.context.loaders.provider.prime(provider.id, provider)
        return connection(
            result.page,
            lambda hit: ProviderSearchResult(
                facility=from_model(Facility, hit.facility),
                distance_km=None if hit.distance_km is None else round(hit.distance_km, 3),
                matching=result.wanted_specialty_ids,
            ),
        )
