"""Per-request DataLoaders: nested fields cost one statement per level, never one per row."""

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import SQLModel, select
from strawberry.dataloader import DataLoader

from server.db import Database, RequestDatabase
from server.domain import zones
from server.domain.agencies import Agency
from server.domain.cases import notes
from server.domain.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanTask,
    Case,
    CaseNote,
    CaseTeamMember,
    Incident,
)
from server.domain.catalogue import code_sets
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
from server.domain.columns import utcnow
from server.domain.delivery import attendance, disbursements, rollups, schedule_assignments
from server.domain.delivery.models import (
    ApprovalStatus,
    BenefitSchedule,
    BenefitSession,
    SessionStatus,
)
from server.domain.network.models import CareSpecialty, Facility, FacilitySpecialty, Provider
from server.domain.principal import Principal
from server.domain.referrals.models import Referral, ReferralEvent, sent
from server.domain.users import User


def by_id(db: Database | RequestDatabase, model: type[SQLModel]) -> DataLoader[int, SQLModel | None]:
    async def load(ids: Sequence[int]) -> list[SQLModel | None]:
        async with db.read() as session:
            rows = {row.id: row for row in (await session.exec(select(model).where(model.id.in_(ids)))).all()}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def by_key(
    db: Database | RequestDatabase,
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


def value_by_id(db: Database | RequestDatabase, model: type[SQLModel], value: ColumnElement) -> DataLoader[int, object]:
    """One value computed in SQL (`value`, over `model`) for each id."""

    async def load(ids: Sequence[int]) -> list[object]:
        async with db.read() as session:
            rows = dict((await session.exec(select(model.id, value).where(model.id.in_(ids)))).all())
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


NEXT_SESSIONS = 3


class Loaders:
    """The request's loaders, each made on first use: most requests need only a few."""

    def __init__(self, db: Database | RequestDatabase, principal: Principal | None = None) -> None:
        self.db = db
        self.principal = principal

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
    def provider_zone(self) -> DataLoader:
        return value_by_id(self.db, Provider, zones.provider_zone())

    @cached_property
    def facility_zone(self) -> DataLoader:
        return value_by_id(self.db, Facility, zones.facility_zone())

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

    @cached_property
    def session(self) -> DataLoader:
        return by_id(self.db, BenefitSession)

    @cached_property
    def referral(self) -> DataLoader:
        return by_id(self.db, Referral)

    @cached_property
    def next_sessions_of_facility(self) -> DataLoader:
        """The next NEXT_SESSIONS upcoming sessions of approved schedules at each facility (one statement)."""

        async def load(ids: Sequence[int]) -> list[list[BenefitSession]]:
            rank = (
                func.row_number()
                .over(partition_by=BenefitSchedule.facility_id, order_by=(BenefitSession.starts_at, BenefitSession.id))
                .label("rank")
            )
            upcoming = (
                select(BenefitSession.id.label("id"), BenefitSchedule.facility_id.label("facility_id"), rank)
                .join(BenefitSchedule, BenefitSchedule.id == BenefitSession.schedule_id)
                .where(
                    BenefitSchedule.facility_id.in_(ids),
                    BenefitSchedule.approval_status == ApprovalStatus.APPROVED,
                    BenefitSession.status == SessionStatus.SCHEDULED,
                    BenefitSession.starts_at >= utcnow(),
                )
                .subquery()
            )
            query = (
                select(BenefitSession, upcoming.c.facility_id)
                .join(upcoming, upcoming.c.id == BenefitSession.id)
                .where(upcoming.c.rank <= NEXT_SESSIONS)
                .order_by(upcoming.c.facility_id, BenefitSession.starts_at, BenefitSession.id)
            )
            groups: dict[int, list[BenefitSession]] = defaultdict(list)
            async with self.db.read() as session:
                for row, facility_id in (await session.exec(query)).all():
                    groups[facility_id].append(row)
            return [groups.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    async def _roster_sizes(self, where) -> dict[int, dict[int, int]]:
        async with self.db.read() as session:
            return await schedule_assignments.roster_sizes(session, where)

    @cached_property
    def fullest_upcoming_of_schedule(self) -> DataLoader:
        """The largest roster among each schedule's upcoming sessions: what an enrollment from today meets."""

        async def load(ids: Sequence[int]) -> list[int | None]:
            upcoming = and_(BenefitSession.schedule_id.in_(ids), BenefitSession.starts_at >= utcnow())
            found = await self._roster_sizes(upcoming)
            return [max(found[i].values()) if i in found else None for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def code_sets_billing_benefit(self) -> DataLoader:
        async def load(ids: Sequence[int]) -> list[list]:
            async with self.db.read() as session:
                found = await code_sets.billing_code_sets(session, list(ids))
            return [found[i] for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def enrolled_in_session(self) -> DataLoader:
        async def load(ids: Sequence[int]) -> list[int]:
            async with self.db.read() as session:
                found = await attendance.roster_lengths(session, list(ids))
            return [found.get(i, 0) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def revisions_of_disbursement(self) -> DataLoader:
        async def load(ids: Sequence[int]) -> list:
            async with self.db.read() as session:
                found = await disbursements.revisions_of(session, list(ids))
            return [found[i] for i in ids]

        return DataLoader(load_fn=load)

    def _rollup(self, compute) -> DataLoader:
        """Rollups over the disbursements the signed-in user may see (a provider: its own deliveries)."""
        scope = disbursements.visible_disbursements(self.principal)

        async def load(ids: Sequence[int]) -> list:
            async with self.db.read() as session:
                found = await compute(session, list(ids), scope)
            return [found[i] for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def attendance_of_participant(self) -> DataLoader:
        return self._rollup(lambda s, ids, scope: rollups.attendance_by(s, "participant_id", ids, scope))

    @cached_property
    def attendance_of_enrollment(self) -> DataLoader:
        return self._rollup(lambda s, ids, scope: rollups.attendance_by(s, "enrollment_id", ids, scope))

    @cached_property
    def delivery_of_referral(self) -> DataLoader:
        return self._rollup(rollups.delivery_by_referral)

    # Case management (agency staff only; every resolver that reaches these has checked the agency).

    @cached_property
    def case(self) -> DataLoader:
        return by_id(self.db, Case)

    @cached_property
    def care_plan(self) -> DataLoader:
        return by_id(self.db, CarePlan)

    @cached_property
    def cases_of_participant(self) -> DataLoader:
        return by_key(self.db, Case, Case.participant_id, order=[Case.id.desc()])

    @cached_property
    def referrals_of_participant(self) -> DataLoader:
        return by_key(self.db, Referral, Referral.participant_id, order=[Referral.id.desc()])

    @cached_property
    def sent_referrals_of_participant(self) -> DataLoader:
        return by_key(self.db, Referral, Referral.participant_id, where=[sent()], order=[Referral.id.desc()])

    @cached_property
    def team_of_case(self) -> DataLoader:
        return by_key(self.db, CaseTeamMember, CaseTeamMember.case_id, where=[CaseTeamMember.ended_at.is_(None)])

    @cached_property
    def care_plans_of_case(self) -> DataLoader:
        return by_key(self.db, CarePlan, CarePlan.case_id, order=[CarePlan.id.desc()])

    @cached_property
    def care_plans_of_participant(self) -> DataLoader:
        async def load(ids: Sequence[int]) -> list[list[CarePlan]]:
            query = (
                select(CarePlan, Case.participant_id)
                .join(Case, Case.id == CarePlan.case_id)
                .where(Case.participant_id.in_(ids))
                .order_by(CarePlan.id.desc())
            )
            groups: dict[int, list[CarePlan]] = defaultdict(list)
            async with self.db.read() as session:
                for plan, participant_id in (await session.exec(query)).all():
                    groups[participant_id].append(plan)
            return [groups.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def goals_of_plan(self) -> DataLoader:
        return by_key(self.db, CarePlanGoal, CarePlanGoal.care_plan_id)

    @cached_property
    def tasks_of_goal(self) -> DataLoader:
        return by_key(self.db, CarePlanTask, CarePlanTask.goal_id, order=[CarePlanTask.due_date])

    @cached_property
    def assignments_of_plan(self) -> DataLoader:
        return by_key(self.db, BenefitAssignment, BenefitAssignment.care_plan_id)

    @cached_property
    def enrollments_of_plan(self) -> DataLoader:
        return by_key(self.db, ProgramEnrollment, ProgramEnrollment.care_plan_id)

    @cached_property
    def notes_of_participant(self) -> DataLoader:
        """Final notes and the viewer's own drafts (the domain's rule), newest interaction first."""
        return by_key(
            self.db,
            CaseNote,
            CaseNote.participant_id,
            where=[notes.readable_notes(self.principal)],
            order=[CaseNote.interaction_date.desc()],
        )

    @cached_property
    def amendments_of_note(self) -> DataLoader:
        return by_key(self.db, CaseNote, CaseNote.amends_id)

    @cached_property
    def incidents_of_participant(self) -> DataLoader:
        return by_key(self.db, Incident, Incident.participant_id, order=[Incident.occurred_at.desc()])
