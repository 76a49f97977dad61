"""The audit trail: one event per change, in the change's transaction, readable by supervisors and admins."""

from datetime import datetime

import pytest

pytestmark = pytest.mark.anyio

EVENTS = """query Op($filter: AuditEventFilter, $first: Int = 20) {
  auditEvents(filter: $filter, first: $first) {
    totalCount
    nodes { id actorId actorName actorRole action recordType recordId before after occurredAt }
  }
}"""


async def test_an_update_is_recorded_with_who_what_before_and_after(gql, users, world):
    # when
    await gql(
        "agency_admin",
        """mutation Op($id: ID!) {
      updateProvider(id: $id, input: {phone: "(217) 555-0100"}) { provider { id } } }""",
        {"id": world.grief_center},
    )
    # then
    events = await gql("supervisor", EVENTS, {"filter": {"recordType": "Provider", "recordId": world.grief_center}})
    newest = events.ok()["auditEvents"]["nodes"][0]
    assert newest["action"] == "provider.update"
    assert newest["actorId"] == str(users["agency_admin"].id)
    assert (newest["actorName"], newest["actorRole"]) == ("Tishon Brooks", "AGENCY_ADMIN")
    assert newest["before"]["phone"] == "(217) 555-0134"
    assert newest["after"]["phone"] == "(217) 555-0100"
    assert newest["after"]["name"] == "Cosville Grief Counseling Center"


async def test_event_times_are_shown_in_the_agencys_time_zone(gql):
    newest = (await gql("supervisor", EVENTS, {"first": 1})).ok()["auditEvents"]["nodes"][0]
    offset = datetime.fromisoformat(newest["occurredAt"]).utcoffset()
    assert offset is not None and offset.total_seconds() in (-6 * 3600, -5 * 3600)  # America/Chicago


async def test_a_provider_users_change_is_recorded_with_its_provider(gql, db, world):
    await gql(
        "provider_a",
        """mutation Op($id: ID!) {
      updateFacility(id: $id, input: {acceptingReferrals: false}) { facility { id } } }""",
        {"id": world.grief_facility},
    )
    events = (await gql("agency_admin", EVENTS, {"filter": {"action": "facility.update"}})).ok()["auditEvents"]
    assert events["totalCount"] == 1
    event = events["nodes"][0]
    assert event["actorRole"] == "PROVIDER_STAFF"
    assert (event["before"]["accepting_referrals"], event["after"]["accepting_referrals"]) == (True, False)


async def test_link_changes_are_recorded_as_the_links_before_and_after(gql, world):
    await gql(
        "agency_admin",
        """mutation Op($id: ID!, $s: [ID!]) {
      updateBenefit(id: $id, input: {specialtyIds: $s}) { benefit { id } } }""",
        {"id": world.grief_counseling, "s": [world.grief_specialty]},
    )
    event = (await gql("agency_admin", EVENTS, {"filter": {"action": "benefit.benefit_specialty"}})).ok()
    node = event["auditEvents"]["nodes"][0]
    assert set(node["before"]) == {str(world.counseling)}
    assert set(node["after"]) == {str(world.grief_specialty)}


async def test_an_agency_sees_its_own_events_and_the_shared_networks_not_another_agencys(gql, world):
    await gql("other_agency_admin", 'mutation { createProgram(input: {name: "Harlow Only"}) { program { id } } }')
    cosville = (await gql("agency_admin", EVENTS, {"filter": {"action": "program.create"}, "first": 50})).ok()
    assert "Harlow Only" not in [e["after"]["name"] for e in cosville["auditEvents"]["nodes"]]
    harlow = (await gql("other_agency_admin", EVENTS, {"filter": {"action": "program.create"}, "first": 50})).ok()
    assert [e["after"]["name"] for e in harlow["auditEvents"]["nodes"]] == ["Harlow Only", "Family Support"]
    network = (await gql("other_agency_admin", EVENTS, {"filter": {"recordType": "Provider"}})).ok()
    assert network["auditEvents"]["totalCount"] == 7  # the demo's providers: the network is shared


async def test_newest_events_come_first(gql):
    nodes = (await gql("supervisor", EVENTS, {"first": 50})).ok()["auditEvents"]["nodes"]
    ids = [int(n["id"]) for n in nodes]
    assert ids == sorted(ids, reverse=True)
    assert all("password_hash" not in (n["after"] or {}) for n in nodes)


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"])
async def test_the_database_refuses_to_rewrite_the_audit_trail(db, statement):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="append-only"):
        async with db.write() as session:
            await session.exec(text(statement))
