"""Expanding a schedule's recurrence into session times, with dateutil's rrule, in the facility's time zone.

Recurrence runs on local wall-clock times and each occurrence is converted to UTC on its own, so a 9:00
session stays at 9:00 across a daylight-saving change.
"""

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

from server.domain.validation import is_time_zone

MAX_SESSIONS = 500


class Frequency(enum.StrEnum):
    ONCE = "ONCE"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


class Weekday(enum.StrEnum):
    MO = "MO"
    TU = "TU"
    WE = "WE"
    TH = "TH"
    FR = "FR"
    SA = "SA"
    SU = "SU"


RRULE_WEEKDAYS = {
    Weekday.MO: rrule.MO,
    Weekday.TU: rrule.TU,
    Weekday.WE: rrule.WE,
    Weekday.TH: rrule.TH,
    Weekday.FR: rrule.FR,
    Weekday.SA: rrule.SA,
    Weekday.SU: rrule.SU,
}


@dataclass(frozen=True)
class Recurrence:
    """When sessions happen. `start`/`end` are the first session's local wall-clock times in `time_zone`.

    MONTHLY repeats on `month_day` (e.g. 15), or on the `month_week`-th `weekdays[0]` (1 to 5, or -1 for the last).
    Exactly one of `until` (a local date, inclusive) and `count` bounds it, except for ONCE.
    """

    start: datetime
    end: datetime
    time_zone: str
    frequency: Frequency
    interval: int = 1
    weekdays: tuple[Weekday, ...] = field(default_factory=tuple)
    month_day: int | None = None
    month_week: int | None = None
    until: date | None = None
    count: int | None = None


class RecurrenceError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check(r: Recurrence) -> None:
    """Raises RecurrenceError naming the field at fault."""
    if not is_time_zone(r.time_zone):
        raise RecurrenceError("timeZone", f"Unknown time zone {r.time_zone!r}.")
    if r.start.tzinfo is not None or r.end.tzinfo is not None:
        raise RecurrenceError("firstStart", "Give local wall-clock times; the time zone is a field of its own.")
    if r.end <= r.start:
        raise RecurrenceError("firstEnd", "A session must end after it starts.")
    if r.end - r.start > timedelta(hours=24):
        raise RecurrenceError("firstEnd", "A session lasts at most 24 hours.")
    if not 1 <= r.interval <= 52:
        raise RecurrenceError("interval", "The interval is 1 to 52.")
    if r.frequency is Frequency.ONCE:
        return
    if (r.until is None) == (r.count is None):
        raise RecurrenceError("until", "Give either an end date or a number of sessions.")
    if r.count is not None and not 1 <= r.count <= MAX_SESSIONS:
        raise RecurrenceError("count", f"A schedule has 1 to {MAX_SESSIONS} sessions.")
    if r.until is not None and r.until < r.start.date():
        raise RecurrenceError("until", "The end date is before the first session.")
    if r.frequency is Frequency.WEEKLY and not r.weekdays:
        raise RecurrenceError("weekdays", "Choose the weekdays of a weekly schedule.")
    if r.frequency is Frequency.MONTHLY:
        if (r.month_day is None) == (r.month_week is None):
            raise RecurrenceError("monthDay", "Give a day of the month, or a week of the month and a weekday.")
        if r.month_day is not None and not 1 <= r.month_day <= 31:
            raise RecurrenceError("monthDay", "A day of the month is 1 to 31.")
        if r.month_week is not None and (r.month_week not in (1, 2, 3, 4, 5, -1) or len(r.weekdays) != 1):
            raise RecurrenceError("monthWeek", "Give the week (1 to 5, or -1 for the last) and one weekday.")


def occurrences(r: Recurrence) -> list[tuple[datetime, datetime]]:
    """The sessions' (start, end) in UTC. More than MAX_SESSIONS is an error, not a silent cut."""
    check(r)
    zone = ZoneInfo(r.time_zone)
    if r.frequency is Frequency.ONCE:
        starts = [r.start]
    else:
        options = {"dtstart": r.start, "interval": r.interval}
        if r.count is not None:
            options["count"] = r.count
        else:
            options["until"] = datetime.combine(r.until, time.max)
        if r.frequency is Frequency.WEEKLY:
            options["byweekday"] = [RRULE_WEEKDAYS[d] for d in r.weekdays]
        if r.frequency is Frequency.MONTHLY:
            if r.month_day is not None:
                options["bymonthday"] = r.month_day
            else:
                options["byweekday"] = RRULE_WEEKDAYS[r.weekdays[0]](r.month_week)
        frequency = {Frequency.DAILY: rrule.DAILY, Frequency.WEEKLY: rrule.WEEKLY, Frequency.MONTHLY: rrule.MONTHLY}
        starts = []
        for start in rrule.rrule(frequency[r.frequency], **options):
            starts.append(start)
            if len(starts) > MAX_SESSIONS:
                raise RecurrenceError("until", f"This makes more than {MAX_SESSIONS} sessions.")
    if not starts:
        raise RecurrenceError("firstStart", "This recurrence makes no session.")
    duration = r.end - r.start
    return [(_utc(s, zone), _utc(s + duration, zone)) for s in starts]


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: an ambiguous wall-clock time (the hour repeated in autumn) is its first occurrence.
    return local.replace(tzinfo=zone).astimezone(UTC)
