"""Providers of the shared network. Agency staff see all of them; provider users see only their own."""

from sqlalchemy import ColumnElement, func, true
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.errors import Conflict
from server.domain.network.models import Provider, ProviderStatus, ProviderType
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, Role, require
from server.domain.records import apply_changes, fetch

RULES = {
    "name": v.text(200, required=True),
    "type": v.choice(ProviderType, required=True),
    "status": v.choice(ProviderStatus),
    "searchable": v.flag(),
    "description": v.text(2000),
    "phone": v.phone(),
    "email": v.email(),
    "website": v.url(),
    "time_zone": v.time_zone(),
}
EDITORS = frozenset({Role.AGENCY_ADMIN})
# What a provider's admins set for their own provider.
SETTINGS_RULES = {"time_zone": v.time_zone()}


def visible_providers(principal: Principal) -> ColumnElement[bool]:
    """The providers `principal` may see: all for agency staff, their own for provider users."""
    return true() if principal.is_agency else Provider.id == principal.provider_id


async def list_providers(
    session: AsyncSession,
    principal: Principal | None,
    *,
    search: str | None = None,
    type: ProviderType | None = None,
    status: ProviderStatus | None = None,
    first: int,
    after: str | None = None,
) -> Page[Provider]:
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DIRECTORY_READ)
    query = select(Provider).where(visible_providers(principal))
    if search:
        query = query.where(func.lower(Provider.name).contains(search.strip().lower(), autoescape=True))
    if type is not None:
        query = query.where(Provider.type == type)
    if status is not None:
        query = query.where(Provider.status == status)
    return await paginate(
        session, query, order=[(Provider.name, "asc"), (Provider.id, "asc")], first=first, after=after
    )


async def get_provider(session: AsyncSession, principal: Principal | None, provider_id: int) -> Provider:
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DIRECTORY_READ)
    return await fetch(session, Provider, provider_id, scope=visible_providers(principal), what="provider")


async def _check_name_free(session: AsyncSession, name: str, provider_id: int | None = None) -> None:
    query = select(Provider.id).where(func.lower(Provider.name) == name.lower())
    if provider_id is not None:
        query = query.where(Provider.id != provider_id)
    if (await session.exec(query)).first() is not None:
        raise Conflict(f"A provider named {name!r} exists.", field="name")


async def create_provider(session: AsyncSession, principal: Principal | None, values: dict) -> Provider:
    principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
    values = v.clean(RULES, values, partial=False)
    await _check_name_free(session, values["name"])
    provider = Provider(**values)
    session.add(provider)
    await record_event(session, principal, action="provider.create", record=provider, before=None, agency_id=None)
    return provider


async def update_provider(
    session: AsyncSession, principal: Principal | None, provider_id: int, values: dict
) -> Provider:
    principal = require(principal, EDITORS, scope=Scope.DIRECTORY_WRITE)
    values = v.clean(RULES, values, partial=True)
    provider = await fetch(session, Provider, provider_id, what="provider")
    if "name" in values:
        await _check_name_free(session, values["name"], provider.id)
    before = snapshot(provider)
    if apply_changes(provider, values):
        await record_event(session, principal, action="provider.update", record=provider, before=before, agency_id=None)
    return provider


async def update_settings(session: AsyncSession, principal: Principal | None, values: dict) -> Provider:
    """The provider's own settings, changed by its admins: its time zone (null: its first facility's)."""
    principal = require(principal, {Role.PROVIDER_ADMIN})
    values = v.clean(SETTINGS_RULES, values, partial=True)
    provider = await fetch(session, Provider, principal.provider_id, what="provider")
    before = snapshot(provider)
    if apply_changes(provider, values):
        await record_event(
            session, principal, action="provider.settings", record=provider, before=before, agency_id=None
        )
    return provider


async def deactivate_provider(session: AsyncSession, principal: Principal | None, provider_id: int) -> Provider:
    """Inactive providers leave search and get no new referrals; their records stay."""
    return await update_provider(session, principal, provider_id, {"status": ProviderStatus.INACTIVE})
