"""Limits on what one request may ask: depth, aliases and cost measured once per fragment, and a time limit."""

import asyncio
import dataclasses

import httpx
import pytest
from graphql import get_introspection_query, parse

from server.app import create_app
from server.graphql import limits
from server.graphql.limits import Measure, measure
from tests.conftest import GraphQL

pytestmark = pytest.mark.anyio

LIMITED = "GRAPHQL_VALIDATION_FAILED"


def fan_out(n: int, first: str = "__typename", *, inline: bool = False) -> str:
    """`query{...Fn}`, each fragment spreading the one before twice (the second time in an inline fragment if
    `inline`): 2^n copies of `first` once expanded, in a document of about 10n tokens."""
    second = "... on Query { ...F%d }" if inline else "...F%d"
    fragments = [f"fragment F0 on Query {{ {first} }}"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} {second % (i - 1)} }}" for i in range(1, n + 1)]
    return f"query {{ ...F{n} }} " + " ".join(fragments)


def refusal(result, limit: str) -> dict:
    """The one error refusing the document for `limit`, with nothing executed."""
    assert result.data is None, result.body
    refusals = [e for e in result.errors if e.get("extensions", {}).get("limit") == limit]
    assert len(refusals) == 1, result.body
    assert refusals[0]["extensions"]["code"] == LIMITED
    return refusals[0]


@pytest.mark.parametrize("who", [None, "caseworker"])
async def test_a_fragment_fan_out_is_refused_for_its_cost(gql, who):
    result = await gql(who, fan_out(40))
    error = refusal(result, "cost")
    assert error["message"] == f"'anonymous' selects {2**40} fields once its fragments are expanded. Allowed: 5000"
    assert error["extensions"]["allowed"] == 5000


def test_each_fragment_is_walked_once(monkeypatch):
    walked = []
    walk = limits._walk
    monkeypatch.setattr(limits, "_walk", lambda selection_set: walked.append(selection_set) or walk(selection_set))
    [(_, found)] = measure(parse(fan_out(40)))
    assert found == Measure(depth=0, aliases=0, cost=2**40)
    assert len(walked) == 42  # 41 fragments and the operation, however often each is spread


async def test_a_small_fan_out_is_answered(gql):
    result = await gql("caseworker", fan_out(3, "viewer { name }"))
    assert result.ok() == {"viewer": {"name": "Connor Reyes"}}


def test_cost_counts_fields_through_nested_and_inline_fragments():
    document = """
        query Q { viewer { ...U ... on User { id ... on User { ...U } } } ...R }
        fragment U on User { name a: name }
        fragment R on Query { v: viewer { ...U } }
    """
    # fields: viewer, name, a, id, name, a | v, name, a; aliases: a, a | v, a
    assert measure(parse(document))[0][1] == Measure(depth=1, aliases=4, cost=9)


async def test_the_cost_limit_is_inclusive_and_counts_inline_fragments(gql):
    assert (await gql("caseworker", fan_out(12, inline=True))).ok() == {"__typename": "Query"}  # 4,096 fields
    refusal(await gql("caseworker", fan_out(13, inline=True)), "cost")  # 8,192


def nested(levels: int) -> str:
    """A field at level `levels` (root fields being level 0) of care specialties' tree."""
    return "children { " * (levels - 2) + "code" + " }" * (levels - 2)


async def test_the_depth_limit_counts_through_fragments(gql):
    allowed = "{ careSpecialties { nodes { ...Tree } } } fragment Tree on CareSpecialty { %s }"
    assert "careSpecialties" in (await gql("caseworker", allowed % nested(10))).ok()
    error = refusal(await gql("caseworker", allowed % nested(11)), "depth")
    assert "exceeds maximum operation depth of 10" in error["message"]  # as before, with Strawberry's limiter
    inline = "{ careSpecialties { nodes { ... on CareSpecialty { %s } } } }"
    refusal(await gql("caseworker", inline % nested(11)), "depth")
    spread_deep = "{ careSpecialties { nodes { ...A } } } fragment A on CareSpecialty { children { ...B } } " + (
        f"fragment B on CareSpecialty {{ {nested(10)} }}"  # code at level 3 + 8
    )
    refusal(await gql(None, spread_deep), "depth")


