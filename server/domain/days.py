"""Days as people live them: today in a time zone, the day a moment falls on there, and when a day starts."""

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from server.domain.columns import utcnow

# The zone furthest ahead (UTC+14, Kiribati): its day is the latest one that has begun anywhere.
FURTHEST_AHEAD = "Etc/GMT-14"


def _zone(zone: str | tzinfo) -> tzinfo:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def today_in(zone: str | tzinfo) -> date:
    """Today as people in `zone` live it (an IANA name or a tzinfo)."""
    return utcnow().astimezone(_zone(zone)).date()


def latest_today() -> date:
    """The latest day that has begun somewhere on Earth: no later day can have happened yet."""
    return today_in(FURTHEST_AHEAD)


def day_of(moment: datetime, zone: str | tzinfo) -> date:
    """The local day `moment` falls on in `zone`."""
    return moment.astimezone(_zone(zone)).date()


def day_start(day: date, zone: str | tzinfo) -> datetime:
    """The instant (UTC) the local `day` begins in `zone`."""
    return datetime.combine(day, time(0), _zone(zone)).astimezone(UTC)
