"""Records the delivery tests start from, arranged through the domain services as users would make them."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count

from sqlmodel import select

from server.db import Database
from server.domain.clients import enrollments, participants
from server.domain.columns import utcnow
from server.domain.delivery import schedules
from server.domain.delivery.models import BenefitSession
from server.domain.referrals import referrals
from server.domain.referrals.models import Referral
from tests.conftest import World

_names = count(1)


async def authorized_referral(db: Database, people: dict, world: World, first_name: str | None = None) -> Referral:
    """A new participant in Family Support, referred to the Grief Center for grief counseling, accepted and
    authorized: ready to be enrolled into its sessions."""
    connor, ashley = people["caseworker"], people["provider_a"]
    async with db.write() as session:
        person = await participants.create_participant(
            session,
            connor,
            {"legal_first_name": first_name or f"Client{next(_names)}", "legal_last_name": "Test"},
        )
        enrollment = await enrollments.enroll(
            session, connor, {"participant_id": person.id, "program_id": world.family_support, "status": "IN_PROGRESS"}
        )
        assignment = await enrollments.assign_benefit(
            session, connor, {"enrollment_id": enrollment.id, "benefit_id": world.grief_counseling}
        )
        referral = await referrals.create_referral(
            session,
            connor,
            {
                "benefit_assignment_id": assignment.id,
                "provider_id": world.grief_center,
                "consent_given_at": utcnow() - timedelta(minutes=5),
            },
            send=True,
        )
        await referrals.transition(session, ashley, referral.id, "accept")
        await referrals.decide_authorization(session, ashley, referral.id, "request")
        return await referrals.decide_authorization(session, connor, referral.id, "authorize")


async def approved_schedule(
    db: Database, people: dict, world: World, *, first_start: datetime, capacity: int = 8, **recurrence
) -> tuple[int, list[int]]:
    """A Grief Center schedule drafted by its admin and approved by the supervisor: its id and its sessions' ids."""
    values = {
        "facility_id": world.grief_facility,
        "benefit_id": world.grief_counseling,
        "code_set_id": world.cpt_90832,
        "name": "Test sessions",
        "first_start": first_start,
        "first_end": first_start + timedelta(minutes=45),
        "time_zone": "America/Chicago",
        "frequency": "ONCE",
        "capacity": capacity,
        "default_quantity": Decimal("1.5"),
        **recurrence,
    }
    async with db.write() as session:
        created = await schedules.create_schedule(session, people["provider_a_admin"], values)
        await schedules.submit_schedule(session, people["provider_a_admin"], created.id)
        await schedules.review_schedule(session, people["supervisor"], created.id, approve=True, note=None)
        sessions = (
            await session.exec(
                select(BenefitSession.id).where(BenefitSession.schedule_id == created.id).order_by(BenefitSession.id)
            )
        ).all()
        return created.id, list(sessions)


def days_ago_at(days: int, hour: int) -> datetime:
    """A local wall-clock time some days back (two or more days is in the past in every time zone)."""
    return datetime.combine(utcnow().date() - timedelta(days=days), time(hour))