async def test_the_alias_limit_counts_each_spread(gql):
    spreads = lambda n: "{ " + " ".join(["...A"] * n) + " } fragment A on Query { me: viewer { name } }"  # noqa: E731
    assert (await gql("caseworker", spreads(15))).ok() == {"me": {"name": "Connor Reyes"}}
    for who in (None, "caseworker"):
        error = refusal(await gql(who, spreads(20)), "aliases")
        assert error["message"] == "20 aliases found. Allowed: 15"  # as before, with Strawberry's limiter


@pytest.mark.parametrize(
    "document",
    [
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "query { ...A } fragment A on Query { __typename ...A ...A }",
        "query { viewer { ...U } } fragment U on User { name ...V ...V } fragment V on User { ...U ...U }",
    ],
)
async def test_a_fragment_cycle_is_a_validation_error(gql, document):
    assert len(measure(parse(document))) == 1  # measured, not walked forever
    for who in (None, "caseworker"):
        result = await gql(who, document)
        assert result.data is None
        assert any("Cannot spread fragment" in e["message"] for e in result.errors), result.body
        assert {e["extensions"]["code"] for e in result.errors} == {LIMITED}


async def test_introspection_stays_within_the_limits(gql):
    """GraphiQL's introspection nests `ofType` ten deep: unwrapping a type is not a level of depth."""
    query = get_introspection_query(descriptions=True, input_value_deprecation=True, schema_description=True)
    assert "__schema" in (await gql("caseworker", query)).ok()


async def test_a_document_is_validated_once(gql):
    document = fan_out(30)
    refusal(await gql("caseworker", document), "cost")
    misses = limits.validate_within_limits.cache_info().misses
    refusal(await gql("caseworker", document), "cost")
    assert limits.validate_within_limits.cache_info().misses == misses  # the cache answers the same document


