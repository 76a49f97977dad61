"""The generic DataLoaders every area's loaders are made of: rows by id, rows grouped by a key, a value by id.

Each batches the ids of one level of a query into one statement. What a loader admits (`where`) is the domain's
clause, never written here."""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import ColumnElement
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from server.db import Database, RequestDatabase
from server.domain.principal import Principal

Db = Database | RequestDatabase


def by_id(
    db: Db, model: type[SQLModel], *, where: Sequence[ColumnElement[bool]] = ()
) -> DataLoader[int, SQLModel | None]:
    """Rows of `model` by id; None for an id that does not exist or that `where` does not admit."""

    async def load(ids: Sequence[int]) -> list[SQLModel | None]:
        async with db.read() as session:
            query = select(model).where(model.id.in_(ids), *where)
            rows = {row.id: row for row in (await session.exec(query)).all()}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def by_key(
    db: Db,
    model: type[SQLModel],
    key: ColumnElement,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    order: Sequence[ColumnElement] = (),
) -> DataLoader[int, list[SQLModel]]:
    """Rows of `model` grouped by `key` (a foreign key), in `order` then id."""

    async def load(keys: Sequence[int]) -> list[list[SQLModel]]:
        query = select(model).where(key.in_(keys), *where).order_by(*order, model.id)
        groups: dict[int, list[SQLModel]] = defaultdict(list)
        async with db.read() as session:
            for row in (await session.exec(query)).all():
                groups[getattr(row, key.key)].append(row)
        return [groups.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def value_by_id(db: Db, model: type[SQLModel], value: ColumnElement) -> DataLoader[int, object]:
    """One value computed in SQL (`value`, over `model`) for each id."""

    async def load(ids: Sequence[int]) -> list[object]:
        async with db.read() as session:
            rows = dict((await session.exec(select(model.id, value).where(model.id.in_(ids)))).all())
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def computed(
    db: Db,
    compute: Callable[[AsyncSession, list[int]], Awaitable[dict]],
    *,
    missing: Callable[[], object] | None = None,
) -> DataLoader:
    """What a domain function `compute(session, ids)` finds for each id (a dict by id); an id it leaves out gets
    `missing()`, or is a KeyError when `missing` is None (the function answers every id)."""

    async def load(ids: Sequence[int]) -> list:
        async with db.read() as session:
            found = await compute(session, list(ids))
        return [found[i] if missing is None else found.get(i, missing()) for i in ids]

    return DataLoader(load_fn=load)


class AreaLoaders:
    """What an area's loaders are made from: the request's database and caller. `Loaders` composes the areas."""

    def __init__(self, db: Db, principal: Principal | None = None) -> None:
        self.db = db
        self.principal = principal
