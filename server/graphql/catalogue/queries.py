"""Queries of the benefit catalogue: agency staff, their own agency's entries only."""

import strawberry

from server.domain.catalogue import models
from server.domain.catalogue.benefits import benefit_types, benefits
from server.domain.catalogue.code_sets import bundles, code_sets, item_codes
from server.domain.catalogue.entries import CatalogueEntries
from server.domain.catalogue.programs import programs
from server.graphql.catalogue.inputs import BenefitFilter, CatalogueFilter
from server.graphql.catalogue.types import (
    Benefit,
    BenefitItemCode,
    BenefitType,
    CodeSet,
    CodeSetBundle,
    Program,
)
from server.graphql.context import Info
from server.graphql.mapping import from_model, parse_id
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


async def _list(
    info: Info,
    entries: CatalogueEntries,
    node,
    f: CatalogueFilter | None,
    first: int,
    after: str | None,
    where=(),
) -> Connection:
    f = f or CatalogueFilter()
    where = list(where)
    if not f.include_inactive:
        where.append(entries.model.active.is_(True))
    page = await run_query(info, entries.list, where=where, search=f.search, first=first, after=after)
    return connection(page, lambda r: from_model(node, r))


async def _get(info: Info, entries: CatalogueEntries, node, id: strawberry.ID):
    return from_model(node, await run_query(info, lambda s, p: entries.get(s, p, parse_id(id))))


@strawberry.type
class CatalogueQuery:
    @strawberry.field(description="Your agency's programs, by name. Agency staff.")
    async def programs(
        self, info: Info, search: str | None = None, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[Program] | None:
        page = await run_query(info, programs.list, search=search, first=first, after=after)
        return connection(page, lambda r: from_model(Program, r))

    @strawberry.field(description="One of your agency's programs. Agency staff.")
    async def program(self, info: Info, id: strawberry.ID) -> Program | None:
        return await _get(info, programs, Program, id)

    @strawberry.field(description="Your agency's benefit types, by name. Agency staff.")
    async def benefit_types(
        self,
        info: Info,
        filter: CatalogueFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[BenefitType] | None:
        return await _list(info, benefit_types, BenefitType, filter, first, after)

    @strawberry.field(description="Your agency's benefits, by name. Agency staff.")
    async def benefits(
        self,
        info: Info,
        filter: BenefitFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Benefit] | None:
        f = filter or BenefitFilter()
        where = []
        if f.program_id is not None:
            where.append(models.Benefit.program_id == parse_id(f.program_id, field="filter.programId"))
        return await _list(
            info,
            benefits,
            Benefit,
            CatalogueFilter(search=f.search, include_inactive=f.include_inactive),
            first,
            after,
            where,
        )

    @strawberry.field(description="One of your agency's benefits. Agency staff.")
    async def benefit(self, info: Info, id: strawberry.ID) -> Benefit | None:
        return await _get(info, benefits, Benefit, id)

    @strawberry.field(description="Your agency's code sets, by code. Agency staff.")
    async def code_sets(
        self,
        info: Info,
        filter: CatalogueFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[CodeSet] | None:
        return await _list(info, code_sets, CodeSet, filter, first, after)

    @strawberry.field(description="One of your agency's code sets. Agency staff.")
    async def code_set(self, info: Info, id: strawberry.ID) -> CodeSet | None:
        return await _get(info, code_sets, CodeSet, id)

    @strawberry.field(description="Your agency's code set bundles, by name. Agency staff.")
    async def code_set_bundles(
        self,
        info: Info,
        filter: CatalogueFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[CodeSetBundle] | None:
        return await _list(info, bundles, CodeSetBundle, filter, first, after)

    @strawberry.field(description="Your agency's benefit item codes, by code. Agency staff.")
    async def benefit_item_codes(
        self,
        info: Info,
        filter: CatalogueFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[BenefitItemCode] | None:
        return await _list(info, item_codes, BenefitItemCode, filter, first, after)
