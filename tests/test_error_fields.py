"""An error's `field` names what the caller sent: a path into the failing field's arguments, the `input`
argument's fields without `input.`. conftest checks every answer any test gets (tests/error_fields.py); these
are the cases that were wrong, and the check itself."""

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    get_named_type,
)

from tests.error_fields import check_error_fields, schema

pytestmark = pytest.mark.anyio

CREATE = """mutation Op($input: ReferralCreateInput!, $send: Boolean!) { createReferral(input: $input, send: $send) {
  referral { id version } errors { code field } } }"""


async def test_missing_consent_is_named_where_it_was_sent_or_stored(gql, world):
    new = {"benefitAssignmentId": world.food_box_assignment, "providerId": world.pantry}
    # when: sent at once without consent, then made a draft and sent later
    at_once = await gql("caseworker", CREATE, {"input": new, "send": True})
    draft = (await gql("caseworker", CREATE, {"input": new, "send": False})).ok()["createReferral"]["referral"]
    later = await gql(
        "caseworker", "mutation Op($id: ID!) { sendReferral(id: $id) { errors { code field } } }", {"id": draft["id"]}
    )
    # then: the input's consent, then the draft (sendReferral takes no consent: the draft lacks it)
    assert at_once.data["createReferral"]["errors"] == [{"code": "INVALID", "field": "consent.givenAt"}]
    assert later.data["sendReferral"]["errors"] == [{"code": "INVALID", "field": "id"}]


async def test_a_stale_version_is_the_expected_version_sent(gql, world):
    referral = (
        await gql("caseworker", "query Op($id: ID!) { referral(id: $id) { version } }", {"id": world.new_referral})
    ).ok()["referral"]
    stale = await gql(
        "caseworker",
        """mutation Op($id: ID!, $v: Int) { cancelReferral(id: $id, reason: CLIENT_DECLINED, expectedVersion: $v) {
      errors { code field } } }""",
        {"id": world.new_referral, "v": referral["version"] - 1},
    )
    assert stale.data["cancelReferral"]["errors"] == [{"code": "CONFLICT", "field": "expectedVersion"}]


async def test_a_session_not_found_is_the_session_id(gql):
    result = await gql("provider_a", "query Op($id: ID!) { sessionRoster(sessionId: $id) { capacity } }", {"id": 9999})
    assert [e["extensions"] for e in result.errors] == [{"code": "NOT_FOUND", "field": "sessionId"}]


async def test_a_referral_not_found_is_the_inputs_referral_id(gql, world):
    result = await gql(
        "provider_a",
        """mutation Op($input: ScheduleEnrollmentInput!) { enrollInSchedule(input: $input) {
      errors { code field } } }""",
        {"input": {"referralId": 9999, "scheduleId": world.wednesday_schedule}},
    )
    assert result.data["enrollInSchedule"]["errors"] == [{"code": "NOT_FOUND", "field": "referralId"}]


async def test_a_facilitys_specialties_are_named_by_index(gql, world):
    doc = """mutation Op($id: ID!, $input: FacilityUpdateInput!) { updateFacility(id: $id, input: $input) {
      errors { code field } } }"""
    twice = [{"specialtyId": world.counseling}, {"specialtyId": world.counseling}]
    for offered in (twice, [{"specialtyId": "not-an-id"}]):  # the second was an unexpected error
        result = await gql("agency_admin", doc, {"id": world.grief_facility, "input": {"specialties": offered}})
        field = f"specialties[{len(offered) - 1}].specialtyId"
        assert result.data["updateFacility"]["errors"] == [{"code": "INVALID", "field": field}]


def payload_error(field: str) -> dict:
    return {"data": {"sent": {"errors": [{"code": "INVALID", "field": field}]}}}


@pytest.mark.parametrize(
    ("field", "valid"),
    [
        ("id", True),
        ("expectedVersion", True),
        ("note", True),
        ("version", False),  # the domain's word, not an argument
        ("consentGivenAt", False),
        ("id.x", False),
        ("id[0]", False),
    ],
)
def test_the_sweep_refuses_a_field_the_operation_lacks(field, valid):
    document = "mutation { sent: sendReferral(id: 1) { errors { field } } }"  # an alias, as apps may use
    if valid:
        check_error_fields(document, payload_error(field))
    else:
        with pytest.raises(AssertionError, match="not a path into its arguments"):
            check_error_fields(document, payload_error(field))


