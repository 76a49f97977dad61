"""Keyset (cursor) pagination in SQL: a page costs one statement whatever its position; its list's total
costs one more, only when asked for (`count`)."""

import base64
import enum
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession as SQLAlchemySession
from sqlalchemy.sql import Select
from sqlalchemy.types import BigInteger, Integer, NullType, SmallInteger
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
    # Each item's companion records (see `paginate`), in the order asked, when some were asked for.
    companions: list[tuple] = field(default_factory=list)

    async def count(self, session: AsyncSession) -> int:
        return await session.scalar(select(func.count()).select_from(self.list_query.order_by(None).subquery()))

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None


def encode_cursor(values: list[Any]) -> str:
    """A cursor of JSON values (`paginate` turns a row's values into JSON through each column's codec)."""
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise Invalid("This cursor was not given by this list.", field="after")
    return values


@dataclass(frozen=True)
class Codec:
    """How values of one python type travel in a cursor: `plain` makes the JSON value, `typed` reads it back
    (raising ValueError or TypeError for anything `plain` cannot have made)."""

    plain: Callable[[Any], Any]
    typed: Callable[[Any], Any]


def _exactly(kind: type) -> Callable[[Any], Any]:
    def typed(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(value)
        return value

    return typed


def _finite_float(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise TypeError(value)
    return float(value)


def _aware_datetime(value: Any) -> datetime:
    moment = datetime.fromisoformat(_exactly(str)(value))
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment


def _finite_decimal(value: Any) -> Decimal:
    try:
        number = Decimal(_exactly(str)(value))
    except ArithmeticError:  # decimal.InvalidOperation
        raise ValueError(value) from None
    if not number.is_finite() or abs(number.adjusted()) > 30:  # beyond any stored amount's digits
        raise ValueError(value)
    return number


def _plain_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise TypeError("A cursor's datetime must be aware.")
    return value.isoformat()


# Keyed by the column's python type; a subclass takes its nearest base's codec (bool and datetime have their own).
CODECS: dict[type, Codec] = {
    bool: Codec(plain=bool, typed=_exactly(bool)),
    int: Codec(plain=int, typed=_exactly(int)),
    float: Codec(plain=float, typed=_finite_float),
    str: Codec(plain=str, typed=_exactly(str)),
    Decimal: Codec(plain=str, typed=_finite_decimal),
    datetime: Codec(plain=_plain_datetime, typed=_aware_datetime),
    date: Codec(plain=date.isoformat, typed=lambda v: date.fromisoformat(_exactly(str)(v))),
    time: Codec(plain=time.isoformat, typed=lambda v: time.fromisoformat(_exactly(str)(v))),
}


def _integer_codec(column_type: Integer) -> Codec:
    """Whole numbers within the column's range: a forged cursor's 2**40 is refused, not sent to the database."""
    bits = 16 if isinstance(column_type, SmallInteger) else 64 if isinstance(column_type, BigInteger) else 32

    def typed(value: Any) -> int:
        if type(value) is not int or not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ValueError(value)
        return value

    return Codec(plain=int, typed=typed)


def _enum_codec(kind: type[enum.Enum]) -> Codec:
    return Codec(plain=lambda member: kind(member).value, typed=lambda value: kind(value))


def codec_of(column: ColumnElement) -> Codec:
    """The codec of an `order` column, from its SQL type; an expression must carry its type (`type_=`).

    A column (or type) no codec serves, or a nullable column (NULLs break keyset order), is a programming
    error, raised on a list's first page rather than when a client comes back with its cursor."""
    column_type = column.type
    underlying = getattr(column, "expression", column)
    underlying = getattr(underlying, "element", underlying)  # a label's column
    if getattr(underlying, "nullable", False):
        raise TypeError(f"Keyset order needs NOT NULL columns: {column} is nullable.")
    try:
        if isinstance(column_type, NullType):
            raise NotImplementedError
        kind = getattr(column_type, "impl_instance", column_type).python_type
    except NotImplementedError:
        raise TypeError(f"Give the order expression {column} a SQL type (type_=...).") from None
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _enum_codec(kind)
    stored = getattr(column_type, "impl_instance", column_type)
    if isinstance(stored, Integer):
        return _integer_codec(stored)
    for base in kind.__mro__ if isinstance(kind, type) else ():
        if base in CODECS:
            return CODECS[base]
    raise TypeError(f"No cursor codec for {kind} (column {column}): add one to paging.CODECS.")


def _typed(codec: Codec, value: Any) -> Any:
    """A cursor value as its column's type: a cursor is client input, and a forged one is refused here."""
    try:
        return codec.typed(value)
    except (TypeError, ValueError):
        raise Invalid("This cursor was not given by this list.", field="after") from None


def _after(order: list[tuple[ColumnElement, Direction]], codecs: list[Codec], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or …"""
    # Bound as each column's type: booleans compare as values, and a column's own type converts its value.
    values = [
        literal(_typed(codec, value), column.type)
        for (column, _), codec, value in zip(order, codecs, values, strict=True)
    ]
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
    companions: Sequence[tuple[type, ColumnElement[bool]]] = (),
) -> Page:
    """One page of `query` in `order`, whose last column must be unique (the primary key).

    `values_of` gives a row's values of the `order` columns, for rows that are not one record. `companions` are
    records read in the same statement, one per item (`(model, join condition)`, an inner join: each item must have
    one): `Page.companions` holds them, for the caller to hand to its loaders.
    """
    if first < 1 or first > MAX_PAGE_SIZE:
        raise Invalid(f"Ask for 1 to {MAX_PAGE_SIZE} items.", field="first")
    codecs = [codec_of(column) for column, _ in order]
    page_query = query
    if after is not None:
        page_query = page_query.where(_after(order, codecs, decode_cursor(after, len(order))))
    page_query = page_query.order_by(*(c.asc() if d == "asc" else c.desc() for c, d in order)).limit(first + 1)
    extra: list[tuple] = []
    if companions:
        for model, condition in companions:
            page_query = page_query.add_columns(model).join(model, condition)
        # SQLAlchemy's execute: SQLModel's `exec` would keep the first record of each row only.
        rows = list((await SQLAlchemySession.execute(session, page_query)).all())
        extra = [tuple(row[1:]) for row in rows[:first]]
        rows = [row[0] for row in rows]
    else:
        rows = list((await session.exec(page_query)).all())
    items = rows[:first]
    keys = [column.key for column, _ in order]
    values_of = values_of or (lambda item: [getattr(item, key) for key in keys])
    cursors = [
        encode_cursor([codec.plain(value) for codec, value in zip(codecs, values_of(item), strict=True)])
        for item in items
    ]
    return Page(
        items=items,
        cursors=cursors,
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        list_query=query,
        companions=extra,
    )
