"""Keyset paging over a column of each type a list may be ordered by: the cursors a page gives lead to the
next page, two at a time, to the same list read at once; a cursor of the right shape but the wrong type is
INVALID `after`; a column no cursor can carry is refused on the first page."""

import enum
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import func

from server.domain.columns import UTCDateTime, enum_type
from server.domain.errors import Invalid
from server.domain.paging import encode_cursor, paginate

pytestmark = pytest.mark.anyio


class Colour(enum.Enum):
    RED = "RED"
    GREEN = "GREEN"
    BLUE = "BLUE"


metadata = sa.MetaData()
probe = sa.Table(
    "paging_probe",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(20), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("ratio", sa.Float, nullable=False),
    sa.Column("amount", sa.Numeric(10, 2), nullable=False),
    sa.Column("flag", sa.Boolean, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("moment", UTCDateTime, nullable=False),
    sa.Column("clock", sa.Time, nullable=False),
    sa.Column("colour", enum_type(Colour), nullable=False),
    sa.Column("maybe", sa.String(20), nullable=True),
)

# Seven rows; every value repeats, so the tie-breaking id is needed to page right.
ROWS = [
    {
        "id": i,
        "name": ["Ana", "Bo", "Cy"][i % 3],
        "count": [3, -1, 7][i % 3],
        "ratio": [0.5, 2.25, -1.75][i % 3],
        "amount": [Decimal("1.25"), Decimal("10.50"), Decimal("0.75")][i % 3],
        "flag": i % 2 == 0,
        "day": [date(2026, 11, 25), date(2026, 1, 2), date(2025, 12, 31)][i % 3],
        "moment": [
            datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
            datetime(2026, 11, 25, 9, 30, 0, 250000, tzinfo=UTC),
            datetime(2024, 2, 29, 23, 59, tzinfo=UTC),
        ][i % 3],
        "clock": [time(9, 30), time(23, 59, 59), time(0, 0)][i % 3],
        "colour": [Colour.RED, Colour.GREEN, Colour.BLUE][i % 3],
        "maybe": None,
    }
    for i in range(1, 8)
]

COLUMNS = ["name", "count", "ratio", "amount", "flag", "day", "moment", "clock", "colour"]


@pytest.fixture
async def session(db):
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(probe.insert(), ROWS)
    async with db.read() as session:
        yield session


async def walk(session, query, order, *, values_of=None) -> list[int]:
    """The ids of the list, read two at a time from each page's end cursor."""
    ids, after = [], None
    while True:
        page = await paginate(session, query, order=order, first=2, after=after, values_of=values_of)
        ids += [row.id for row in page.items]
        if not page.has_next_page:
            return ids
        after = page.end_cursor
        assert len(ids) <= len(ROWS)


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("name", COLUMNS)
async def test_a_list_ordered_by_any_column_type_pages_to_the_list_read_at_once(session, name, direction):
    order = [(probe.c[name], direction), (probe.c.id, direction)]
    whole = await paginate(session, sa.select(probe), order=order, first=100, after=None)
    assert sorted(row.id for row in whole.items) == [row["id"] for row in ROWS]
    assert await walk(session, sa.select(probe), order) == [row.id for row in whole.items]


async def test_a_computed_order_pages_by_its_declared_type(session):
    tripled = (probe.c.ratio * 3).label("tripled")
    order = [(tripled, "asc"), (probe.c.id, "asc")]
    query = sa.select(probe.c.id, tripled)
    whole = await paginate(session, query, order=order, first=100, after=None, values_of=lambda r: [r.tripled, r.id])
    assert len(whole.items) == len(ROWS)
    assert await walk(session, query, order, values_of=lambda r: [r.tripled, r.id]) == [r.id for r in whole.items]


FORGED = {
    "name": [1, True, None, ["Ana"]],
    "count": [True, 1.5, "3", None, 2**31, -(2**31) - 1, 2**70],  # beyond the column's range (issue 11)
    "ratio": ["0.5", True, None],
    "amount": [1.25, "abc", "NaN", "Infinity", None, "1E+1000000"],
    "flag": [1, "true", None],
    "day": ["2026-11-25T09:30:00+00:00", "25/11/2026", 20261125, None],
    "moment": ["2026-11-25T09:30:00", "2026-11-25", "yesterday", 1, None],
    "clock": ["25:00", "9h30", 930, None],
    "colour": ["PURPLE", "red", 1, None],
}


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, values in FORGED.items() for v in values])
async def test_a_cursor_value_of_the_wrong_type_is_invalid_after(session, name, value):
    order = [(probe.c[name], "asc"), (probe.c.id, "asc")]
    with pytest.raises(Invalid) as refused:
        await paginate(session, sa.select(probe), order=order, first=2, after=encode_cursor([value, 1]))
    assert refused.value.field == "after"


@pytest.mark.parametrize(
    "column",
    [probe.c.maybe, probe.c.maybe.label("relabelled"), func.lower(probe.c.name)],
    ids=["nullable", "nullable labelled", "untyped"],
)
async def test_a_column_no_cursor_can_carry_is_refused_on_the_first_page(session, column):
    order = [(column, "asc"), (probe.c.id, "asc")]
    with pytest.raises(TypeError, match=r"NOT NULL|SQL type"):
        await paginate(session, sa.select(probe), order=order, first=2, after=None, values_of=lambda r: [r.name, r.id])