@pytest.mark.parametrize(
    ("document", "field", "valid"),
    [
        ("mutation { sent: takeAttendance(sessionId: 1, marks: []) { errors { field } } }", "marks[1].mark", True),
        ("mutation { sent: takeAttendance(sessionId: 1, marks: []) { errors { field } } }", "marks.1.mark", False),
        ("mutation { sent: takeAttendance(sessionId: 1, marks: []) { errors { field } } }", "sessionId[0]", False),
        ("mutation { sent: createReferral(input: {}) { errors { field } } }", "consent.givenAt", True),
        ("mutation { sent: createReferral(input: {}) { errors { field } } }", "input.consent.givenAt", False),
        ("mutation { sent: createReferral(input: {}) { errors { field } } }", "consent.when", False),
        ("mutation { sent: createReferral(input: {}) { errors { field } } }", "send", True),
        ('mutation { sent: disburseInBulk(input: {}, idempotencyKey: "k") { errors { field } } }', "x", False),
    ],
)
def test_the_sweep_walks_arguments_inputs_and_lists(document, field, valid):
    if valid:
        check_error_fields(document, payload_error(field))
    else:
        with pytest.raises(AssertionError):
            check_error_fields(document, payload_error(field))


def test_the_sweep_checks_query_errors_at_their_path():
    document = "query { a: referral(id: 1) { id } b: sessionRoster(sessionId: 2) { capacity } }"
    error = {"message": "No session", "path": ["b"], "extensions": {"code": "NOT_FOUND", "field": "id"}}
    with pytest.raises(AssertionError, match="'id' at \\['b'\\]"):
        check_error_fields(document, {"data": {"a": None, "b": None}, "errors": [error]})
    check_error_fields(document, {"errors": [{**error, "extensions": {"code": "NOT_FOUND", "field": "sessionId"}}]})
    gathered = {**error, "extensions": {"code": "INVALID", "field": None, "errors": [{"field": "sessionId.x"}]}}
    with pytest.raises(AssertionError):
        check_error_fields(document, {"errors": [gathered]})


SAMPLES = {
    "ID": "9999999",  # no record has it
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": "2026-01-05",
    "DateTime": "2026-01-05T09:00:00+00:00",
    "Decimal": "1",
    "Time": "09:00:00",
    "JSON": {},
}


def sample(kind, *, full: bool):
    """A value of the input type `kind`: every field given (`full`) or only the required ones."""
    if isinstance(kind, GraphQLNonNull):
        return sample(kind.of_type, full=full)
    if isinstance(kind, GraphQLList):
        return [sample(kind.of_type, full=full)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {
            name: sample(field.type, full=full)
            for name, field in kind.fields.items()
            if full or (isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined)
        }
    return SAMPLES[kind.name]


@pytest.mark.parametrize("full", [False, True], ids=["required", "full"])
async def test_every_operation_names_its_fields_when_given_ids_of_nothing(gql, full):
    """Every query and mutation, with every id naming no record (and sample values elsewhere), as agency and
    provider: whatever is refused, conftest's check finds its field among the operation's arguments."""
    for root, word in ((schema().query_type, "query"), (schema().mutation_type, "mutation")):
        for name, field in root.fields.items():
            given = {
                arg: sample(argument.type, full=full)
                for arg, argument in field.args.items()
                if (full and arg != "after") or isinstance(argument.type, GraphQLNonNull)
            }
            variables = ", ".join(f"${arg}: {field.args[arg].type}" for arg in given)
            arguments = ", ".join(f"{arg}: ${arg}" for arg in given)
            returned = get_named_type(field.type)
            if isinstance(returned, GraphQLObjectType):
                selection = "{ errors { code field } }" if "errors" in returned.fields else "{ __typename }"
            else:
                selection = ""
            document = (
                f"{word} Op{'(' + variables + ')' if variables else ''} "
                f"{{ {name}{'(' + arguments + ')' if arguments else ''} {selection} }}"
            )
            for who in ("agency_admin", "provider_a_admin"):
                result = await gql(who, document, given)  # conftest checks every error's field
                unexpected = [e for e in result.errors if e.get("message", "").startswith("Unexpected error")]
                assert not unexpected, (name, who, given, unexpected)


async def test_a_message_that_names_its_field_names_it_as_sent(gql, world):
    new = {
        "benefitAssignmentId": world.food_box_assignment,
        "providerId": world.pantry,
        "consent": {"givenAt": "2026-11-30T15:00:00"},  # no offset
    }
    result = await gql(
        "caseworker",
        "mutation Op($input: ReferralCreateInput!) { createReferral(input: $input) { errors { code field message } } }",
        {"input": new},
    )
    assert result.data["createReferral"]["errors"] == [
        {
            "code": "INVALID",
            "field": "consent.givenAt",
            "message": "consent.givenAt must be a date and time with its offset.",
        }
    ]
