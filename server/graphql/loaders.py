"""Per-request DataLoaders: nested fields cost one statement per level, never one per row."""

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property

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
from server.domain.delivery.models import BenefitSchedule, BenefitSession
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
    """The request's loaders, each made on first use: most requests need only a few."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @cached_property
    def agency(self) -> DataLoader:
        return by_id(self.db, Agency)

    @cached_property
    def provider(self) -> DataLoader:
        return by_id(self.db, Provider)

    @cached_property
    def facility(self) -> DataLoader:
        return by_id(self.db, Facility)

    @cached_property
    def specialty(self) -> DataLoader:
        return by_id(self.db, CareSpecialty)

    @cached_property
    def program(self) -> DataLoader:
        return by_id(self.db, Program)

    @cached_property
    def benefit(self) -> DataLoader:
        return by_id(self.db, Benefit)

    @cached_property
    def benefit_type(self) -> DataLoader:
        return by_id(self.db, BenefitType)

    @cached_property
    def code_set(self) -> DataLoader:
        return by_id(self.db, CodeSet)

    @cached_property
    def code_set_bundle(self) -> DataLoader:
        return by_id(self.db, CodeSetBundle)

    @cached_property
    def user(self) -> DataLoader:
        return by_id(self.db, User)

    @cached_property
    def participant(self) -> DataLoader:
        return by_id(self.db, Participant)

    @cached_property
    def enrollment(self) -> DataLoader:
        return by_id(self.db, ProgramEnrollment)

    @cached_property
    def assignment(self) -> DataLoader:
        return by_id(self.db, BenefitAssignment)

    @cached_property
    def alerts_of_participant(self) -> DataLoader:
        return by_key(
            self.db, ParticipantAlert, ParticipantAlert.participant_id, order=[ParticipantAlert.created_at.desc()]
        )

    @cached_property
    def enrollments_of_participant(self) -> DataLoader:
        return by_key(self.db, ProgramEnrollment, ProgramEnrollment.participant_id, order=[ProgramEnrollment.id.desc()])

    @cached_property
    def assignments_of_participant(self) -> DataLoader:
        return by_key(self.db, BenefitAssignment, BenefitAssignment.participant_id, order=[BenefitAssignment.id.desc()])

    @cached_property
    def assignments_of_enrollment(self) -> DataLoader:
        return by_key(self.db, BenefitAssignment, BenefitAssignment.enrollment_id)

    @cached_property
    def history_of_referral(self) -> DataLoader:
        return by_key(self.db, ReferralEvent, ReferralEvent.referral_id)

    @cached_property
    def facilities_of_provider(self) -> DataLoader:
        return by_key(self.db, Facility, Facility.provider_id, where=[Facility.active.is_(True)], order=[Facility.name])

    @cached_property
    def specialties_of_facility(self) -> DataLoader:
        return by_key(
            self.db, FacilitySpecialty, FacilitySpecialty.facility_id, where=[FacilitySpecialty.active.is_(True)]
        )

    @cached_property
    def children_of_specialty(self) -> DataLoader:
        return by_key(
            self.db,
            CareSpecialty,
            CareSpecialty.parent_id,
            where=[CareSpecialty.active.is_(True)],
            order=[CareSpecialty.name],
        )

    @cached_property
    def specialties_of_benefit(self) -> DataLoader:
        return by_key(self.db, BenefitSpecialty, BenefitSpecialty.benefit_id, where=[BenefitSpecialty.active.is_(True)])

    @cached_property
    def item_codes_of_benefit(self) -> DataLoader:
        return by_key(
            self.db,
            BenefitItemCode,
            BenefitItemCode.benefit_id,
            where=[BenefitItemCode.active.is_(True)],
            order=[BenefitItemCode.code],
        )

    @cached_property
    def members_of_bundle(self) -> DataLoader:
        return by_key(
            self.db,
            CodeSetBundleMember,
            CodeSetBundleMember.bundle_id,
            where=[CodeSetBundleMember.active.is_(True)],
        )

    @cached_property
    def benefits_of_program(self) -> DataLoader:
        return by_key(self.db, Benefit, Benefit.program_id, where=[Benefit.active.is_(True)], order=[Benefit.name])

    @cached_property
    def schedule(self) -> DataLoader:
        return by_id(self.db, BenefitSchedule)

    @cached_property
    def sessions_of_schedule(self) -> DataLoader:
        return by_key(self.db, BenefitSession, BenefitSession.schedule_id, order=[BenefitSession.starts_at])
