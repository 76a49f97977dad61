"""What providers see of referrals and participants: their own referrals only, shared fields only."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.domain.clients import enrollments, participants
from server.domain.referrals import referrals
from server.domain.referrals.models import ReasonCode, SharedField
from server.domain.users import principal_of
from tests.conftest import Result, assert_denied

pytestmark = pytest.mark.anyio

REFERRAL = """query Op($id: ID!) { referral(id: $id) { id participant { legalLastName }
  sharedParticipant { preferredName phone email birthDate addressLine1 city preferredLanguage alerts { text } } } }"""
INBOX = """query { referrals(first: 100) { totalCount nodes { id provider { id } agencyName
  sharedParticipant { preferredName phone email birthDate addressLine1 city preferredLanguage alerts { text } }
  participant { id } benefitAssignment { id } replacesId } } }"""


async def test_provider_b_cannot_read_count_search_or_guess_provider_as_referral(gql, world):
    inbox = (await gql("provider_b", INBOX)).ok()["referrals"]
    assert inbox == {"totalCount": 0, "nodes": []}
    counts = (await gql("provider_b", "query { referralCounts { count } }")).ok()["referralCounts"]
    assert sum(c["count"] for c in counts) == 0
    assert_denied(await gql("provider_b", REFERRAL, {"id": world.new_referral}), "NOT_FOUND")
    assert_denied(
        await gql(
            "provider_b",
            "mutation Op($id: ID!) { openReferral(id: $id) { referral { id } errors { code } } }",
            {"id": world.new_referral},
        ),
        "NOT_FOUND",
    )
    assert_denied(
        await gql("provider_b", "query Op($id: ID!) { participant(id: $id) { id } }", {"id": world.steve}), "FORBIDDEN"
    )
    assert_denied(await gql("provider_b", 'query { participants(search: "Steve") { totalCount } }'), "FORBIDDEN")
    assert_denied(await gql("provider_b", "query { providerSearch(filter: {}) { totalCount } }"), "FORBIDDEN")


async def test_provider_a_sees_the_shared_fields_only(gql, world):
    referral = (await gql("provider_a", REFERRAL, {"id": world.new_referral})).ok()["referral"]
    assert referral["participant"] is None  # never the agency's record
    assert referral["sharedParticipant"] == {
        "preferredName": "Marisol",
        "phone": "(217) 555-0188",
        "email": None,
        "birthDate": None,
        "addressLine1": None,
        "city": None,
        "preferredLanguage": "Spanish",
        "alerts": [{"text": "Lost her brother in October; prefers a Spanish-speaking counselor."}],
    }
    agency = (await gql("caseworker", REFERRAL, {"id": world.new_referral})).ok()["referral"]
    assert agency["participant"] == {"legalLastName": "Núñez"}


async def test_a_draft_never_reaches_the_provider(gql, world):
    created = (
        await gql(
            "caseworker",
            """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input)
      { referral { id } } }""",
            {"input": {"benefitAssignmentId": world.food_box_assignment, "providerId": world.pantry}},
        )
    ).ok()
    draft_id = created["createReferral"]["referral"]["id"]
    assert_denied(await gql("provider_b", REFERRAL, {"id": draft_id}), "NOT_FOUND")
    assert (await gql("provider_b", INBOX)).ok()["referrals"]["totalCount"] == 0  # the pantry has none yet


# What becomes of a referral: sent (and maybe later marked in error), or ended before it was ever sent.
FATES = {
    "sent": ["send"],
    "sent, then entered in error": ["send", "mark_in_error"],
    "draft": [],
    "draft cancelled": ["cancel"],
    "draft entered in error": ["mark_in_error"],
}
referral_sets = st.lists(
    st.tuples(
        st.sampled_from(["grief", "pantry"]),
        st.sets(st.sampled_from(list(SharedField))),
        st.sampled_from(sorted(FATES)),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(referral_set=referral_sets)
async def test_property_every_provider_sees_exactly_its_referrals_and_their_shared_fields(
    gql, db, users, world, referral_set
):
    # given: referrals of new participants to either provider, each sharing a random set of fields, each sent
    # or ended before it was sent
    connor = principal_of(users["caseworker"])
    made: dict[str, tuple[int, set[SharedField], dict]] = {}
    never_sent: set[str] = set()
    async with db.write() as session:
        for i, (to, shared, fate) in enumerate(referral_set):
            person = {
                "legal_first_name": f"Pat{i}",
                "legal_last_name": "Random",
                "preferred_name": f"P{i}",
                "phone": "(217) 555-0100",
                "email": f"p{i}@example.com",
                "city": "Cosville",
                "address_line1": "1 Main Street",
                "preferred_language": "Spanish",
            }
            p = await participants.create_participant(
                session, connor, person, [{"text": f"alert {i}", "severity": "INFO"}]
            )
            e = await enrollments.enroll(session, connor, {"participant_id": p.id, "program_id": world.family_support})
            benefit = world.grief_counseling if to == "grief" else world.food_box
            a = await enrollments.assign_benefit(session, connor, {"enrollment_id": e.id, "benefit_id": benefit})
            r = await referrals.create_referral(
                session,
                connor,
                {
                    "benefit_assignment_id": a.id,
                    "provider_id": world.grief_center if to == "grief" else world.pantry,
                    "shared_fields": [f.value for f in shared],
                    "consent_given_at": referrals.utcnow(),
                },
            )
            for action in FATES[fate]:
                reason = ReasonCode.CLIENT_DECLINED if action != "send" else None
                await referrals.transition(session, connor, r.id, action, reason=reason)
            if "send" not in FATES[fate]:
                never_sent.add(str(r.id))
            made[str(r.id)] = (world.grief_center if to == "grief" else world.pantry, shared, person)
    # when / then
    for who, provider_id in (("provider_a", world.grief_center), ("provider_b", world.pantry)):
        nodes = (await gql(who, INBOX)).ok()["referrals"]["nodes"]
        assert all(n["provider"]["id"] == str(provider_id) for n in nodes)
        seen = {n["id"]: n for n in nodes}
        mine = {rid for rid, (to, _, _) in made.items() if to == provider_id and rid not in never_sent}
        assert mine <= set(seen)
        assert not ({rid for rid in made if rid not in mine} & set(seen))
        for rid in set(made) - mine:
            assert_denied(await gql(who, REFERRAL, {"id": rid}), "NOT_FOUND")
        for rid in mine:
            node, (_, shared, person) = seen[rid], made[rid]
            view = node["sharedParticipant"]
            assert node["participant"] is None and node["benefitAssignment"] is None and node["replacesId"] is None
            assert view["preferredName"] == person["preferred_name"]
            assert (view["phone"] is not None) == (SharedField.PHONE in shared)
            assert (view["email"] is not None) == (SharedField.EMAIL in shared)
            assert (view["addressLine1"] is not None) == (view["city"] is not None) == (SharedField.ADDRESS in shared)
            assert (view["preferredLanguage"] is not None) == (SharedField.LANGUAGE in shared)
            assert (view["alerts"] is not None) == (SharedField.ALERTS in shared)
            assert view["birthDate"] is None  # none given: nothing to share


async def test_a_provider_finds_clients_by_the_name_it_is_shown_and_no_other(gql):
    search = """query Op($q: String!) { referrals(filter: {clientName: $q}) {
      nodes { sharedParticipant { preferredName } } } }"""

    async def names(who: str, needle: str) -> list[str]:
        nodes = (await gql(who, search, {"q": needle})).ok()["referrals"]["nodes"]
        return [n["sharedParticipant"]["preferredName"] for n in nodes]

    assert await names("provider_a", "MARI") == ["Marisol"]
    assert await names("provider_a", "núñez") == []  # her legal name is not shared: it must not find her either
    assert await names("provider_b", "mari") == []
    assert await names("caseworker", "nunez") == ["Marisol"]


# A draft ended before it was sent, in each way the agency can end one, or left a draft.
NEVER_SENT = {
    "DRAFT": None,
    "CANCELLED": "mutation Op($id: ID!) { cancelReferral(id: $id, reason: CLIENT_DECLINED) { errors { code } } }",
    "ENTERED_IN_ERROR": """mutation Op($id: ID!) { markReferralEnteredInError(id: $id, reason: ENTERED_BY_MISTAKE)
      { errors { code } } }""",
}
SHARED = "sharedParticipant { preferredName phone email }"
STEVE_CASE = "query Op($id: ID!) { case(id: $id) { providers { referralId providerName } } }"


def _referral_mutations() -> dict[str, list]:
    """Every mutation that acts on a referral named by its `id` (its payload carries a `referral`)."""
    from graphql import get_named_type, is_non_null_type

    from server.graphql.schema import build_schema

    found = {}
    for name, field in build_schema()._schema.mutation_type.fields.items():
        payload = get_named_type(field.type)
        if "id" in field.args and "referral" in getattr(payload, "fields", {}):
            found[name] = [(a, str(arg.type)) for a, arg in field.args.items() if is_non_null_type(arg.type)]
    return found


def _sample(type_name: str, referral_id: str):
    """A value for a required argument: the referral's id, or anything well-formed."""
    return {"ID!": referral_id, "Int!": 1}.get(type_name, {})


