"""Fuzz over the whole served schema: Hypothesis builds operations from the schema's own types (every root query and
mutation, arguments valid-looking and not, shallow selections) and sends them over HTTP as an agency and a provider
principal. No answer may be a 5xx or carry "Unexpected error"; conftest's `gql` also checks every error's field.

Operations are drawn first (derandomized, so every run sends the same ones), then sent on one database per backend;
mutations change that database as they go, which later operations then see.
"""

import json
from functools import cache

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.error_fields import schema

pytestmark = pytest.mark.anyio

PRINCIPALS = ("agency_admin", "caseworker", "provider_a_admin")
PER_ROOT_FIELD = 30  # operations per root field, shared among the principals: 3,660 per backend
MAX_DEPTH = 3  # levels of nested objects below the root field (the server allows 10)
UNEXPECTED = "Unexpected error"

# Failures the fuzz has found that are not fixed yet: (root field, reason). Each is still sent, and its answer must
# still not be a 5xx; only the "Unexpected error" check is waived for it.
KNOWN: dict[str, str] = {}

# Valid-looking ids (the seeded records have small ids) more often than ones that are not ids.
IDS = st.one_of(
    st.integers(1, 12).map(str),
    st.integers(1, 12).map(str),
    st.sampled_from(["999999", "abc", "-1", "0", "", " 1", "1.5", "01", "2147483648"]),
)
INTS = st.one_of(st.integers(1, 20), st.sampled_from([0, -1, 100, 101, 2**31 - 1, -(2**31)]))
BAD_INTS = st.sampled_from([2**31, -(2**31) - 1, 10**20])
STRINGS = st.one_of(
    st.sampled_from(["", " ", "a", "Steve", "x" * 2001, "x" * 100_001, "Ωμέγα ☃ 𝄞", "a\u0000b", "<b>", "' OR 1=1 --"]),
    st.text(max_size=30),
    st.text("abcdefgh -", min_size=1, max_size=12),
)
DATETIMES = st.sampled_from(
    [
        "2027-01-05T10:00:00-06:00",
        "2027-01-05T10:00:00Z",
        "2027-01-05T10:00:00",  # no offset
        "2027-01-05T10:00:00+14:00",
        "2026-12-03T16:00:00.123456+00:00",
        "1900-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00",
        "2027-02-30T10:00:00Z",
        "yesterday",
        "",
    ]
)
DATES = st.sampled_from(["2027-01-05", "2026-12-03", "1900-01-01", "9999-12-31", "0001-01-01", "2027-02-30", "x", ""])
TIMES = st.sampled_from(["10:00", "10:00:00", "23:59:59", "00:00", "24:00", "25:61", "x", ""])
DECIMALS = st.sampled_from(
    ["0", "1", "2.5", "-1", "0.001", "1e3", "1E+400", "NaN", "Infinity", "-Infinity", "99999999999999999999", "x", ""]
)
FLOATS = st.one_of(st.sampled_from([0.0, -1.0, 1e308, 2.5]), st.floats(allow_nan=False, allow_infinity=False))
JSONS = st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3))


def scalar_values(scalar: GraphQLScalarType) -> st.SearchStrategy:
    name = scalar.name
    if name == "ID":
        return IDS
    if name == "Int":
        return st.one_of(INTS, INTS, BAD_INTS)
    if name == "Float":
        return FLOATS
    if name == "String":
        return STRINGS
    if name == "Boolean":
        return st.booleans()
    if name == "DateTime":
        return DATETIMES
    if name == "Date":
        return DATES
    if name == "Time":
        return TIMES
    if name == "Decimal":
        return st.one_of(DECIMALS, st.integers(-5, 5))
    if name == "JSON":
        return JSONS
    raise AssertionError(f"no values for scalar {name}: add them")


def values(type_, level: int = 0) -> st.SearchStrategy:
    """Values for an input type: nulls only where it is nullable (a null for a required one is a coercion error
    the fuzz need not send)."""
    if isinstance(type_, GraphQLNonNull):
        return non_null_values(type_.of_type, level)
    return st.one_of(st.none(), non_null_values(type_, level))


