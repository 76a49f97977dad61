"""Recurrence expansion: the design's examples, monthly by weekday, count versus until, daylight saving."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from server.domain.delivery.recurrence import (
    MAX_SESSIONS,
    Frequency,
    Recurrence,
    RecurrenceError,
    Weekday,
    occurrences,
)

CHICAGO = ZoneInfo("America/Chicago")
MWF = (Weekday.MO, Weekday.WE, Weekday.FR)


def local(sessions):
    return [(a.astimezone(CHICAGO), b.astimezone(CHICAGO)) for a, b in sessions]


def weekly(**kwargs) -> Recurrence:
    return Recurrence(
        start=datetime(2026, 1, 5, 9),
        end=datetime(2026, 1, 5, 12),
        time_zone="America/Chicago",
        frequency=Frequency.WEEKLY,
        weekdays=MWF,
        **kwargs,
    )


def test_mondays_wednesdays_and_fridays_9_to_12_for_12_weeks():
    sessions = local(occurrences(weekly(count=36)))
    assert len(sessions) == 36
    assert {s.strftime("%a") for s, _ in sessions} == {"Mon", "Wed", "Fri"}
    assert all((s.hour, s.minute, e.hour) == (9, 0, 12) for s, e in sessions)
    assert sessions[-1][0].date() == date(2026, 3, 27)


def test_count_and_until_bound_the_same_sessions():
    assert occurrences(weekly(count=36)) == occurrences(weekly(until=date(2026, 3, 27)))
    assert len(occurrences(weekly(until=date(2026, 3, 26)))) == 35


def test_nine_oclock_stays_nine_oclock_across_the_daylight_saving_change():
    sessions = occurrences(weekly(until=date(2026, 3, 13)))  # clocks go forward on Sunday 8 March 2026
    before = [s for s, _ in sessions if s.date() < date(2026, 3, 8)]
    after = [s for s, _ in sessions if s.date() > date(2026, 3, 8)]
    assert {s.hour for s in before} == {15} and {s.hour for s in after} == {14}  # UTC
    assert {s.astimezone(CHICAGO).hour for s in before + after} == {9}


@pytest.mark.parametrize(
    ("week", "weekday", "expected"),
    [
        (2, Weekday.TU, [date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)]),
        (-1, Weekday.FR, [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24)]),
    ],
)
def test_monthly_on_the_nth_weekday(week, weekday, expected):
    r = Recurrence(
        start=datetime(2026, 1, 1, 18),
        end=datetime(2026, 1, 1, 19),
        time_zone="America/Chicago",
        frequency=Frequency.MONTHLY,
        weekdays=(weekday,),
        month_week=week,
        count=4,
    )
    assert [s.date() for s, _ in local(occurrences(r))] == expected


def test_monthly_on_a_day_and_every_other_week():
    r = Recurrence(
        start=datetime(2026, 1, 15, 10),
        end=datetime(2026, 1, 15, 11),
        time_zone="America/Chicago",
        frequency=Frequency.MONTHLY,
        month_day=15,
        until=date(2026, 4, 30),
    )
    assert [s.date().month for s, _ in local(occurrences(r))] == [1, 2, 3, 4]
    fortnightly = occurrences(weekly(count=4, interval=2))
    assert [s.astimezone(CHICAGO).date() for s, _ in fortnightly] == [
        date(2026, 1, 5),
        date(2026, 1, 7),
        date(2026, 1, 9),
        date(2026, 1, 19),
    ]


@pytest.mark.parametrize(
    ("recurrence", "field"),
    [
        (weekly(), "until"),  # neither until nor count
        (weekly(count=3, until=date(2026, 2, 1)), "until"),
        (weekly(until=date(2035, 1, 1)), "until"),  # far more than 500 sessions
        (weekly(count=MAX_SESSIONS + 1), "count"),
        (
            Recurrence(
                start=datetime(2026, 1, 5, 9),
                end=datetime(2026, 1, 5, 8),
                time_zone="America/Chicago",
                frequency=Frequency.ONCE,
            ),
            "firstEnd",
        ),
        (
            Recurrence(
                start=datetime(2026, 1, 5, 9),
                end=datetime(2026, 1, 5, 10),
                time_zone="Mars/Olympus",
                frequency=Frequency.ONCE,
            ),
            "timeZone",
        ),
        (
            Recurrence(
                start=datetime(2026, 1, 5, 9),
                end=datetime(2026, 1, 5, 10),
                time_zone="America/Chicago",
                frequency=Frequency.WEEKLY,
                count=3,
            ),
            "weekdays",
        ),
    ],
)
def test_bad_recurrences_name_their_field(recurrence, field):
    with pytest.raises(RecurrenceError) as error:
        occurrences(recurrence)
    assert error.value.field == field
