"""Relay-style connections over the domain's keyset pages."""

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from server.domain.paging import Page
from server.graphql.context import Info

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of this page's first item.")
    end_cursor: str | None = strawberry.field(description="The cursor of this page's last item: pass it as `after`.")


@strawberry.type(description="One item of a page and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to get the items following this one.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, with cursors to the next page and the list's total size.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in the list's order.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    page: strawberry.Private[Page]

    @strawberry.field(description="How many items the whole list (all pages) holds; counted only when asked for.")
    async def total_count(self, info: Info) -> int:
        async with info.context.db.read() as session:
            return await self.page.count(session)

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(page: Page, to_node: Callable) -> Connection:
    return Connection(
        edges=[Edge(cursor=c, node=to_node(item)) for c, item in zip(page.cursors, page.items, strict=True)],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        ),
        page=page,
    )
