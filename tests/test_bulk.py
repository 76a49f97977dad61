"""Bulk disbursements: walk-in, by enrollment and anonymous; preview, schedule warning, idempotency, all or
nothing at 10,000 recipients, and the anonymous rollover at 10,000 disbursements."""

import pytest
from sqlalchemy import insert
from sqlmodel import func, select

from server.domain.audit import AuditEvent
from server.domain.clients.models import BenefitAssignment, Participant, ProgramEnrollment
from server.domain.columns import utcnow
from server.domain.delivery.models import BenefitDisbursement, BulkDisbursement

pytestmark = pytest.mark.anyio

BULK = """mutation Op($input: BulkDisbursementInput!, $key: String!) { disburseInBulk(input: $input,
  idempotencyKey: $key) { bulk { id recipientCount enrollmentsCreated assignmentsCreated totalAmount }
  replayed warning errors { code field message } } }"""
PREVIEW = """query Op($input: BulkDisbursementInput!) { bulkDisbursementPreview(input: $input) { recipientCount
  enrollmentsToCreate assignmentsToCreate anonymousEnrollmentsToStart totalQuantity totalAmount warning } }"""


async def counts(db) -> dict[str, int]:
    async with db.read() as session:
        return {
            model.__name__: (await session.exec(select(func.count()).select_from(model))).one()
            for model in (ProgramEnrollment, BenefitAssignment, BenefitDisbursement, BulkDisbursement, AuditEvent)
        }


async def new_participants(db, how_many: int, agency_id: int = 1) -> list[int]:
    """Participants inserted in one statement (the test's arrangement, not what it tests)."""
    now = utcnow()
    tag = f"B{now.timestamp():.0f}-{agency_id}-"
    async with db.write() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Participant),
            [
                {
                    "agency_id": agency_id,
                    "client_id": f"{tag}{i}",
                    "legal_first_name": "Walk",
                    "legal_last_name": f"In {i}",
                    "search_text": "",
                    "watch_list": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(how_many)
            ],
        )
        return list(
            (
                await session.exec(
                    select(Participant.id).where(Participant.client_id.startswith(tag)).order_by(Participant.id)
                )
            ).all()
        )


def walk_in(world, participant_ids, **extra) -> dict:
    return {
        "recipientType": "WALK_IN",
        "benefitId": world.food_box,
        "serviceDate": "2026-11-20",
        "quantity": "1",
        "codeSetId": None,
        "participantIds": participant_ids,
        **extra,
    }


async def test_walk_ins_get_enrollments_and_assignments_where_missing(gql, db, world):
    # given: Steve is enrolled with a food box assignment; Marisol is enrolled without one; a newcomer has neither
    (newcomer,) = await new_participants(db, 1)
    request = walk_in(world, [world.steve, world.maria, newcomer])
    # when
    preview = (await gql("caseworker", PREVIEW, {"input": request})).ok()["bulkDisbursementPreview"]
    before = await counts(db)
    made = (await gql("caseworker", BULK, {"input": request, "key": "pantry-2026-11-20"})).ok()["disburseInBulk"]
    # then
    assert preview == {
        "recipientCount": 3,
        "enrollmentsToCreate": 1,
        "assignmentsToCreate": 2,
        "anonymousEnrollmentsToStart": 0,
        "totalQuantity": "3.00",
        "totalAmount": "127.50",  # priced by the food box's only code set (FB-01, 42.50 a kit)
        "warning": None,
    }
    assert made["bulk"] | {"id": None} == {
        "id": None,
        "recipientCount": 3,
        "enrollmentsCreated": 1,
        "assignmentsCreated": 2,
        "totalAmount": "127.50",
    }
    after = await counts(db)
    assert after["ProgramEnrollment"] - before["ProgramEnrollment"] == 1
    assert after["BenefitAssignment"] - before["BenefitAssignment"] == 2
    assert after["BenefitDisbursement"] - before["BenefitDisbursement"] == 3
    listed = (
        await gql(
            "caseworker",
            """query Op($id: ID!) { benefitDisbursements(filter: {bulkId: $id}) { nodes { participantId
          recipientType benefitAssignmentId } } }""",
            {"id": made["bulk"]["id"]},
        )
    ).ok()["benefitDisbursements"]["nodes"]
    assert {n["participantId"] for n in listed} == {str(world.steve), str(world.maria), str(newcomer)}
    assert {n["recipientType"] for n in listed} == {"WALK_IN"}
    async with db.read() as session:
        event = (await session.exec(select(AuditEvent).where(AuditEvent.action == "bulk_disbursement.create"))).one()
    assert len(event.after["created_enrollment_ids"]) == 1 and len(event.after["created_assignment_ids"]) == 2
    assert str(world.food_box_assignment) in {n["benefitAssignmentId"] for n in listed}


