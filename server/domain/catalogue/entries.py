"""What every catalogue entry shares: it belongs to one agency, its staff read it, its admins edit it."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.errors import Conflict
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, Principal, Role, require
from server.domain.records import apply_changes, fetch

M = TypeVar("M", bound=SQLModel)
EDITORS = frozenset({Role.AGENCY_ADMIN})
Check = Callable[[AsyncSession, Principal, M, dict[str, Any]], Awaitable[None]]


class CatalogueEntries(Generic[M]):
    """Reads, creates, updates and deactivates one kind of entry, always inside the principal's agency.

    `references` maps a field to the agency-owned model it must point at; `unique` names the fields
    that, with the agency, identify an entry; `check` runs cross-field rules on the entry before saving.
    """

    def __init__(
        self,
        model: type[M],
        *,
        what: str,
        rules: Mapping[str, v.Rule],
        unique: tuple[str, ...],
        references: Mapping[str, type[SQLModel]] | None = None,
        check: Check | None = None,
    ) -> None:
        self.model = model
        self.what = what
        self.rules = rules
        self.unique = unique
        self.references = references or {}
        self.check = check
        self.action = model.__tablename__

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        return self.model.agency_id == principal.agency_id

    async def list(
        self,
        session: AsyncSession,
        principal: Principal | None,
        *,
        where: list[ColumnElement[bool]] = (),
        search: str | None = None,
        first: int,
        after: str | None = None,
    ) -> Page[M]:
        principal = require(principal, AGENCY_ROLES, scope=Scope.DIRECTORY_READ)
        query = select(self.model).where(self.scope(principal), *where)
        label = getattr(self.model, self.unique[-1])
        if search:
            query = query.where(func.lower(label).contains(search.strip().lower(), autoescape=True))
        return await paginate(session, query, order=[(label, "asc"), (self.model.id, "asc")], first=first, after=after)

    async def get(self, session: AsyncSession, principal: Principal | None, entry_id: int) -> M:
        principal = require(principal, AGENCY_ROLES, scope=Scope.DIRECTORY_READ)
        return await fetch(session, self.model, entry_id, scope=self.scope(principal), what=self.what)

    async def create(self, session: AsyncSession, principal: Principal | None, values: dict) -> M:
        principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
        values = v.clean(self.rules, values, partial=False)
        entry = self.model(agency_id=principal.agency_id, **values)
        await self._check(session, principal, entry, values)
        session.add(entry)
        await record_event(
            session,
            principal,
            action=f"{self.action}.create",
            record=entry,
            before=None,
            agency_id=principal.agency_id,
        )
        return entry

    async def update(self, session: AsyncSession, principal: Principal | None, entry_id: int, values: dict) -> M:
        principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
        values = v.clean(self.rules, values, partial=True)
        entry = await fetch(session, self.model, entry_id, scope=self.scope(principal), what=self.what)
        before = snapshot(entry)
        if apply_changes(entry, values):
            await self._check(session, principal, entry, values)
            await record_event(
                session,
                principal,
                action=f"{self.action}.update",
                record=entry,
                before=before,
                agency_id=principal.agency_id,
            )
        return entry

    async def deactivate(self, session: AsyncSession, principal: Principal | None, entry_id: int) -> M:
        """Entries are never deleted: an inactive one stays on the records that use it."""
        principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
        entry = await fetch(session, self.model, entry_id, scope=self.scope(principal), what=self.what)
        before = snapshot(entry)
        if apply_changes(entry, {"active": False}):
            await record_event(
                session,
                principal,
                action=f"{self.action}.deactivate",
                record=entry,
                before=before,
                agency_id=principal.agency_id,
            )
        return entry

    async def _check(self, session: AsyncSession, principal: Principal, entry: M, values: dict) -> None:
        for key, model in self.references.items():
            if key in values and values[key] is not None:
                await fetch(
                    session,
                    model,
                    values[key],
                    scope=model.agency_id == principal.agency_id,
                    field=v.field_name(key),
                    what=model.__name__,
                )
        same = select(self.model.id).where(
            self.scope(principal), *(getattr(self.model, key) == getattr(entry, key) for key in self.unique)
        )
        if entry.id is not None:
            same = same.where(self.model.id != entry.id)
        if (await session.exec(same)).first() is not None:
            names = " and ".join(v.field_name(key) for key in self.unique)
            raise Conflict(f"Another {self.what} has the same {names}.", field=v.field_name(self.unique[-1]))
        if self.check is not None:
            await self.check(session, principal, entry, values)
