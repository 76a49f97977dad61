"""Code sets (billable services with a rate), bundles of them, and the item codes that tie them to benefits."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.catalogue.entries import CatalogueEntries
from server.domain.catalogue.models import (
    Benefit,
    BenefitItemCode,
    CodeSet,
    CodeSetBundle,
    CodeSetBundleMember,
)
from server.domain.errors import Invalid, NotFound
from server.domain.principal import Principal
from server.domain.records import set_links

code_sets = CatalogueEntries(
    CodeSet,
    what="code set",
    rules={
        "code": v.text(40, required=True),
        "system": v.text(40),
        "description": v.text(500, required=True),
        "rate": v.money(required=True),
    },
    unique=("system", "code"),
)

bundles = CatalogueEntries(
    CodeSetBundle,
    what="code set bundle",
    rules={"name": v.text(200, required=True), "description": v.text(2000)},
    unique=("name",),
)


async def _one_target(_session: AsyncSession, _principal: Principal, item: BenefitItemCode, _values: dict) -> None:
    if (item.code_set_id is None) == (item.code_set_bundle_id is None):
        raise Invalid("Give either a code set or a code set bundle.", field="codeSetId")


item_codes = CatalogueEntries(
    BenefitItemCode,
    what="benefit item code",
    rules={
        "benefit_id": v.reference(required=True),
        "code": v.text(40, required=True),
        "code_set_id": v.reference(),
        "code_set_bundle_id": v.reference(),
    },
    unique=("code",),
    references={"benefit_id": Benefit, "code_set_id": CodeSet, "code_set_bundle_id": CodeSetBundle},
    check=_one_target,
)


async def set_bundle_members(
    session: AsyncSession, principal: Principal, bundle: CodeSetBundle, code_set_ids: list[int]
) -> None:
    ids = v.references().clean(code_set_ids)
    found = set(
        (
            await session.exec(select(CodeSet.id).where(CodeSet.id.in_(ids), CodeSet.agency_id == principal.agency_id))
        ).all()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"No code set with id {missing[0]}.", field="codeSetIds")
    await set_links(
        session,
        principal,
        CodeSetBundleMember,
        owner=bundle,
        owner_key="bundle_id",
        target="code_set_id",
        wanted={i: {} for i in ids},
        agency_id=bundle.agency_id,
    )


async def create_bundle(
    session: AsyncSession, principal: Principal | None, values: dict, code_set_ids: list[int] | None = None
) -> CodeSetBundle:
    bundle = await bundles.create(session, principal, values)
    if code_set_ids:
        await set_bundle_members(session, principal, bundle, code_set_ids)
    return bundle


async def update_bundle(
    session: AsyncSession,
    principal: Principal | None,
    bundle_id: int,
    values: dict,
    code_set_ids: list[int] | None = None,
) -> CodeSetBundle:
    bundle = await bundles.update(session, principal, bundle_id, values)
    if code_set_ids is not None:
        await set_bundle_members(session, principal, bundle, code_set_ids)
    return bundle
