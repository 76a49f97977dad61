"""Code sets (billable services with a rate), bundles of them, and the item codes that tie them to benefits."""

from sqlalchemy import Subquery, union
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
from server.domain.errors import DomainError, ErrorCode, Invalid, NotFound
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
    ids = v.argument(v.references(), code_set_ids, field="codeSetIds")
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


def active_item_codes():
    """The item codes a benefit is still billed under."""
    return BenefitItemCode.active.is_(True)


def active_bundle_members():
    """The code sets still in a bundle."""
    return CodeSetBundleMember.active.is_(True)


def billing() -> Subquery:
    """Which code sets bill which benefits (columns `benefit_id`, `code_set_id`): the code set of each active item
    code, and each active member of an active bundle an active item code names; active code sets only.

    The one definition of "bills this benefit": disbursements, schedules and provider search all read it."""
    item, member = BenefitItemCode, CodeSetBundleMember
    direct = (
        select(item.benefit_id, item.code_set_id)
        .join(CodeSet, CodeSet.id == item.code_set_id)
        .where(item.active.is_(True), CodeSet.active.is_(True))
    )
    bundled = (
        select(item.benefit_id, member.code_set_id)
        .join(CodeSetBundle, CodeSetBundle.id == item.code_set_bundle_id)
        .join(member, member.bundle_id == CodeSetBundle.id)
        .join(CodeSet, CodeSet.id == member.code_set_id)
        .where(item.active.is_(True), CodeSetBundle.active.is_(True), member.active.is_(True), CodeSet.active.is_(True))
    )
    return union(direct, bundled).subquery()


def _among(column, ids):
    return column == ids if isinstance(ids, int) else column.in_(ids)


async def billing_code_sets(session: AsyncSession, benefit_ids: list[int]) -> dict[int, list[CodeSet]]:
    """The code sets that bill each benefit, by code: what a provider may schedule and deliver it under."""
    bills = billing()
    query = (
        select(bills.c.benefit_id, CodeSet)
        .join(CodeSet, CodeSet.id == bills.c.code_set_id)
        .where(bills.c.benefit_id.in_(benefit_ids))
        .order_by(CodeSet.code, CodeSet.id)
    )
    found: dict[int, list[CodeSet]] = {i: [] for i in benefit_ids}
    for benefit_id, code_set in (await session.exec(query)).all():
        found[benefit_id].append(code_set)
    return found


async def billing_code_set(
    session: AsyncSession, benefit_id: int, code_set_id: int | None, *, field: str = "codeSetId"
) -> CodeSet | None:
    """The code set a delivery of the benefit is billed by (ad hoc, bulk and a schedule's sessions alike): the one
    chosen, which must bill the benefit (directly or through a bundle of its item codes); none chosen, the benefit's
    only one. A choice is REQUIRED only when several bill it; when none does, the delivery has no code and no
    amount."""
    candidates = select(CodeSet).where(CodeSet.id.in_(code_sets_billing(benefit_id)))
    if code_set_id is not None:
        found = (await session.exec(candidates.where(CodeSet.id == code_set_id))).first()
        if found is None:
            raise Invalid("Choose an active code set that bills this benefit.", field=field)
        return found
    found = (await session.exec(candidates.order_by(CodeSet.id).limit(2))).all()
    if len(found) > 1:
        raise DomainError(
            "Several code sets bill this benefit: choose the one delivered.", field=field, code=ErrorCode.REQUIRED
        )
    return found[0] if found else None


def code_sets_billing(benefit_ids):
    """The ids of the code sets that bill the benefit (an id, or a subquery of ids): a subquery for `IN`."""
    bills = billing()
    return select(bills.c.code_set_id).where(_among(bills.c.benefit_id, benefit_ids))


def benefits_billed_by(code_set_ids):
    """The ids of the benefits the code set bills (an id, or a subquery of ids): a subquery for `IN`."""
    bills = billing()
    return select(bills.c.benefit_id).where(_among(bills.c.code_set_id, code_set_ids))