async def test_a_request_past_its_time_limit_is_stopped(db, settings, gql, monkeypatch):
    """The time limit stops a slow request with a TIMEOUT error; /healthz and later requests are answered."""
    from server.domain.network import providers

    started = asyncio.Event()

    async def slow(*args, **kwargs):
        started.set()
        await asyncio.Event().wait()  # never set: only the time limit ends it

    monkeypatch.setattr(providers, "list_providers", slow)
    app = create_app(dataclasses.replace(settings, query_timeout_seconds=0.5), db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        client = GraphQL(http, gql.tokens)
        request = asyncio.create_task(client("caseworker", "{ providers { totalCount } }"))
        await started.wait()
        health = await http.get("/healthz")
        assert health.status_code == 200 and not request.done()
        result = await request
        assert result.data is None
        assert [e["extensions"]["code"] for e in result.errors] == ["TIMEOUT"]
        assert "more than 0.5 seconds" in result.errors[0]["message"]
        assert (await client("caseworker", "{ viewer { name } }")).ok() == {"viewer": {"name": "Connor Reyes"}}


async def test_a_change_stopped_by_the_time_limit_writes_nothing(db, settings, gql, monkeypatch):
    from server.domain import agencies

    update_settings = agencies.update_settings
    saved = asyncio.Event()

    async def slow(*args, **kwargs):
        changed = await update_settings(*args, **kwargs)  # written and audited, not yet committed
        saved.set()
        await asyncio.Event().wait()  # never set: only the time limit ends it
        return changed

    monkeypatch.setattr(agencies, "update_settings", slow)
    app = create_app(dataclasses.replace(settings, query_timeout_seconds=0.5), db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        client = GraphQL(http, gql.tokens)
        before = (await client("agency_admin", "{ viewer { agency { followUpDays } } }")).ok()
        change = (
            "mutation { updateAgencySettings(input: {followUpDays: 3}) { agency { followUpDays } errors { code } } }"
        )
        result = await client("agency_admin", change)
        assert saved.is_set()
        assert [e["extensions"]["code"] for e in result.errors] == ["TIMEOUT"]
        assert (await client("agency_admin", "{ viewer { agency { followUpDays } } }")).ok() == before
        assert before != {"viewer": {"agency": {"followUpDays": 3}}}


def repeated(n: int) -> str:
    """`viewer { name }` `n` times in one selection set."""
    return "{ " + " ".join(["viewer { name }"] * n) + " }"


def spread_apart(n: int) -> str:
    """`n` fragments, each selecting `viewer { name }`, spread into one selection set."""
    fragments = " ".join(f"fragment V{i} on Query {{ viewer {{ name }} }}" for i in range(n))
    return "query { " + " ".join(f"...V{i}" for i in range(n)) + " } " + fragments


@pytest.mark.parametrize("who", [None, "caseworker"])
async def test_a_field_repeated_past_the_limit_is_refused(gql, who):
    """graphql-core compares fields with one response key pairwise: 497 `viewer`s would take a second."""
    error = refusal(await gql(who, repeated(497)), "repeated_fields")
    assert error["message"] == "'viewer' is selected 497 times in one selection set. Allowed: 20"
    assert error["extensions"]["allowed"] == 20
    refusal(await gql(who, repeated(21)), "repeated_fields")


async def test_a_field_repeated_within_the_limit_is_answered(gql):
    assert (await gql("caseworker", repeated(2))).ok() == {"viewer": {"name": "Connor Reyes"}}
    assert (await gql("caseworker", repeated(20))).ok() == {"viewer": {"name": "Connor Reyes"}}


@pytest.mark.parametrize("who", [None, "caseworker"])
async def test_fragments_spread_past_the_limit_are_refused(gql, who):
    result = await gql(who, spread_apart(150))
    assert refusal(result, "fragment_spreads")["extensions"]["allowed"] == 50
    refusal(result, "repeated_fields")  # 150 `viewer`s too
    fragments = lambda n: " ".join(f"fragment T{i} on Query {{ t{i}: __typename }}" for i in range(n))  # noqa: E731
    spreads = lambda n: "query { " + " ".join(f"...T{i}" for i in range(n)) + " } " + fragments(n)  # noqa: E731
    assert (await gql(who, spreads(15))).ok()["t14"] == "Query"  # (under the alias limit too)
    refusal(await gql(who, spreads(51)), "fragment_spreads")


def through_fragments(n: int) -> str:
    """`viewer` `n` times: 10 in a fragment, the rest in inline fragments of a fragment it spreads in an inline one."""
    inline = " ".join(["... on Query { viewer { id } }"] * (n - 10))
    many = " ".join(["viewer { id }"] * 10)
    fragments = f"fragment A on Query {{ {many} ... on Query {{ ...B }} }} fragment B on Query {{ {inline} }}"
    return f"query {{ ...A }} {fragments}"


def through_merged_fields(n: int) -> str:
    """`name` `n` times in the selection sets of two `viewer`s, which graphql-core merges."""
    inline = " ".join(["... on Viewer { name }"] * (n - 1))
    return f"{{ viewer {{ name }} viewer {{ ...N }} }} fragment N on Viewer {{ {inline} }}"


def through_merged_fragments(n: int) -> str:
    """`name` `n` times, in `n` fragments spread into the selection sets of two `viewer`s."""
    fragments = " ".join(f"fragment N{i} on Viewer {{ name }}" for i in range(n))
    first, second = (" ".join(f"...N{i}" for i in part) for part in (range(n // 2), range(n // 2, n)))
    return f"{{ viewer {{ {first} }} viewer {{ {second} }} }} {fragments}"


@pytest.mark.parametrize("document", [through_fragments, through_merged_fields, through_merged_fragments])
async def test_repeated_fields_are_counted_through_fragments_and_merged_fields(gql, document):
    """One selection set, as graphql-core's OverlappingFieldsCanBeMerged sees it: the fields of the fragments and
    inline fragments spread into it, and those of the fields with its response key, merged."""
    assert "viewer" in (await gql("caseworker", document(20))).ok()
    error = refusal(await gql("caseworker", document(21)), "repeated_fields")
    assert "is selected 21 times in one selection set" in error["message"]


def test_a_fragment_spread_twice_counts_once():
    """As graphql-core compares it once: a fan-out within the cost limit is not refused for repeating its field."""
    document = parse(fan_out(11, "viewer { name }"))
    assert limits.refusals(document, limits.Limits(depth=10, aliases=15, cost=5000)) == []


@pytest.mark.parametrize("who", [None, "caseworker"])
async def test_an_unused_fragment_past_the_limits_is_refused(gql, who):
    """graphql-core's rules compare the fields of every fragment, spread or not."""
    wide = "fragment U on Query " + repeated(497)
    refusal(await gql(who, "{ __typename } " + wide), "repeated_fields")
    unused = spread_apart(150).replace("query {", "fragment W on Query {")
    refusal(await gql(who, "{ __typename } " + unused), "fragment_spreads")
