"""What every resolver gets: the caller, the database, per-request loaders and the viewer's time zone."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from server.auth.requests import Caller
from server.config import Settings
from server.db import Database
from server.domain.principal import Principal
from server.graphql.loaders import Loaders


@dataclass
class Context:
    request: Request | None
    response: Response | None
    db: Database
    settings: Settings
    caller: Caller
    loaders: Loaders
    time_zone: tzinfo = UTC
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def principal(self) -> Principal | None:
        return self.caller.principal

    def local(self, moment: datetime | None) -> datetime | None:
        """A stored UTC time shown in the viewer's agency's time zone."""
        return moment.astimezone(self.time_zone) if moment is not None else None


Info = strawberry.Info[Context, None]
