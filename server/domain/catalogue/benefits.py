"""Benefit types and benefits, and the care specialties a provider must offer to deliver a benefit."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.catalogue.entries import CatalogueEntries
from server.domain.catalogue.models import Benefit, BenefitKind, BenefitSpecialty, BenefitType, Program
from server.domain.network.specialties import check_specialties_exist
from server.domain.principal import Principal
from server.domain.records import set_links

benefit_types = CatalogueEntries(
    BenefitType,
    what="benefit type",
    rules={
        "name": v.text(200, required=True),
        "category": v.text(100),
        "kind": v.choice(BenefitKind, required=True),
    },
    unique=("name",),
)

benefits = CatalogueEntries(
    Benefit,
    what="benefit",
    rules={
        "program_id": v.reference(required=True),
        "benefit_type_id": v.reference(required=True),
        "name": v.text(200, required=True),
        "description": v.text(2000),
        "unit_of_measure": v.text(40, required=True),
        "requires_authorization": v.flag(),
    },
    unique=("program_id", "name"),
    references={"program_id": Program, "benefit_type_id": BenefitType},
)


async def set_benefit_specialties(
    session: AsyncSession, principal: Principal, benefit: Benefit, specialty_ids: list[int]
) -> None:
    """Makes `specialty_ids` the benefit's required specialties (called inside create or update)."""
    ids = v.argument(v.references(), specialty_ids, field="specialtyIds")
    await check_specialties_exist(session, ids, field="specialtyIds")
    await set_links(
        session,
        principal,
        BenefitSpecialty,
        owner=benefit,
        owner_key="benefit_id",
        target="specialty_id",
        wanted={i: {} for i in ids},
        agency_id=benefit.agency_id,
    )


def active_benefits():
    """The benefits a program still offers."""
    return Benefit.active.is_(True)


def active_benefit_specialties():
    """The specialties a benefit still asks for (its active links)."""
    return BenefitSpecialty.active.is_(True)


async def active_specialty_ids(session: AsyncSession, benefit_id: int) -> list[int]:
    return list(
        (
            await session.exec(
                select(BenefitSpecialty.specialty_id).where(
                    BenefitSpecialty.benefit_id == benefit_id, BenefitSpecialty.active.is_(True)
                )
            )
        ).all()
    )


async def create_benefit(
    session: AsyncSession, principal: Principal | None, values: dict, specialty_ids: list[int] | None = None
) -> Benefit:
    benefit = await benefits.create(session, principal, values)
    if specialty_ids:
        await set_benefit_specialties(session, principal, benefit, specialty_ids)
    return benefit


async def update_benefit(
    session: AsyncSession,
    principal: Principal | None,
    benefit_id: int,
    values: dict,
    specialty_ids: list[int] | None = None,
) -> Benefit:
    benefit = await benefits.update(session, principal, benefit_id, values)
    if specialty_ids is not None:
        await set_benefit_specialties(session, principal, benefit, specialty_ids)
    return benefit
