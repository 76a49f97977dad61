"""Keyset (cursor) pagination in SQL: a page costs one statement whatever its position; its list's total
costs one more, only when asked for (`count`)."""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.errors import Invalid

MAX_PAGE_SIZE = 100

Direction = Literal["asc", "desc"]
T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    # The whole list's query, unpaged: `count` runs it when a client asks for the total.
    list_query: Select

    async def count(self, session: AsyncSession) -> int:
        return await session.scalar(select(func.count()).select_from(self.list_query.order_by(None).subquery()))

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None


def encode_cursor(values: list[Any]) -> str:
    text = json.dumps(values, separators=(",", ":"), default=lambda v: v.isoformat())  # datetimes as ISO 8601
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise Invalid("This cursor was not given by this list.", field="after")
    return values


def _typed(column: ColumnElement, value: Any) -> Any:
    """A cursor value as its column's type: a cursor is client input, and a forged one is refused here."""
    try:
        column_type = column.type
        expected = getattr(column_type, "impl_instance", column_type).python_type
    except NotImplementedError:  # a computed expression, such as a distance
        expected = float
    if expected is datetime and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if (expected is float and number) or (expected in (int, str) and type(value) is expected):
        return value
    raise Invalid("This cursor was not given by this list.", field="after")


def _after(order: list[tuple[ColumnElement, Direction]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or …"""
    values = [_typed(column, value) for (column, _), value in zip(order, values, strict=True)]
    clauses = []
    for i, (column, direction) in enumerate(order):
        step = column > values[i] if direction == "asc" else column < values[i]
        equal = [order[j][0] == values[j] for j in range(i)]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


async def paginate(
    session: AsyncSession,
    query: Select,
    *,
    order: list[tuple[ColumnElement, Direction]],
    first: int,
    after: str | None,
    values_of: Callable[[Any], list[Any]] | None = None,
) -> Page:
    """One page of `query` in `order`, whose last column must be unique (the primary key).

    `values_of` gives a row's values of the `order` columns, for rows that are not one record.
    """
    if first < 1 or first > MAX_PAGE_SIZE:
        raise Invalid(f"Ask for 1 to {MAX_PAGE_SIZE} items.", field="first")
    page_query = query
    if after is not None:
        page_query = page_query.where(_after(order, decode_cursor(after, len(order))))
    page_query = page_query.order_by(*(c.asc() if d == "asc" else c.desc() for c, d in order)).limit(first + 1)
    rows = list((await session.exec(page_query)).all())
    items = rows[:first]
    keys = [column.key for column, _ in order]
    values_of = values_of or (lambda item: [getattr(item, key) for key in keys])
    cursors = [encode_cursor(values_of(item)) for item in items]
    return Page(
        items=items,
        cursors=cursors,
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        list_query=query,
    )
