"""Days as people live them: today in a time zone, the day a moment falls on there, and when a day starts."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from server.domain.columns import utcnow


def today_in(zone: str) -> date:
    return utcnow().astimezone(ZoneInfo(zone)).date()


def day_of(moment: datetime, zone: str) -> date:
    """The local day `moment` falls on in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).date()


def day_start(day: date, zone: str) -> datetime:
    """The instant (UTC) the local `day` begins in `zone`."""
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
