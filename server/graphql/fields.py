"""Fields that many types share, built once: a stored UTC time shown in the viewer's time zone."""

from datetime import datetime
from typing import Any

import strawberry

from server.graphql.context import Info


def local_time(attribute: str, description: str, *, optional: bool = False) -> Any:
    """A field showing the record's `attribute` (a stored UTC time) in the viewer's time zone (`Context.local`).

    `optional` for a time that may be unset (`DateTime` or null). The field is named by the class attribute it is
    assigned to: `recorded_at = local_time("created_at", ...)` shows the record's `created_at` as `recordedAt`.
    """

    def resolve(root: Any, info: Info) -> datetime | None:
        return info.context.local(getattr(root.record, attribute))

    resolve.__annotations__["return"] = datetime | None if optional else datetime
    return strawberry.field(resolver=resolve, description=description)
