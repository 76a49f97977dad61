"""Benefit disbursements: who sees them, ad hoc deliveries, and corrections that keep what was there before."""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain import zones
from server.domain.api_clients import Scope
from server.domain.audit import record_event, snapshot
from server.domain.catalogue.code_sets import billing_code_set
from server.domain.catalogue.models import Benefit
from server.domain.clients.models import AssignmentStatus, BenefitAssignment
from server.domain.delivery.models import (
    BenefitDisbursement,
    DisbursementRevision,
    DisbursementStatus,
    RecipientType,
)
from server.domain.errors import Conflict, DomainError, ErrorCode, Invalid, NotFound
from server.domain.paging import Page, paginate
from server.domain.principal import AGENCY_ROLES, PROVIDER_ROLES, Principal, require
from server.domain.records import checked_update, fetch
from server.domain.referrals import referrals
from server.domain.referrals.models import Referral

CENT = Decimal("0.01")


def priced(quantity: Decimal, rate: Decimal | None) -> Decimal | None:
    """Quantity times rate, to the cent; None when no rate applies."""
    return None if rate is None else (quantity * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _positive(value) -> Decimal:
    quantity = v.money().clean(value)
    if quantity <= 0:
        raise ValueError("must be more than zero")
    return quantity


QUANTITY = v.Rule(required=True, nullable=False, check=_positive)
SERVICE_DATE = v.past_date(required=True)


def visible_disbursements(principal: Principal) -> ColumnElement[bool]:
    """The agency sees all of its own; a provider sees those it delivered."""
    if principal.is_provider:
        return BenefitDisbursement.provider_id == principal.provider_id
    return BenefitDisbursement.agency_id == principal.agency_id


async def get_disbursement(session: AsyncSession, principal: Principal | None, disbursement_id: int):
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_READ)
    return await fetch(
        session, BenefitDisbursement, disbursement_id, scope=visible_disbursements(principal), what="disbursement"
    )


