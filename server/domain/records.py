"""Steps every service takes on a record: fetch it or fail, apply checked changes, keep link rows in step."""

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, update
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.audit import record_event
from server.domain.columns import utcnow
from server.domain.errors import Conflict, NotFound
from server.domain.principal import Principal

M = TypeVar("M", bound=SQLModel)


async def fetch(
    session: AsyncSession,
    model: type[M],
    record_id: int,
    *,
    scope: ColumnElement[bool] | None = None,
    field: str = "id",
    what: str | None = None,
    for_update: bool = False,
) -> M:
    """The record, if it exists and is within `scope`; otherwise NotFound (the same answer either way).
    `for_update` locks its row until the transaction ends, so concurrent writers to it queue."""
    query = select(model).where(model.id == record_id)
    if scope is not None:
        query = query.where(scope)
    if for_update:
        query = query.with_for_update()
    record = (await session.exec(query)).first()
    if record is None:
        raise NotFound(f"No {what or model.__name__} with id {record_id}.", field=field)
    return record


async def checked_update(session: AsyncSession, record: SQLModel, changes: dict[str, Any], *, conflict: str) -> None:
    """Saves `changes` only if nobody changed `record` since it was read (optimistic version check), so of two
    racing changes one wins and the other is a Conflict with `conflict` as its message."""
    model = type(record)
    values = {**changes, "version": record.version + 1}
    if "updated_at" in model.model_fields:
        values["updated_at"] = utcnow()
    result = await session.exec(
        update(model).where(model.id == record.id, model.version == record.version).values(**values)
    )
    if result.rowcount != 1:
        raise Conflict(conflict, field="version")
    await session.refresh(record)


def apply_changes(record: SQLModel, values: dict[str, Any]) -> bool:
    """Sets `values` on `record`; True if anything changed. Touches `updated_at` where the table has it."""
    changed = False
    for key, value in values.items():
        if getattr(record, key) != value:
            setattr(record, key, value)
            changed = True
    if changed and "updated_at" in type(record).model_fields:
        record.updated_at = utcnow()
    return changed


async def set_links(
    session: AsyncSession,
    principal: Principal,
    model: type[M],
    *,
    owner: SQLModel,
    owner_key: str,
    target: str,
    wanted: dict[int, dict[str, Any]],
    agency_id: int | None,
    today: date | None = None,
) -> None:
    """Makes the active `model` links of `owner` exactly `wanted` (target id → extra values).

    Links are never deleted: dropped ones are deactivated and come back to life when wanted again.
    A change is audited as `<owner table>.<link table>` with the active links before and after.
    Links with effective dates need `today`, the owner's local day, to date their start and end.
    """
    if today is None and hasattr(model, "effective_from"):
        raise TypeError(f"{model.__name__} links are dated: give set_links the owner's local day")
    owner_id = owner.id
    existing = {
        getattr(link, target): link
        for link in (await session.exec(select(model).where(getattr(model, owner_key) == owner_id))).all()
    }
    before = _links_state(existing.values(), target)
    for target_id, link in existing.items():
        if target_id not in wanted and link.active:
            link.active = False
            _set_if_present(link, "effective_to", today)
    for target_id, extra in wanted.items():
        link = existing.get(target_id)
        if link is None:
            session.add(model(**{owner_key: owner_id, target: target_id, "active": True, **extra}))
            continue
        if not link.active:
            link.active = True
            _set_if_present(link, "effective_to", None)
            _set_if_present(link, "effective_from", today)
        for key, value in extra.items():
            setattr(link, key, value)
    await session.flush()
    links = (await session.exec(select(model).where(getattr(model, owner_key) == owner_id))).all()
    after = _links_state(links, target)
    if before != after:
        await record_event(
            session,
            principal,
            action=f"{owner.__tablename__}.{model.__tablename__}",
            record=owner,
            before=before,
            after=after,
            agency_id=agency_id,
        )


def _links_state(links, target: str) -> dict[str, dict]:
    return {
        str(getattr(link, target)): {k: v for k, v in link.model_dump(mode="json").items() if k not in ("id",)}
        for link in links
        if link.active
    }


def _set_if_present(record: SQLModel, key: str, value: Any) -> None:
    if key in type(record).model_fields:
        setattr(record, key, value)