async def test_a_retry_with_the_same_key_creates_nothing(gql, db, world):
    request = {"input": walk_in(world, [world.steve]), "key": "retry-me"}
    first = (await gql("caseworker", BULK, request)).ok()["disburseInBulk"]
    before = await counts(db)
    again = (await gql("supervisor", BULK, request)).ok()["disburseInBulk"]
    assert (again["replayed"], again["bulk"]["id"]) == (True, first["bulk"]["id"])
    assert await counts(db) == before
    other = await gql("caseworker", BULK, {"input": walk_in(world, [world.maria]), "key": "retry-me"})
    assert other.data["disburseInBulk"]["errors"][0] | {"message": None} == {
        "code": "CONFLICT",
        "field": "idempotencyKey",
        "message": None,
    }


async def test_ten_thousand_walk_ins_in_one_request(gql, db, world):
    ids = await new_participants(db, 10_000)
    made = (await gql("caseworker", BULK, {"input": walk_in(world, ids), "key": "big-day"})).ok()["disburseInBulk"]
    assert (made["bulk"]["recipientCount"], made["bulk"]["enrollmentsCreated"]) == (10_000, 10_000)
    async with db.read() as session:
        assert (
            await session.exec(select(func.count()).where(BenefitDisbursement.bulk_id == int(made["bulk"]["id"])))
        ).one() == 10_000


async def test_a_bad_line_9999_of_10000_leaves_nothing_behind(gql, db, world):
    # given: line 9,999 names a participant of another agency
    ids = await new_participants(db, 10_000)
    (stranger,) = await new_participants(db, 1, agency_id=2)
    ids[9_998] = stranger
    before = await counts(db)
    # when
    refused = await gql("caseworker", BULK, {"input": walk_in(world, ids), "key": "bad-line"})
    # then
    assert refused.data["disburseInBulk"]["errors"] == [
        {
            "code": "INVALID",
            "field": "participantIds[9998]",
            "message": "Line 9999: no such participant in your agency.",
        }
    ]
    assert await counts(db) == before


async def test_anonymous_recipients_roll_over_to_a_new_enrollment_at_ten_thousand(gql, db, world):
    anonymous = {
        "recipientType": "ANONYMOUS",
        "benefitId": world.food_box,
        "serviceDate": "2026-11-20",
        "quantity": "1",
        "codeSetId": None,
        "recipientCount": 9_998,
    }
    await gql("caseworker", BULK, {"input": anonymous, "key": "anon-1"})
    preview = (await gql("caseworker", PREVIEW, {"input": {**anonymous, "recipientCount": 5}})).ok()
    assert preview["bulkDisbursementPreview"]["anonymousEnrollmentsToStart"] == 1
    # when: five more; two fit in the first enrollment
    await gql("caseworker", BULK, {"input": {**anonymous, "recipientCount": 5}, "key": "anon-2"})
    # then
    async with db.read() as session:
        rows = (
            await session.exec(
                select(ProgramEnrollment.id, ProgramEnrollment.active, func.count(BenefitDisbursement.id))
                .join(BenefitDisbursement, BenefitDisbursement.enrollment_id == ProgramEnrollment.id)
                .where(ProgramEnrollment.anonymous.is_(True))
                .group_by(ProgramEnrollment.id, ProgramEnrollment.active)
                .order_by(ProgramEnrollment.id)
            )
        ).all()
        participants = (
            await session.exec(
                select(func.count()).where(
                    BenefitDisbursement.recipient_type == "ANONYMOUS", BenefitDisbursement.participant_id.is_not(None)
                )
            )
        ).one()
    assert [(active, n) for _, active, n in rows] == [(False, 10_000), (True, 3)]
    assert participants == 0


async def test_by_enrollment_and_the_warning_for_scheduled_benefits(gql, world):
    by_enrollment = {
        "recipientType": "PROGRAM_ENROLLMENT",
        "benefitId": world.grief_counseling,
        "serviceDate": "2026-11-20",
        "quantity": "1",
        "codeSetId": world.cpt_90832,
        "enrollmentIds": [world.steve_enrollment],
    }
    made = (await gql("caseworker", BULK, {"input": by_enrollment, "key": "group"})).ok()["disburseInBulk"]
    assert made["warning"] == (
        "This benefit has approved schedules: participants enrolled in its sessions would be counted twice."
    )
    assert (made["bulk"]["assignmentsCreated"], made["bulk"]["totalAmount"]) == (0, "85.00")
    wrong = await gql("caseworker", BULK, {"input": {**by_enrollment, "participantIds": [world.steve]}, "key": "mixed"})
    assert wrong.data["disburseInBulk"]["errors"][0]["field"] == "participantIds"
    missing = await gql("caseworker", BULK, {"input": {**by_enrollment, "enrollmentIds": None}, "key": "none"})
    assert missing.data["disburseInBulk"]["errors"][0] | {"message": None} == {
        "code": "REQUIRED",
        "field": "enrollmentIds",
        "message": None,
    }
    no_key = await gql("caseworker", BULK, {"input": by_enrollment, "key": " "})
    assert no_key.data["disburseInBulk"]["errors"][0]["field"] == "idempotencyKey"
