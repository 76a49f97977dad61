"""Queries of the provider network. Agency staff see the whole network; provider users see their own."""

import strawberry

from server.domain.network import facilities, providers, specialties
from server.graphql.context import Info
from server.graphql.mapping import from_model, optional_id, parse_id
from server.graphql.network.inputs import CareSpecialtyFilter, FacilityFilter, ProviderFilter
from server.graphql.network.types import CareSpecialty, Facility, Provider
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="Providers by name; provider users see only their own provider. Agency staff and provider users."
    )
    async def providers(
        self,
        info: Info,
        filter: ProviderFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Provider] | None:
        f = filter or ProviderFilter()
        page = await run_query(
            info,
            lambda s, p: providers.list_providers(
                s, p, search=f.search, type=f.type, status=f.status, first=first, after=after
            ),
        )
        return connection(page, lambda r: from_model(Provider, r))

    @strawberry.field(
        description="One provider; NOT_FOUND if it does not exist or is not yours to see. Agency staff and "
        "provider users."
    )
    async def provider(self, info: Info, id: strawberry.ID) -> Provider | None:
        record = await run_query(info, lambda s, p: providers.get_provider(s, p, parse_id(id)))
        return from_model(Provider, record)

    @strawberry.field(
        description="Facilities by name; provider users see only their own provider's. Agency staff and provider users."
    )
    async def facilities(
        self,
        info: Info,
        filter: FacilityFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Facility] | None:
        f = filter or FacilityFilter()
        page = await run_query(
            info,
            lambda s, p: facilities.list_facilities(
                s,
                p,
                provider_id=optional_id(f.provider_id, field="filter.providerId"),
                specialty_id=optional_id(f.specialty_id, field="filter.specialtyId"),
                accepting_referrals=f.accepting_referrals,
                include_inactive=f.include_inactive,
                search=f.search,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(Facility, r))

    @strawberry.field(
        description="One facility; NOT_FOUND if it does not exist or is not yours to see. Agency staff and "
        "provider users."
    )
    async def facility(self, info: Info, id: strawberry.ID) -> Facility | None:
        record = await run_query(info, lambda s, p: facilities.get_facility(s, p, parse_id(id)))
        return from_model(Facility, record)

    @strawberry.field(
        description="Care specialties by name; ask for `rootsOnly` and each node's `children` to walk the tree. "
        "Agency staff and provider users."
    )
    async def care_specialties(
        self,
        info: Info,
        filter: CareSpecialtyFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[CareSpecialty] | None:
        f = filter or CareSpecialtyFilter()
        page = await run_query(
            info,
            lambda s, p: specialties.list_specialties(
                s,
                p,
                roots_only=f.roots_only,
                parent_id=optional_id(f.parent_id, field="filter.parentId"),
                search=f.search,
                include_inactive=f.include_inactive,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(CareSpecialty, r))

    @strawberry.field(description="One care specialty. Agency staff and provider users.")
    async def care_specialty(self, info: Info, id: strawberry.ID) -> CareSpecialty | None:
        record = await run_query(info, lambda s, p: specialties.get_specialty(s, p, parse_id(id)))
        return from_model(CareSpecialty, record)
