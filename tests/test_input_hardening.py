"""Bad input is refused by its field (issue 11): ids that only look like ids, times without their offset, and
what an anonymous caller may learn of the schema. The sweeps are driven by the schema: every ID and every
DateTime a caller can send, in every root field's arguments and inside their input types."""

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
)

from server.core.ids import MAX_ID, record_id
from server.core.tokens import ALGORITHM, ISSUER, InvalidToken, read_token
from tests.conftest import SECRET
from tests.error_fields import schema
from tests.test_error_fields import sample

pytestmark = pytest.mark.anyio

UNEXPECTED = "Unexpected error"

# Strings `int()` reads as an id but no record has, and ids beyond the columns' range (PostgreSQL INTEGER; 2**63
# and more overflow SQLite's too); 1e308 is a JSON float, which GraphQL's ID reads as a 309-digit string.
FULL_WIDTH_ONE = "\uff11"  # what int() reads as 1
BAD_IDS = [FULL_WIDTH_ONE, " 2 ", "0002", "1_0", "+1", "-1", "0", "1.0", "", "2147483648", "9223372036854775808", 1e308]
SWEPT_IDS = [FULL_WIDTH_ONE, " 2 ", "0002", "1_0", "2147483648", 1e308]  # one of each kind, for every id of the schema

NAIVE = "2026-12-03T10:00:00"
AWARE = "2026-12-03T10:00:00+00:00"
# DateTime inputs that take a wall-clock time, whose zone is given beside it: an offset is what they refuse.
WALL_CLOCK = {("BenefitScheduleInput", "firstStart"), ("BenefitScheduleInput", "firstEnd")}


@dataclass(frozen=True)
class Position:
    """A place a root field takes a value of some scalar: `parts` from the argument down (list items as 0)."""

    root: str  # "query" or "mutation"
    field: str
    parts: tuple[str | int, ...]
    owner: str  # the input type holding it ("" for an argument)

    @property
    def name(self) -> str:
        """The error field naming it: a path, the `input` argument's fields without `input.`."""
        parts = self.parts[1:] if self.parts[0] == "input" and len(self.parts) > 1 else self.parts
        text = ""
        for part in parts:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


def positions(scalar: str) -> Iterator[Position]:
    for word, root in (("query", schema().query_type), ("mutation", schema().mutation_type)):
        for field_name, field in root.fields.items():
            for arg, argument in field.args.items():
                yield from _walk(scalar, word, field_name, argument.type, (arg,), "")


def _walk(scalar, word, field, kind, parts, owner) -> Iterator[Position]:
    kind = get_nullable_type(kind)
    if isinstance(kind, GraphQLList):
        yield from _walk(scalar, word, field, kind.of_type, (*parts, 0), owner)
    elif isinstance(kind, GraphQLInputObjectType):
        for name, inner in kind.fields.items():
            yield from _walk(scalar, word, field, inner.type, (*parts, name), kind.name)
    elif kind.name == scalar:
        yield Position(word, field, parts, owner)


def _with(value, kind, parts, bad):
    """`value` (a sample of `kind`) with `bad` at `parts`, making the objects and lists on the way."""
    if not parts:
        return bad
    kind = get_nullable_type(kind)
    head, rest = parts[0], parts[1:]
    if isinstance(head, int):
        items = list(value) if isinstance(value, list) and value else [sample(kind.of_type, full=False)]
        items[0] = _with(items[0], kind.of_type, rest, bad)
        return items
    inner = kind.fields[head].type
    value = dict(value) if isinstance(value, dict) else {}
    value[head] = _with(value.get(head, sample(inner, full=False)), inner, rest, bad)
    return value


def operation(position: Position, values: list, known: dict | None = None) -> tuple[str, dict]:
    """A document asking `position`'s field once per value (aliases a0, a1, …), each with that value there,
    `known` values at their parts (`{("id",): "7"}`) and sample values in its other required arguments."""
    root = schema().query_type if position.root == "query" else schema().mutation_type
    field = root.fields[position.field]
    declared, asked, variables = [], [], {}
    returned = get_named_type(field.type)
    selection = ""
    if isinstance(returned, GraphQLObjectType):
        selection = "{ errors { code field message } }" if "errors" in returned.fields else "{ __typename }"
    for i, bad in enumerate(values):
        given = {
            a: sample(arg.type, full=False) for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)
        }
        for parts, value in [*(known or {}).items(), (position.parts, bad)]:
            given[parts[0]] = _with(given.get(parts[0]), field.args[parts[0]].type, parts[1:], value)
        declared += [f"$a{i}_{a}: {field.args[a].type}" for a in given]
        arguments = ", ".join(f"{a}: $a{i}_{a}" for a in given)
        asked.append(f"a{i}: {position.field}({arguments}) {selection}")
        variables |= {f"a{i}_{a}": v for a, v in given.items()}
    return f"{position.root} Op({', '.join(declared)}) {{ {' '.join(asked)} }}", variables


def refusals(result, key: str) -> list[tuple[str, str | None, str]]:
    """(code, field, message) of every error of the field answered as `key`, at the top or in its payload."""
    found = []
    for error in result.errors:
        if error.get("path", [None])[0] == key:
            extensions = error.get("extensions") or {}
            gathered = extensions.get("errors") or [extensions]
            found += [(e.get("code"), e.get("field"), error["message"]) for e in gathered]
    payload = (result.data or {}).get(key)
    if isinstance(payload, dict):
        found += [(e["code"], e["field"], e["message"]) for e in payload.get("errors") or []]
    return found


async def sweep(gql, scalar: str, values_of) -> list[str]:
    """Every position of `scalar`, asked with each of `values_of(position)` as agency and provider admins: the
    problems found (an unexpected error, or a value not refused on its own field by either)."""
    problems = []
    for position in positions(scalar):
        values = values_of(position)
        if not values:
            continue
        document, variables = operation(position, values)
        answers = [await gql(who, document, variables) for who in ("agency_admin", "provider_a_admin")]
        for result in answers:
            unexpected = [e for e in result.errors if UNEXPECTED in e.get("message", "")]
            unexpected += [e for e in result.payload_errors() if UNEXPECTED in e["message"]]
            if unexpected or not result.data:
                problems.append(f"{position.field} {position.name}: {unexpected or result.errors}")
        for i, value in enumerate(values):
            seen = [refusals(result, f"a{i}") for result in answers]
            named = [code for found in seen for code, field, _ in found if field == position.name]
            # Refused on its field by one of them; or by both before it was read (a role refused, or a record
            # another sample names is missing): never taken as if it were valid.
            if not {"INVALID", "NOT_FOUND"} & set(named) and not all(seen):
                problems.append(f"{position.field} {position.name} = {value!r} not refused on its field: {seen}")
    return problems


# --- ids ---------------------------------------------------------------------------------------------------


# Where the sweep's sample ids name no record, these fields refuse before they read the id swept: here each is
# asked again about a record that exists, so that the id swept is read.
KNOWN = {
    ("createFacility", ("specialties", 0, "specialtyId")): {("input", "providerId"): "grief_center"},
    ("updateFacility", ("specialties", 0, "specialtyId")): {("id",): "grief_facility"},
    ("createBenefit", ("specialtyIds", 0)): {
        ("input", "programId"): "family_support",
        ("input", "benefitTypeId"): "mental_health",
    },
    ("updateBenefit", ("specialtyIds", 0)): {("id",): "grief_counseling"},
    ("updateCodeSetBundle", ("codeSetIds", 0)): {("id",): "counseling_bundle"},
    ("updateReferral", ("facilityId",)): {("id",): "draft", ("expectedVersion",): "draft_version"},
}


@pytest.mark.parametrize(("field", "parts"), list(KNOWN), ids=[f for f, _ in KNOWN])
async def test_an_id_read_after_a_record_is_found_is_refused_on_its_field(gql, world, field, parts):
    new = {"benefitAssignmentId": world.food_box_assignment, "providerId": world.pantry}
    create = (
        "mutation Op($i: ReferralCreateInput!) { createReferral(input: $i, send: false) { referral { id version } } }"
    )
    draft = (await gql("caseworker", create, {"i": new})).ok()["createReferral"]["referral"]
    records = {**vars(world), "draft": draft["id"], "draft_version": draft["version"]}
    (position,) = [p for p in positions("ID") if p.field == field and p.parts[len(p.parts) - len(parts) :] == parts]
    known = {at: records[name] for at, name in KNOWN[(field, parts)].items()}
    document, variables = operation(position, SWEPT_IDS, known)
    who = "caseworker" if field == "updateReferral" else "agency_admin"
    result = await gql(who, document, variables)
    for i, value in enumerate(SWEPT_IDS):
        found = refusals(result, f"a{i}")
        assert ("INVALID", position.name) in [(code, name) for code, name, _ in found], (value, found)


@pytest.mark.parametrize("value", [*BAD_IDS, 0, -1, 2**31, True, None, 1.0, "2", 2])
def test_an_id_is_ascii_digits_without_a_leading_zero_within_the_columns_range(value):
    if value in ("2", 2) and value is not True:
        assert record_id(value) == 2
        return
    with pytest.raises(ValueError, match="is not an id"):
        record_id(value)


def test_the_largest_id_is_the_largest_postgresql_integer():
    assert record_id(str(MAX_ID)) == MAX_ID == 2**31 - 1


async def test_every_id_argument_and_input_field_refuses_what_is_not_an_id(gql):
    """Every ID a root field takes (arguments, filters, inputs, lists), as each bad id: refused on its field
    (INVALID, or NOT_FOUND), never read as another id, never an unexpected error; on both backends."""
    assert len(list(positions("ID"))) > 100  # the sweep sees the schema's ids
    problems = await sweep(gql, "ID", lambda position: SWEPT_IDS)
    assert not problems, "\n".join(problems)


def _spellings(number: int) -> list[str]:
    """`number` as `int()` reads it but an id is not spelled: full-width, spaced, zero-padded, underscored, signed."""
    digits = str(number)
    return [
        "".join(chr(0xFF10 + int(d)) for d in digits),
        f" {digits} ",
        f"000{digits}",
        f"0_{digits}",
        f"+{digits}",
    ]


async def test_an_id_spelled_otherwise_does_not_read_the_record(gql, world):
    doc = "query Op($id: ID!) { participant(id: $id) { id } }"
    steve = str(world.steve)
    assert (await gql("caseworker", doc, {"id": steve})).ok()["participant"]["id"] == steve
    for spelled in _spellings(world.steve):
        result = await gql("caseworker", doc, {"id": spelled})
        assert result.data["participant"] is None, spelled
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in result.errors] == [("INVALID", "id")]


async def test_an_id_beyond_the_column_is_invalid_not_an_error_of_the_database(gql):
    doc = "query Op($id: ID!) { participant(id: $id) { id } }"
    for value in ("2147483648", "9223372036854775808", 1e308, 2**40):
        result = await gql("caseworker", doc, {"id": value})
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in result.errors] == [("INVALID", "id")]


async def test_an_int_argument_beyond_32_bits_is_a_typed_request_error(gql):
    doc = "query Op($first: Int) { providers(first: $first) { totalCount } }"
    for value in (1e308, 2**31, 2**63, 1.5):
        result = await gql("caseworker", doc, {"first": value})
        assert result.data is None
        assert [e["extensions"]["code"] for e in result.errors] == ["GRAPHQL_VALIDATION_FAILED"], result.body
    literal = await gql("caseworker", "{ providers(first: 99999999999999999999) { totalCount } }")
    assert [e["extensions"]["code"] for e in literal.errors] == ["GRAPHQL_VALIDATION_FAILED"]


def _token(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    import hashlib
    import hmac

    head = f"{part({'alg': ALGORITHM, 'typ': 'JWT'})}.{part(claims)}"
    signature = hmac.new(SECRET.encode(), head.encode(), hashlib.sha256).digest()
    return f"{head}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


SUBJECTS = ["2147483648", "99999999999999999999999", "0", "-1", "01", " 1", FULL_WIDTH_ONE, "1.0"]


@pytest.mark.parametrize("sub", SUBJECTS)
def test_a_token_whose_subject_is_not_an_id_is_not_valid(sub):
    with pytest.raises(InvalidToken):
        read_token(SECRET, _token({"iss": ISSUER, "sub": sub, "exp": int(time.time()) + 600}))


def test_a_token_checked_once_is_still_refused_once_expired_tampered_or_under_another_secret():
    """Verified tokens are remembered (clients send the same one with every request); what they prove is not."""
    now = int(time.time())
    token = _token({"iss": ISSUER, "sub": "7", "exp": now + 60, "jti": "remembered"})
    assert read_token(SECRET, token, now=now).user_id == 7
    assert read_token(SECRET, token, now=now + 59).user_id == 7  # from memory
    with pytest.raises(InvalidToken):
        read_token(SECRET, token, now=now + 60)  # expired, though remembered
    with pytest.raises(InvalidToken):
        read_token(SECRET + "-rotated", token, now=now)  # the secret changed: checked again, and refused
    head, _claims, signature = token.split(".")
    forged = json.dumps({"iss": ISSUER, "sub": "1", "exp": now + 60, "jti": "remembered"}).encode()
    forged_claims = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
    with pytest.raises(InvalidToken):
        read_token(SECRET, f"{head}.{forged_claims}.{signature}", now=now)  # another subject, the same signature


async def test_a_signed_token_whose_subject_is_out_of_range_answers_401_not_500(http):
    for sub in SUBJECTS:
        token = _token({"iss": ISSUER, "sub": sub, "exp": int(time.time()) + 600})
        response = await http.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code in (200, 401), response.text
        body = response.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], body
        session = await http.delete("/auth/session", headers={"Cookie": f"caseway_session={token}"})
        assert session.status_code < 500


# --- times without their offset ----------------------------------------------------------------------------


def _naive_or_aware(position: Position) -> list:
    return [AWARE] if (position.owner, position.parts[-1]) in WALL_CLOCK else [NAIVE]


def test_every_wall_clock_input_is_in_the_schema():
    found = {(p.owner, p.parts[-1]) for p in positions("DateTime")}
    assert found >= WALL_CLOCK
    assert len(found) > len(WALL_CLOCK)


async def test_every_datetime_argument_and_input_field_refuses_a_time_without_its_offset(gql):
    """Every DateTime a root field takes, without its offset (or, for a wall-clock time whose zone is its own
    field, with one): INVALID on its field, never an unexpected error; on both backends."""
    problems = await sweep(gql, "DateTime", _naive_or_aware)
    assert not problems, "\n".join(problems)


async def test_benefit_sessions_refuse_a_bound_without_its_offset(gql):
    result = await gql("provider_a", f'{{ benefitSessions(startsAfter: "{NAIVE}") {{ totalCount }} }}')
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in result.errors] == [("INVALID", "startsAfter")]
    assert "offset" in result.errors[0]["message"]
    aware = await gql("provider_a", f'{{ benefitSessions(startsAfter: "{AWARE}") {{ totalCount }} }}')
    assert aware.ok()


@pytest.mark.parametrize("naive", ["startsAt", "endsAt"])
async def test_a_postponed_session_names_the_time_given_without_its_offset(gql, world, naive):
    times = {"startsAt": "2027-01-04T10:00:00+00:00", "endsAt": "2027-01-04T11:00:00+00:00"}
    times[naive] = times[naive][: -len("+00:00")]
    result = await gql(
        "provider_a_admin",
        """mutation Op($id: ID!, $s: DateTime!, $e: DateTime!) { postponeBenefitSession(id: $id, startsAt: $s,
        endsAt: $e, note: "Room closed") { errors { code field } } }""",
        {"id": world.mwf_session, "s": times["startsAt"], "e": times["endsAt"]},
    )
    assert result.data["postponeBenefitSession"]["errors"] == [{"code": "INVALID", "field": naive}]


async def test_the_audit_trail_refuses_bounds_without_their_offset(gql):
    doc = "query Op($f: AuditEventFilter) { auditEvents(filter: $f) { totalCount } }"
    for bound in ("since", "until"):
        result = await gql("agency_admin", doc, {"f": {bound: NAIVE}})
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in result.errors] == [
            ("INVALID", f"filter.{bound}")
        ]
    assert (await gql("agency_admin", doc, {"f": {"since": AWARE, "until": AWARE}})).ok()


# --- what an anonymous caller learns of the schema ---------------------------------------------------------

INTROSPECTION = [
    "{ __schema { queryType { name } } }",
    '{ __type(name: "Referral") { fields { name } } }',
    "query { viewer { id } ...F } fragment F on Query { __schema { types { name } } }",
    "{ ...on Query { __schema { mutationType { fields { name } } } } }",
    "query Op($n: String!) { t: __type(name: $n) { name } }",
    get_introspection_query(descriptions=True),  # what GraphiQL sends
]
# Each misses by a letter: graphql-core suggests the real name ("Did you mean …?").
MISSPELT = [
    "{ referals { totalCount } }",  # a field
    '{ referral(idd: "1") { id } }',  # an argument
    "query Op($f: ReferalFilter) { referrals(filter: $f) { totalCount } }",  # a type
    "mutation { cancelReferral(id: 1, reason: CLIENT_DECLIND) { errors { code } } }",  # an enum value
]


async def _post(http, token: str | None, query: str, variables: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code < 500, response.text
    return response.json()


@pytest.fixture
def token(gql) -> str:
    return gql.tokens["caseworker"]


async def test_an_anonymous_caller_cannot_introspect_a_signed_in_user_can(http, token):
    for query in INTROSPECTION:
        variables = {"n": "Referral"} if "$n" in query else None
        # an anonymous caller after a signed-in one, and before: the cached validation serves each its own
        for who in (token, None, token):
            body = await _post(http, who, query, variables)
            if who:
                assert "errors" not in body, body
                assert body["data"]
            else:
                assert body.get("data") is None, body
                assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], body
                assert "Sign in" in body["errors"][0]["message"]


async def test_an_expired_or_invalid_token_is_anonymous_for_introspection(http):
    body = await _post(http, "not.a.token", INTROSPECTION[0])
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_an_anonymous_caller_may_still_ask_for_typename(http):
    assert (await _post(http, None, "{ __typename }")) == {"data": {"__typename": "Query"}}


async def test_an_anonymous_caller_gets_no_suggestions_a_signed_in_user_does(http, token):
    for query in [*MISSPELT, ENUM_VARIABLE]:
        variables = {"r": "CLIENT_DECLIND"} if "$r" in query else None
        for who in (None, token, None):  # both orders, through the validation cache
            body = await _post(http, who, query, variables)
            messages = " ".join(e["message"] for e in body.get("errors") or [])
            assert body.get("errors"), (query, body)
            if who:
                assert "Did you mean" in messages, (query, body)
            else:
                assert "Did you mean" not in messages, (query, body)
                assert all(e["extensions"]["code"] != "UNEXPECTED" for e in body["errors"])


ENUM_VARIABLE = (
    "mutation Op($r: ReasonCode!) { cancelReferral(id: 1, reason: $r) { errors { code } } }"  # coerced at execution
)


async def test_a_nul_character_in_text_is_refused_on_its_field_and_nothing_is_written(gql, db):
    """PostgreSQL cannot store NUL in text: it was an unexpected error there (found by tests/test_fuzz.py)."""
    from tests.test_access import audit_count

    events = await audit_count(db)
    made = await gql(
        "agency_admin",
        """mutation Op($input: ProviderCreateInput!) { createProvider(input: $input) {
          provider { id } errors { code field } } }""",
        {"input": {"name": "Grief\u0000Center", "type": "TRANSPORTATION"}},
    )
    assert made.data["createProvider"] == {"provider": None, "errors": [{"code": "INVALID", "field": "name"}]}
    assert await audit_count(db) == events


async def test_a_nul_character_in_a_search_is_no_error(gql):
    # PostgreSQL refuses NUL in a parameter: a search drops it (no stored text holds one)
    result = await gql("caseworker", 'query { clientSearch(search: "Ste\\u0000ve") { nodes { preferredName } } }')
    assert [n["preferredName"] for n in result.ok()["clientSearch"]["nodes"]] == ["Steve"]
    inbox = await gql("provider_a", 'query { referrals(filter: {clientName: "Mari\\u0000"}) { totalCount } }')
    assert inbox.ok()["referrals"]["totalCount"] == 1


NULL_ENUMS = [
    # (who, mutation, its input type, id of, input): an enum field given as null, on a column that always has a value
    ("caseworker", "updateBenefitAssignment", "AssignmentUpdateInput", "food_box_assignment", {"status": None}),
    ("agency_admin", "updateProvider", "ProviderUpdateInput", "pantry", {"status": None}),
    ("provider_a_admin", "updateFacility", "FacilityUpdateInput", "grief_facility", {"capacityStatus": None}),
    ("agency_admin", "updateProgram", "ProgramUpdateInput", "family_support", {"status": None}),
]


@pytest.mark.parametrize(("who", "mutation", "kind", "record", "values"), NULL_ENUMS, ids=[m[1] for m in NULL_ENUMS])
async def test_an_enum_given_as_null_is_required_not_a_conflict(gql, world, who, mutation, kind, record, values):
    result = await gql(
        who,
        f"mutation Op($id: ID!, $input: {kind}!) "
        f"{{ {mutation}(id: $id, input: $input) {{ errors {{ code field }} }} }}",
        {"id": getattr(world, record), "input": values},
    )
    assert result.data[mutation]["errors"] == [{"code": "REQUIRED", "field": next(iter(values))}]


async def test_a_draft_referral_given_a_null_priority_is_required_not_a_conflict(gql, world):
    created = await gql(
        "caseworker",
        """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input) {
          referral { id version } errors { code field } } }""",
        {"input": {"benefitAssignmentId": world.food_box_assignment, "providerId": world.pantry, "priority": None}},
    )
    assert created.data["createReferral"]["errors"] == [{"code": "REQUIRED", "field": "priority"}]