def non_null_values(type_, level: int) -> st.SearchStrategy:
    if isinstance(type_, GraphQLList):
        return st.lists(values(type_.of_type, level + 1), max_size=3 if level < 3 else 0)
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from(sorted(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return scalar_values(type_)
    assert isinstance(type_, GraphQLInputObjectType)
    return input_object(type_, level)


def input_object(type_: GraphQLInputObjectType, level: int) -> st.SearchStrategy:
    required = {n: values(f.type, level + 1) for n, f in type_.fields.items() if isinstance(f.type, GraphQLNonNull)}
    optional = {} if level > 3 else {n: values(f.type, level + 1) for n, f in type_.fields.items() if n not in required}
    return st.fixed_dictionaries(required, optional=optional)


def arguments(field: GraphQLField) -> st.SearchStrategy:
    required = {n: values(a.type) for n, a in field.args.items() if isinstance(a.type, GraphQLNonNull)}
    optional = {n: values(a.type) for n, a in field.args.items() if n not in required}
    return st.fixed_dictionaries(required, optional=optional)


def selectable(field: GraphQLField) -> bool:
    """A field the fuzz can select without arguments."""
    return all(not isinstance(a.type, GraphQLNonNull) for a in field.args.values())


@st.composite
def selection(draw, type_, depth: int) -> str:
    """A selection on an output type: scalar fields, and nested objects down to MAX_DEPTH."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
        possible = schema().get_possible_types(named)
        chosen = draw(st.lists(st.sampled_from(possible), max_size=2, unique_by=lambda t: t.name))
        parts = [f"... on {t.name} {{ {draw(selection(t, depth))} }}" for t in chosen]
        return " ".join(["__typename", *parts])
    assert isinstance(named, GraphQLObjectType)
    fields = {n: f for n, f in named.fields.items() if selectable(f)}
    leaves = sorted(
        n
        for n, f in fields.items()
        if not isinstance(get_named_type(f.type), GraphQLObjectType | GraphQLUnionType | GraphQLInterfaceType)
    )
    nested = sorted(n for n in fields if n not in leaves)
    parts = draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=6, unique=True)) if leaves else ["__typename"]
    if "errors" in fields:  # a payload: always read its errors, with their messages
        parts = [p for p in parts if p != "errors"] + ["errors { code field message }"]
    if nested and depth < MAX_DEPTH:
        for name in draw(st.lists(st.sampled_from(nested), max_size=2, unique=True)):
            if name != "errors":
                parts.append(f"{name} {{ {draw(selection(fields[name].type, depth + 1))} }}")
    return " ".join(parts)


@st.composite
def operations(draw, kind: str, name: str) -> tuple[str, str, dict]:
    """(root field, document, variables): the root field, its arguments as variables, a shallow selection."""
    field = (schema().query_type if kind == "query" else schema().mutation_type).fields[name]
    given_args = draw(arguments(field))
    declared = ", ".join(f"${a}: {field.args[a].type}" for a in given_args)
    passed = ", ".join(f"{a}: ${a}" for a in given_args)
    head = f"{kind} Fuzz({declared})" if declared else f"{kind} Fuzz"
    call = f"{name}({passed})" if passed else name
    named = get_named_type(field.type)
    leaf = isinstance(named, GraphQLScalarType | GraphQLEnumType)
    body = call if leaf else f"{call} {{ {draw(selection(field.type, 1))} }}"
    return name, f"{head} {{ {body} }}", given_args


def roots() -> list[tuple[str, str]]:
    return [("query", n) for n in schema().query_type.fields] + [("mutation", n) for n in schema().mutation_type.fields]


def examples(strategy: st.SearchStrategy, count: int) -> list:
    """`count` examples of `strategy`, the same on every run (derandomized)."""
    drawn: list = []

    @settings(
        max_examples=count, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def collect(example):
        drawn.append(example)

    collect()
    return drawn[:count]


@cache
def draw_operations() -> list[tuple[str, str, dict]]:
    """PER_ROOT_FIELD operations for each root field, interleaved (every root field once, then again, ...)."""
    per_root = [examples(operations(kind, name), PER_ROOT_FIELD) for kind, name in roots()]
    return [ops[i] for i in range(PER_ROOT_FIELD) for ops in per_root if i < len(ops)]


def share_of(who: str) -> list[tuple[str, str, dict]]:
    """The principal's share of the drawn operations: the principals take the root fields in turn, starting one
    further each round, so that each one's share covers every root field however many there are."""
    place = {name: number for number, (_, name) in enumerate(roots())}
    rounds: dict[str, int] = {}
    share = []
    for operation in draw_operations():
        name = operation[0]
        rounds[name] = rounds.get(name, -1) + 1
        if (place[name] + rounds[name]) % len(PRINCIPALS) == PRINCIPALS.index(who):
            share.append(operation)
    return share


def unexpected(value) -> bool:
    return UNEXPECTED in json.dumps(value)


def test_the_operations_cover_every_root_field_for_every_principal():
    drawn = draw_operations()
    assert len(drawn) >= 1000
    for who in PRINCIPALS:
        assert {name for name, _, _ in share_of(who)} == {name for _, name in roots()}


@pytest.mark.parametrize("who", PRINCIPALS)
async def test_no_operation_is_an_unexpected_error(gql, who):
    failures = []
    for name, document, variables in share_of(who):
        result = await gql(who, document, variables)  # asserts HTTP 200 and the errors' fields
        if unexpected(result.body) and name not in KNOWN:
            failures.append((document, variables, result.body))
    assert not failures, "\n\n".join(f"{d}\n{json.dumps(v)[:500]}\n{json.dumps(b)[:800]}" for d, v, b in failures[:10])
