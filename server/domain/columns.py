"""The column types and the clock the domain's tables use: core's (`server.core.columns`), named here too because
migrations and earlier code refer to `server.domain.columns`."""

from server.core.columns import UTCDateTime, enum_type, set_clock, utcnow

__all__ = ["UTCDateTime", "enum_type", "set_clock", "utcnow"]
