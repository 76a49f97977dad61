"""What every resolver gets: the caller, the database, per-request loaders and the viewer's time zone."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from server.auth.requests import Caller
from server.config import Settings
from server.db import RequestDatabase
from server.domain.days import today_in
from server.domain.principal import Principal
from server.graphql.loaders import Loaders


@dataclass
class Context:
    request: Request | None
    response: Response | None
    db: RequestDatabase
    settings: Settings
    caller: Caller
    loaders: Loaders
    time_zone: tzinfo = UTC
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def principal(self) -> Principal | None:
        return self.caller.principal

    def local(self, moment: datetime | None) -> datetime | None:
        """A stored UTC time shown in the viewer's time zone (their agency's or provider's)."""
        return moment.astimezone(self.time_zone) if moment is not None else None

    def today(self) -> date:
        """Today in the viewer's time zone."""
        return today_in(self.time_zone)


Info = strawberry.Info[Context, None]
