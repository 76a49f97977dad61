"""Attendance rollups: the arithmetic on hand-built histories, and who sees which."""

from datetime import date, timedelta

import pytest

from server.domain.days import today_in
from server.domain.delivery.models import DisbursementStatus as S
from server.domain.delivery.rollups import Attendance
from tests.conftest import COSVILLE_ZONE

pytestmark = pytest.mark.anyio


def rollup(history: list[tuple[S, bool]]) -> Attendance:
    found = Attendance()
    for day, (status, in_session) in enumerate(history):
        found.add(status, date(2026, 11, 1) + timedelta(days=day), in_session)
    return found


def test_consecutive_absences_count_since_the_last_presence_and_excused_sessions_count_in_neither():
    found = rollup([(S.ABSENT, True), (S.COMPLETED, True), (S.ABSENT, True), (S.EXCUSED, True), (S.ABSENT, True)])
    assert (found.present, found.absent, found.excused, found.consecutive_absences) == (1, 3, 1, 2)
    assert found.rate == 0.25
    assert found.last_service_date == date(2026, 11, 2)


def test_ad_hoc_deliveries_set_the_last_service_date_but_not_attendance():
    found = rollup([(S.COMPLETED, True), (S.ABSENT, True), (S.COMPLETED, False)])
    assert (found.present, found.absent, found.consecutive_absences) == (1, 1, 1)
    assert found.last_service_date == date(2026, 11, 3)
    assert rollup([]).rate is None


ROLLUP = "attendance { sessionsPresent sessionsAbsent consecutiveAbsences }"


async def test_the_enrollment_and_the_provider_see_the_same_rollup_of_steves_sessions(gql, world):
    agency = (
        await gql(
            "caseworker",
            f"query Op($id: ID!) {{ participant(id: $id) {{ enrollments {{ {ROLLUP} }} }} }}",
            {"id": world.steve},
        )
    ).ok()["participant"]["enrollments"]
    provider = (
        await gql(
            "provider_a",
            f"query Op($id: ID!) {{ referral(id: $id) {{ sharedParticipant {{ {ROLLUP} }} }} }}",
            {"id": world.steve_referral},
        )
    ).ok()["referral"]["sharedParticipant"]
    expected = {"sessionsPresent": 4, "sessionsAbsent": 1, "consecutiveAbsences": 0}
    assert [e["attendance"] for e in agency] == [expected]
    assert provider["attendance"] == expected


async def test_a_provider_sees_rollups_made_of_its_own_deliveries_only(gql, world):
    # given: the agency itself hands Steve a delivery today, after his last Wednesday session (before today)
    today = today_in(COSVILLE_ZONE).isoformat()
    await gql(
        "caseworker",
        """mutation Op($a: ID!, $d: Date!, $c: ID!) { recordBenefitDisbursement(input: {benefitAssignmentId: $a,
      serviceDate: $d, quantity: "1", codeSetId: $c}) { errors { code } } }""",
        {"a": world.grief_assignment, "d": today, "c": world.cpt_90832},
    )
    last = "attendance { lastServiceDate }"
    # when
    agency = (
        await gql("caseworker", f"query Op($id: ID!) {{ participant(id: $id) {{ {last} }} }}", {"id": world.steve})
    ).ok()["participant"]
    provider = (
        await gql(
            "provider_a",
            f"query Op($id: ID!) {{ referral(id: $id) {{ sharedParticipant {{ {last} }} }} }}",
            {"id": world.steve_referral},
        )
    ).ok()["referral"]["sharedParticipant"]
    # then
    assert agency["attendance"]["lastServiceDate"] == today
    assert provider["attendance"]["lastServiceDate"] < today