async def list_disbursements(
    session: AsyncSession,
    principal: Principal | None,
    *,
    participant_id: int | None = None,
    benefit_assignment_id: int | None = None,
    referral_id: int | None = None,
    session_id: int | None = None,
    bulk_id: int | None = None,
    statuses: list[DisbursementStatus] | None = None,
    first: int,
    after: str | None = None,
) -> Page[BenefitDisbursement]:
    """Newest service date first."""
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_READ)
    query = select(BenefitDisbursement).where(visible_disbursements(principal))
    for column, value in (
        (BenefitDisbursement.participant_id, participant_id),
        (BenefitDisbursement.benefit_assignment_id, benefit_assignment_id),
        (BenefitDisbursement.referral_id, referral_id),
        (BenefitDisbursement.session_id, session_id),
        (BenefitDisbursement.bulk_id, bulk_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if statuses:
        query = query.where(BenefitDisbursement.status.in_(statuses))
    order = [(BenefitDisbursement.service_date, "desc"), (BenefitDisbursement.id, "desc")]
    return await paginate(session, query, order=order, first=first, after=after)


AD_HOC_RULES = {
    "benefit_assignment_id": v.reference(required=True),
    "service_date": SERVICE_DATE,
    "quantity": QUANTITY,
    "code_set_id": v.reference(),
    "note": v.text(2000),
}


async def _serving_referral(session: AsyncSession, principal: Principal, assignment_id: int) -> Referral:
    """The provider's referral of the assignment, in a state where the provider delivers it."""
    found = (
        await session.exec(
            select(Referral)
            .where(
                Referral.benefit_assignment_id == assignment_id,
                referrals.visible_referrals(principal),
            )
            .order_by(Referral.id.desc())
        )
    ).first()
    if found is None:
        raise NotFound(f"No benefit assignment with id {assignment_id}.", field="benefitAssignmentId")
    referrals.check_deliverable(found)
    return found


async def record_disbursement(session: AsyncSession, principal: Principal | None, values: dict) -> BenefitDisbursement:
    """An ad hoc delivery outside sessions, against an assignment the user may see (a provider: one referred to
    it and being served)."""
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_WRITE)
    values = v.clean(AD_HOC_RULES, values, partial=False)
    await zones.check_not_after_today(session, principal, values, "service_date")
    assignment_id = values["benefit_assignment_id"]
    referral = None
    if principal.is_provider:
        referral = await _serving_referral(session, principal, assignment_id)
        assignment = await session.get(BenefitAssignment, assignment_id)
    else:
        assignment = await fetch(
            session,
            BenefitAssignment,
            assignment_id,
            scope=BenefitAssignment.agency_id == principal.agency_id,
            field="benefitAssignmentId",
            what="benefit assignment",
        )
    if assignment.status == AssignmentStatus.WITHDRAWN:
        raise Invalid("The assignment was withdrawn.", field="benefitAssignmentId")
    benefit = await session.get(Benefit, assignment.benefit_id)
    code_set = await billing_code_set(session, benefit.id, values.get("code_set_id"))
    rate = code_set.rate if code_set else None
    disbursement = BenefitDisbursement(
        agency_id=assignment.agency_id,
        provider_id=principal.provider_id,
        benefit_id=benefit.id,
        benefit_assignment_id=assignment.id,
        participant_id=assignment.participant_id,
        enrollment_id=assignment.enrollment_id,
        referral_id=referral.id if referral else None,
        code_set_id=code_set.id if code_set else None,
        quantity=values["quantity"],
        unit=benefit.unit_of_measure,
        rate=rate,
        amount=priced(values["quantity"], rate),
        service_date=values["service_date"],
        recipient_type=RecipientType.PROGRAM_ENROLLMENT,
        status=DisbursementStatus.COMPLETED,
        note=values.get("note"),
        recorded_by_id=principal.user_id,
    )
    session.add(disbursement)
    await record_event(
        session,
        principal,
        action="benefit_disbursement.create",
        record=disbursement,
        before=None,
        agency_id=disbursement.agency_id,
    )
    return disbursement


async def revise(
    session: AsyncSession,
    principal: Principal,
    disbursement: BenefitDisbursement,
    *,
    status: DisbursementStatus,
    quantity: Decimal,
    note: str | None,
    action: str,
) -> bool:
    """Corrects the disbursement in place, keeping what it was as a revision; False when nothing changes.

    The version check makes a concurrent correction of the same line fail instead of overwriting it."""
    if disbursement.status == status and disbursement.quantity == quantity:
        return False
    before = snapshot(disbursement)
    session.add(
        DisbursementRevision(
            disbursement_id=disbursement.id,
            status=disbursement.status,
            quantity=disbursement.quantity,
            amount=disbursement.amount,
            note=note,
            corrected_by_id=principal.user_id,
            corrected_by_name=principal.name,
        )
    )
    await checked_update(
        session,
        disbursement,
        {"status": status, "quantity": quantity, "amount": priced(quantity, disbursement.rate)},
        conflict="Someone else corrected this disbursement at the same time; reload it.",
    )
    await record_event(
        session, principal, action=action, record=disbursement, before=before, agency_id=disbursement.agency_id
    )
    return True


async def correct_disbursement(
    session: AsyncSession,
    principal: Principal | None,
    disbursement_id: int,
    *,
    quantity=None,
    void: bool = False,
    note: str | None,
) -> BenefitDisbursement:
    """Changes the quantity, or voids: the disbursement stays, with its earlier values as revisions.

    Agency staff correct their agency's; a provider, those it delivered."""
    principal = require(principal, AGENCY_ROLES | PROVIDER_ROLES, scope=Scope.DELIVERY_WRITE)
    disbursement = await get_disbursement(session, principal, disbursement_id)
    note = v.argument(v.text(2000), note, field="note", required="Say why the disbursement is corrected.")
    if disbursement.status == DisbursementStatus.VOIDED:
        raise Conflict("This disbursement is void.", field="status")
    if void and quantity is not None:
        raise Invalid("Void, or change the quantity, not both.", field="quantity")
    if not void and quantity is None:
        raise DomainError("Give the corrected quantity, or void.", field="quantity", code=ErrorCode.REQUIRED)
    await revise(
        session,
        principal,
        disbursement,
        status=DisbursementStatus.VOIDED if void else disbursement.status,
        quantity=disbursement.quantity if void else v.argument(QUANTITY, quantity, field="quantity"),
        note=note,
        action="benefit_disbursement.void" if void else "benefit_disbursement.correct",
    )
    return disbursement


async def revisions_of(session: AsyncSession, disbursement_ids: list[int]) -> dict[int, list[DisbursementRevision]]:
    rows = (
        await session.exec(
            select(DisbursementRevision)
            .where(DisbursementRevision.disbursement_id.in_(disbursement_ids))
            .order_by(DisbursementRevision.id)
        )
    ).all()
    grouped: dict[int, list[DisbursementRevision]] = {i: [] for i in disbursement_ids}
    for row in rows:
        grouped[row.disbursement_id].append(row)
    return grouped
