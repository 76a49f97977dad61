"""Per-request DataLoaders: nested fields cost one statement per level, never one per row."""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement
from sqlmodel import SQLModel, select
from strawberry.dataloader import DataLoader

from server.db import Database
from server.domain.agencies import Agency
from server.domain.catalogue.models import (
    Benefit,
    BenefitItemCode,
    BenefitSpecialty,
    BenefitType,
    CodeSet,
    CodeSetBundle,
    CodeSetBundleMember,
    Program,
)
from server.domain.clients.models import BenefitAssignment, Participant, ParticipantAlert, ProgramEnrollment
from server.domain.network.models import CareSpecialty, Facility, FacilitySpecialty, Provider
from server.domain.referrals.models import ReferralEvent
from server.domain.users import User


def by_id(db: Database, model: type[SQLModel]) -> DataLoader[int, SQLModel | None]:
    async def load(ids: Sequence[int]) -> list[SQLModel | None]:
        async with db.read() as session:
            rows = {row.id: row for row in (await session.exec(select(model).where(model.id.in_(ids)))).all()}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def by_key(
    db: Database,
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


class Loaders:
    def __init__(self, db: Database) -> None:
        self.agency = by_id(db, Agency)
        self.provider = by_id(db, Provider)
        self.facility = by_id(db, Facility)
        self.specialty = by_id(db, CareSpecialty)
        self.program = by_id(db, Program)
        self.benefit = by_id(db, Benefit)
        self.benefit_type = by_id(db, BenefitType)
        self.code_set = by_id(db, CodeSet)
        self.code_set_bundle = by_id(db, CodeSetBundle)
        self.user = by_id(db, User)
        self.participant = by_id(db, Participant)
        self.enrollment = by_id(db, ProgramEnrollment)
        self.assignment = by_id(db, BenefitAssignment)
        self.alerts_of_participant = by_key(
            db, ParticipantAlert, ParticipantAlert.participant_id, order=[ParticipantAlert.created_at.desc()]
        )
        self.enrollments_of_participant = by_key(
            db, ProgramEnrollment, ProgramEnrollment.participant_id, order=[ProgramEnrollment.id.desc()]
        )
        self.assignments_of_participant = by_key(
            db, BenefitAssignment, BenefitAssignment.participant_id, order=[BenefitAssignment.id.desc()]
        )
        self.assignments_of_enrollment = by_key(db, BenefitAssignment, BenefitAssignment.enrollment_id)
        self.history_of_referral = by_key(db, ReferralEvent, ReferralEvent.referral_id)
        self.facilities_of_provider = by_key(
            db, Facility, Facility.provider_id, where=[Facility.active.is_(True)], order=[Facility.name]
        )
        self.specialties_of_facility = by_key(
            db, FacilitySpecialty, FacilitySpecialty.facility_id, where=[FacilitySpecialty.active.is_(True)]
        )
        self.children_of_specialty = by_key(
            db,
            CareSpecialty,
            CareSpecialty.parent_id,
            where=[CareSpecialty.active.is_(True)],
            order=[CareSpecialty.name],
        )
        self.specialties_of_benefit = by_key(
            db, BenefitSpecialty, BenefitSpecialty.benefit_id, where=[BenefitSpecialty.active.is_(True)]
        )
        self.item_codes_of_benefit = by_key(
            db,
            BenefitItemCode,
            BenefitItemCode.benefit_id,
            where=[BenefitItemCode.active.is_(True)],
            order=[BenefitItemCode.code],
        )
        self.members_of_bundle = by_key(
            db,
            CodeSetBundleMember,
            CodeSetBundleMember.bundle_id,
            where=[CodeSetBundleMember.active.is_(True)],
        )
        self.benefits_of_program = by_key(
            db, Benefit, Benefit.program_id, where=[Benefit.active.is_(True)], order=[Benefit.name]
        )
