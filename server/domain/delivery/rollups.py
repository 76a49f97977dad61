"""Attendance and delivery rollups, computed from disbursements in one statement per batch of keys.

Per participant or enrollment: sessions present and absent (excused ones count in neither), the attendance
rate present / (present + absent), consecutive absences since the last presence, the last service date.
Per referral: sessions attended and units delivered. Voided disbursements count nowhere."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.delivery.models import BenefitDisbursement, BenefitSession, DisbursementStatus

D = BenefitDisbursement


@dataclass
class Attendance:
    present: int = 0
    absent: int = 0
    excused: int = 0
    consecutive_absences: int = 0
    last_service_date: date | None = None

    @property
    def rate(self) -> float | None:
        attended = self.present + self.absent
        return round(self.present / attended, 4) if attended else None

    def add(self, status: DisbursementStatus, day: date, in_session: bool) -> None:
        """Takes the disbursements in the order they happened."""
        if status == DisbursementStatus.COMPLETED:
            self.last_service_date = max(self.last_service_date or day, day)
        if not in_session:
            return
        if status == DisbursementStatus.COMPLETED:
            self.present += 1
            self.consecutive_absences = 0
        elif status == DisbursementStatus.ABSENT:
            self.absent += 1
            self.consecutive_absences += 1
        elif status == DisbursementStatus.EXCUSED:
            self.excused += 1


@dataclass
class Delivery:
    sessions_attended: int = 0
    units_delivered: Decimal = field(default_factory=lambda: Decimal("0.00"))


async def attendance_by(
    session: AsyncSession, key: str, ids: list[int], scope: ColumnElement[bool]
) -> dict[int, Attendance]:
    """Attendance per `key` ("participant_id" or "enrollment_id") among the disbursements `scope` admits
    (e.g. `disbursements.visible_disbursements(principal)`); voided ones never count."""
    column = getattr(D, key)
    rows = await session.exec(
        select(column, D.status, D.service_date, D.session_id)
        .outerjoin(BenefitSession, BenefitSession.id == D.session_id)
        .where(column.in_(ids), D.status != DisbursementStatus.VOIDED, scope)
        .order_by(column, D.service_date, BenefitSession.starts_at, D.id)
    )
    found = {i: Attendance() for i in ids}
    for owner, status, day, session_id in rows.all():
        found[owner].add(DisbursementStatus(status), day, session_id is not None)
    return found


async def delivery_by_referral(
    session: AsyncSession, ids: list[int], scope: ColumnElement[bool]
) -> dict[int, Delivery]:
    rows = await session.exec(
        select(
            D.referral_id,
            func.count(D.session_id),
            func.coalesce(func.sum(D.quantity), 0),
        )
        .where(and_(D.referral_id.in_(ids), D.status == DisbursementStatus.COMPLETED, scope))
        .group_by(D.referral_id)
    )
    found = {i: Delivery() for i in ids}
    for referral_id, sessions, units in rows.all():
        found[referral_id] = Delivery(sessions, Decimal(units).quantize(Decimal("0.01")))
    return found
