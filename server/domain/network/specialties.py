"""The care-specialty tree, shared by the whole network (HSDS taxonomy terms)."""

from sqlalchemy import select as sa_select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.network.models import CareSpecialty, SpecialtyType
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, Role, require
from server.domain.records import apply_changes, fetch

RULES = {
    "parent_id": v.reference(),
    "code": v.text(40, required=True),
    "name": v.text(200, required=True),
    "type": v.choice(SpecialtyType, required=True),
}
EDITORS = frozenset({Role.AGENCY_ADMIN})
READERS = AGENCY_ROLES | PROVIDER_ROLES


def descendants_of(specialty_ids, *, name: str = "specialty_tree"):
    """A recursive CTE of the given specialties (a list or a subquery of ids) and every specialty under them
    (column `id`); one statement holding several trees names each."""
    roots = sa_select(CareSpecialty.id.label("id")).where(CareSpecialty.id.in_(specialty_ids))
    tree = roots.cte(name, recursive=True)
    children = sa_select(CareSpecialty.id).join(tree, CareSpecialty.parent_id == tree.c.id)
    return tree.union_all(children)


async def list_specialties(
    session: AsyncSession,
    principal: Principal | None,
    *,
    parent_id: int | None = None,
    roots_only: bool = False,
    search: str | None = None,
    include_inactive: bool = False,
    first: int,
    after: str | None = None,
) -> Page[CareSpecialty]:
    require(principal, READERS, scope=Scope.DIRECTORY_READ)
    query = select(CareSpecialty)
    if roots_only:
        query = query.where(CareSpecialty.parent_id.is_(None))
    if parent_id is not None:
        query = query.where(CareSpecialty.parent_id == parent_id)
    if search:
        query = query.where(CareSpecialty.name.ilike(f"%{search.strip()}%"))
    if not include_inactive:
        query = query.where(CareSpecialty.active.is_(True))
    return await paginate(
        session,
        query,
        order=[(CareSpecialty.name, "asc"), (CareSpecialty.id, "asc")],
        first=first,
        after=after,
    )


async def get_specialty(session: AsyncSession, principal: Principal | None, specialty_id: int) -> CareSpecialty:
    require(principal, READERS, scope=Scope.DIRECTORY_READ)
    return await fetch(session, CareSpecialty, specialty_id, what="care specialty")


async def check_specialties_exist(session: AsyncSession, ids: list[int], *, field: str) -> None:
    found = set(
        (
            await session.exec(
                select(CareSpecialty.id).where(CareSpecialty.id.in_(ids), CareSpecialty.active.is_(True))
            )
        ).all()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"No active care specialty with id {missing[0]}.", field=field)


async def _check_code_free(session: AsyncSession, code: str, specialty_id: int | None = None) -> None:
    query = select(CareSpecialty.id).where(CareSpecialty.code == code)
    if specialty_id is not None:
        query = query.where(CareSpecialty.id != specialty_id)
    if (await session.exec(query)).first() is not None:
        raise Conflict(f"A care specialty with code {code!r} exists.", field="code")


async def create_specialty(session: AsyncSession, principal: Principal | None, values: dict) -> CareSpecialty:
    principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
    values = v.clean(RULES, values, partial=False)
    await _check_code_free(session, values["code"])
    if values.get("parent_id") is not None:
        await check_specialties_exist(session, [values["parent_id"]], field="parentId")
    specialty = CareSpecialty(**values)
    session.add(specialty)
    await record_event(
        session, principal, action="care_specialty.create", record=specialty, before=None, agency_id=None
    )
    return specialty


async def update_specialty(
    session: AsyncSession, principal: Principal | None, specialty_id: int, values: dict
) -> CareSpecialty:
    principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
    values = v.clean(RULES, values, partial=True)
    specialty = await fetch(session, CareSpecialty, specialty_id, what="care specialty")
    if "code" in values:
        await _check_code_free(session, values["code"], specialty.id)
    if values.get("parent_id") is not None:
        await check_specialties_exist(session, [values["parent_id"]], field="parentId")
        tree_ids = set((await session.exec(select(descendants_of([specialty.id]).c.id))).all())
        if values["parent_id"] in tree_ids:
            raise Invalid("A specialty cannot be placed under itself or its own descendants.", field="parentId")
    before = snapshot(specialty)
    if apply_changes(specialty, values):
        await record_event(
            session,
            principal,
            action="care_specialty.update",
            record=specialty,
            before=before,
            agency_id=None,
        )
    return specialty


async def deactivate_specialty(session: AsyncSession, principal: Principal | None, specialty_id: int) -> CareSpecialty:
    """Refused while active specialties sit under it: deactivate those first, so no branch is orphaned."""
    principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
    specialty = await fetch(session, CareSpecialty, specialty_id, what="care specialty")
    child = (
        await session.exec(
            select(CareSpecialty.id).where(CareSpecialty.parent_id == specialty.id, CareSpecialty.active.is_(True))
        )
    ).first()
    if child is not None:
        raise Conflict("Deactivate the specialties under this one first.", field="id")
    before = snapshot(specialty)
    if apply_changes(specialty, {"active": False}):
        await record_event(
            session,
            principal,
            action="care_specialty.deactivate",
            record=specialty,
            before=before,
            agency_id=None,
        )
    return specialty


def active_specialties():
    """The specialties still in the taxonomy (a retired one stays for the records that name it)."""
    return CareSpecialty.active.is_(True)