@pytest.mark.parametrize("status", sorted(NEVER_SENT))
async def test_a_referral_never_sent_reaches_no_provider_by_any_list_count_lookup_or_mutation(gql, world, status):
    # given: the provider's view before, and a draft to the pantry sharing the client's phone and email
    providers = ["provider_a", "provider_a_admin", "provider_b"]
    counts_before = {who: (await gql(who, "query { referralCounts { status count } }")).ok() for who in providers}
    case_before = (await gql("caseworker", STEVE_CASE, {"id": world.steve_case})).ok()
    created = await gql(
        "caseworker",
        """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input) { referral { id } } }""",
        {
            "input": {
                "benefitAssignmentId": world.food_box_assignment,
                "providerId": world.pantry,
                "sharedFields": ["PHONE", "EMAIL"],
                "consent": {"givenAt": "2026-01-05T10:00:00Z"},
            }
        },
    )
    referral_id = created.ok()["createReferral"]["referral"]["id"]
    if NEVER_SENT[status]:
        (await gql("caseworker", NEVER_SENT[status], {"id": referral_id})).ok()
    assert (await gql("caseworker", "query Op($id: ID!) { referral(id: $id) { status } }", {"id": referral_id})).ok()[
        "referral"
    ]["status"] == status
    # then: no provider lists, counts, reads or acts on it
    mutations = _referral_mutations()
    assert {"acceptReferral", "openReferral", "requestAuthorization", "updateReferral"} <= set(mutations)
    for who in providers:
        listed = await gql(who, f"query {{ referrals(first: 100) {{ nodes {{ id {SHARED} }} }} }}")
        assert referral_id not in {n["id"] for n in listed.ok()["referrals"]["nodes"]}
        filtered = await gql(who, f"query {{ referrals(filter: {{statuses: [{status}]}}) {{ nodes {{ id }} }} }}")
        assert referral_id not in {n["id"] for n in filtered.ok()["referrals"]["nodes"]}
        assert (await gql(who, "query { referralCounts { status count } }")).ok() == counts_before[who]
        lookup = await gql(
            who, f"query Op($id: ID!) {{ referral(id: $id) {{ id status {SHARED} }} }}", {"id": referral_id}
        )
        assert_denied(lookup, "NOT_FOUND")
        # every mutation answers exactly as it does for a referral that does not exist, and changes nothing
        for name, required in mutations.items():

            async def call(target: str, name=name, required=required, who=who) -> Result:
                arguments = ", ".join(f"{a}: {_literal(_sample(t, target))}" for a, t in required)
                return await gql(who, f"mutation {{ {name}({arguments}) {{ referral {{ id }} errors {{ code }} }} }}")

            result, missing = await call(referral_id), await call(MISSING)
            assert result.error_codes() == missing.error_codes() != [], (who, name)
            assert_denied(result, result.error_codes()[0])
        # and so do the mutations that name it, or its assignment, inside their input
        for document, variables in _naming_it(world, referral_id):
            result = await gql(who, document, variables(referral_id, world.food_box_assignment))
            missing = await gql(who, document, variables(MISSING, MISSING))
            assert result.error_codes() == missing.error_codes() != [], (who, document)
            assert_denied(result, result.error_codes()[0])
    # and the agency's case does not list the pantry as a provider the client was referred to
    assert (await gql("caseworker", STEVE_CASE, {"id": world.steve_case})).ok() == case_before


MISSING = "999999"  # no such record


def _naming_it(world, referral_id):
    """Mutations that reach a referral through their input: enrolling it into a schedule, delivering on it."""
    return [
        (
            """mutation Op($input: ScheduleEnrollmentInput!) { enrollInSchedule(input: $input) { errors { code } } }""",
            lambda referral, _: {"input": {"referralId": referral, "scheduleId": world.wednesday_schedule}},
        ),
        (
            """mutation Op($input: BenefitDisbursementInput!) { recordBenefitDisbursement(input: $input) {
              errors { code } } }""",
            lambda _, assignment: {
                "input": {"benefitAssignmentId": assignment, "serviceDate": "2026-11-20", "quantity": "1"}
            },
        ),
    ]


def _literal(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    return f'"{value}"' if isinstance(value, str) else str(value)
