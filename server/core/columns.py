"""Column types shared by every table (UTC timestamps, enums stored by value) and the one clock."""

import enum
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

# How far the clock is moved from the real one: only tests move it (`set_clock`), to act at a chosen moment.
_clock_offset = timedelta(0)


def utcnow() -> datetime:
    """Now, in UTC: the one clock (every timestamp and every "today" is read from it)."""
    return datetime.now(UTC) + _clock_offset


def set_clock(moment: datetime | None) -> None:
    """Makes `utcnow()` run on from `moment` (None: the real clock again). For tests."""
    global _clock_offset
    _clock_offset = timedelta(0) if moment is None else moment - datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores an aware datetime as UTC (naive on SQLite, timestamptz on PostgreSQL); reads back aware UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[enum.Enum]) -> sa.Enum:
    """A VARCHAR holding the enum's value: no database enum type, so adding a value needs no migration."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )
