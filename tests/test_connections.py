"""Every connection of the served schema pages to the same list it gives at once, for every role that reads it.

The fields come from the schema itself, so a new list cannot escape: a connection with required arguments
needs an entry in ARGUMENTS, a nested one an entry in NESTED, or the test fails. Extra records (`arranged`)
make the demo's short lists at least three long, so each is read over more than one page of two.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, Undefined, build_schema, get_named_type

from server.domain.cases import cases, notes
from server.domain.catalogue.code_sets import bundles
from server.domain.catalogue.programs import programs
from server.domain.delivery import schedule_assignments
from server.domain.paging import MAX_PAGE_SIZE
from server.graphql.schema import build_schema as served_schema
from tests.conftest import World
from tests.stories import approved_schedule, authorized_referral, days_ago_at

pytestmark = pytest.mark.anyio

ROLES = (
    "agency_admin",
    "supervisor",
    "caseworker",
    "provider_a",
    "provider_a_admin",
    "provider_b",
    "other_agency_admin",
)
DENIED = {"FORBIDDEN", "UNAUTHENTICATED"}
SCHEMA = build_schema(served_schema().as_str())


def is_connection(field_type) -> bool:
    named = get_named_type(field_type)
    return isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= set(named.fields)


# Every connection field, as "Type.field": those of Query, and any nested in an object type.
CONNECTIONS = {
    f"{type_name}.{field_name}": field
    for type_name, named in SCHEMA.type_map.items()
    if isinstance(named, GraphQLObjectType) and not type_name.startswith("__") and not type_name.endswith("Connection")
    for field_name, field in named.fields.items()
    if is_connection(field.type)
}

# Argument values per connection field: a list of variants, each paged in turn. Every required argument of a
# connection must be given here (the test fails otherwise).
ARGUMENTS = {
    "Query.providerSearch": lambda w: [
        {"filter": {}},  # by provider name, facility name
        {"filter": {"near": {"latitude": 41.88, "longitude": -87.63}}},  # by distance (a computed float)
    ],
    # Two name matches, then Steve by his street (a computed rank, then names).
    "Query.clientSearch": lambda w: [{"search": "monroe"}],
    # Newest first, then most urgent first (computed ranks, a respond-by date or none, the id).
    "Query.referrals": lambda w: [{}, {"orderBy": "URGENCY"}],
}

# A connection nested in an object type is read through a root field: "Type.field" -> (root field, its
# arguments from `world`). None exist today; a new one must be added here.
NESTED: dict[str, tuple[str, Callable[[World], dict]]] = {}

# A node type without an `id` of its own: the path to the id that identifies it.
IDENTITY = {"ProviderSearchResult": "facility { id }"}


def required_arguments(field) -> set[str]:
    return {
        name
        for name, argument in field.args.items()
        if isinstance(argument.type, GraphQLNonNull)
        and argument.default_value is Undefined
        and getattr(argument, "default", None) is None  # graphql-core 3.3 keeps a default here
    }


def node_identity(field) -> str:
    node = get_named_type(get_named_type(field.type).fields["edges"].type).fields["node"].type
    node = get_named_type(node)
    if "id" in node.fields:
        return "id"
    assert node.name in IDENTITY, f"{node.name} has no id: say in IDENTITY which id identifies it"
    return IDENTITY[node.name]


def document(name: str, field, variant: dict, nested: tuple | None) -> tuple[str, list[str]]:
    """The query reading one page of the connection, and the path to it in the answer."""
    field_name = name.split(".")[1]
    arguments = {k: str(field.args[k].type) for k in variant}
    call = ", ".join([f"{k}: ${k}" for k in arguments] + ["first: $first", "after: $after"])
    selection = (
        f"{field_name}({call}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
        f"edges {{ cursor node {{ {node_identity(field)} }} }} }}"
    )
    variables = [f"${k}: {t}" for k, t in arguments.items()] + ["$first: Int!", "$after: String"]
    path = [field_name]
    if nested is not None:
        root, root_arguments = nested
        variables += [f"$root_{k}: {v}" for k, v in root_arguments.items()]
        selection = f"{root}({', '.join(f'{k}: $root_{k}' for k in root_arguments)}) {{ {selection} }}"
        path = [root, field_name]
    return f"query Op({', '.join(variables)}) {{ {selection} }}", path


def the_id(node: dict):
    while isinstance(node, dict):
        (node,) = node.values()
    return node


def test_every_connection_field_is_found():
    assert {"Query.benefitDisbursements", "Query.caseNotes", "Query.clientSearch", "Query.providerSearch"} <= set(
        CONNECTIONS
    )
    assert set(ARGUMENTS) <= set(CONNECTIONS), "ARGUMENTS names a field that is no longer a connection"
    assert set(NESTED) <= set(CONNECTIONS), "NESTED names a field that is no longer a connection"


@pytest.fixture
async def arranged(db, gql, people, world):
    """Records added to the demo's so that every list is at least three long for some role."""
    # A third and fourth participant, "Monroe" among them: referred, authorized, with an enrollment
    monroe = await authorized_referral(db, people, world, first_name="Monroe")
    result = await gql(
        "caseworker",
        """mutation { createParticipant(input: {legalFirstName: "Ana", legalLastName: "Monroe"}) {
      participant { id } errors { code } } }""",
    )
    result.ok()
    # a schedule of the Grief Center (its third), with two enrollments in it
    _, (session_id,) = await approved_schedule(db, people, world, first_start=days_ago_at(-5, 10))
    day = datetime.now(UTC).date()
    async with db.write() as session:
        connor = people["caseworker"]
        for referral_id in (monroe.id, world.steve_referral):
            await schedule_assignments.enroll_in_schedule(
                session, people["provider_a"], referral_id=referral_id, session_id=session_id
            )
        await cases.open_case(session, connor, {"participant_id": monroe.participant_id, "intake_source": "REFERRAL"})
        await programs.create(session, people["agency_admin"], {"name": "Youth Mentoring", "status": "ACTIVE"})
        for name in ("Group sessions", "Home visits"):
            await bundles.create(session, people["agency_admin"], {"name": name})
        # two notes on one day (ties on the date), and three incidents, two at the same moment
        for subject in ("Called", "Visited"):
            values = {
                "participant_id": world.steve,
                "subject": subject,
                "text": "Checked in.",
                "interaction_date": day - timedelta(days=3),
                "note_type": "CALL",
                "final": True,
            }
            await notes.write_note(session, connor, values)
        moment = datetime.now(UTC) - timedelta(days=1)
        for when in (moment, moment, moment - timedelta(hours=5)):
            values = {
                "participant_id": world.steve,
                "occurred_at": when,
                "incident_type": "Fall",
                "severity": "LOW",
                "description": "Slipped at the door.",
            }
            await notes.report_incident(session, connor, values)
    # one more disbursement on the day of an existing one (ties on the service date)
    result = await gql(
        "provider_a",
        """query { benefitDisbursements(first: 1) { nodes { serviceDate benefitAssignmentId } } }""",
    )
    (latest,) = result.ok()["benefitDisbursements"]["nodes"]
    result = await gql(
        "provider_a",
        """mutation Op($input: BenefitDisbursementInput!) { recordBenefitDisbursement(input: $input) {
      disbursement { id } errors { code field message } } }""",
        {
            "input": {
                "benefitAssignmentId": latest["benefitAssignmentId"],
                "serviceDate": latest["serviceDate"],
                "quantity": str(Decimal("1")),
                "codeSetId": world.cpt_90832,
            }
        },
    )
    result.ok()


async def read(gql, who: str, query: str, path: list[str], variables: dict):
    """One page as `who`: the connection, or None when the role may not read it."""
    result = await gql(who, query, variables)
    if set(result.error_codes()) & DENIED:
        return None
    data = result.ok()
    for key in path:
        data = data[key]
    return data


async def read_at_once(gql, who: str, query: str, path: list[str], fixed: dict) -> list | None:
    """The ids of the whole list as `who`, in pages of the largest size (one, unless the list is longer)."""
    everything, after = [], None
    while True:
        whole = await read(gql, who, query, path, {**fixed, "first": MAX_PAGE_SIZE, "after": after})
        if whole is None:
            return None
        everything += [the_id(edge["node"]) for edge in whole["edges"]]
        if not whole["pageInfo"]["hasNextPage"]:
            assert whole["totalCount"] == len(everything), (query, who)
            return everything
        after = whole["pageInfo"]["endCursor"]


@pytest.mark.parametrize("name", sorted(CONNECTIONS))
async def test_every_connection_pages_two_at_a_time_to_the_list_read_at_once(gql, world, arranged, name):
    field = CONNECTIONS[name]
    type_name = name.split(".")[0]
    assert type_name == "Query" or name in NESTED, f"{name}: say in NESTED how to reach its parent"
    nested = None
    if type_name != "Query":
        root, root_arguments = NESTED[name]
        nested = (root, {k: str(SCHEMA.query_type.fields[root].args[k].type) for k in root_arguments(world)})
    variants = ARGUMENTS[name](world) if name in ARGUMENTS else [{}]
    for variant in variants:
        missing = required_arguments(field) - set(variant)
        assert not missing, f"{name} has required arguments {missing}: give them in ARGUMENTS"
        query, path = document(name, field, variant, nested)
        fixed = dict(variant)
        if nested is not None:
            fixed |= {f"root_{k}": v for k, v in NESTED[name][1](world).items()}
        readers, paged = [], []
        for who in ROLES:
            everything = await read_at_once(gql, who, query, path, fixed)
            if everything is None:
                continue
            readers.append(who)
            seen, after, pages = [], None, 0
            while True:
                page = await read(gql, who, query, path, {**fixed, "first": 2, "after": after})
                pages += 1
                assert len(page["edges"]) <= 2
                assert page["totalCount"] == len(everything), (name, who, pages)
                seen += [the_id(edge["node"]) for edge in page["edges"]]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
                assert pages <= len(everything), f"{name} as {who}: pages never end"
            assert seen == everything, (name, who, variant)
            if pages > 1:
                paged.append(who)
        assert readers, f"no role reads {name}"
        assert paged, f"{name} {variant}: no role has more than two items; arrange more records"
