"""schema.graphql is the served schema, and every type, field and argument in it is described, rightly: the
common argument texts fit every field, status fields are enums, times say their time zone, and every root field
says who may call it (checked against the access matrix and the referral state machine)."""

import re
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_non_null_type,
)
from strawberry.printer import print_schema
from strawberry.utils.str_converters import to_camel_case

from server.domain.principal import AGENCY_OVERSIGHT, AGENCY_ROLES, PROVIDER_ROLES, Role
from server.domain.referrals.models import ReferralStatus
from server.domain.referrals.referrals import AUTHORIZATION_STEPS
from server.domain.referrals.transitions import TRANSITIONS, Side
from server.graphql.schema import COMMON_ARGUMENTS, FIELD_ARGUMENTS, build_schema
from tests.test_access import OPERATIONS, ROLES

SDL = Path(__file__).parent.parent / "schema.graphql"


def test_schema_graphql_equals_the_served_schema():
    assert SDL.read_text() == print_schema(build_schema()) + "\n", "run `make schema` and commit schema.graphql"


def test_every_type_field_and_argument_has_a_description():
    schema = build_schema()._schema
    missing = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or (
            isinstance(type_, GraphQLScalarType) and name in {"String", "Int", "Float", "Boolean", "ID"}
        ):
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
        if isinstance(type_, GraphQLEnumType):
            continue
    for type_ in _object_types(schema):
        for field_name, field in type_.fields.items():
            missing += [
                f"{type_.name}.{field_name}({arg})" for arg, value in field.args.items() if not value.description
            ]
    assert missing == []


def _object_types(schema):
    return [
        t
        for name, t in schema.type_map.items()
        if not name.startswith("__") and isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
    ]


def _root_fields(schema):
    return [(name, field) for root in (schema.query_type, schema.mutation_type) for name, field in root.fields.items()]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text))}


def test_every_argument_described_per_field_exists_and_is_the_one_served():
    """A FIELD_ARGUMENTS entry for an argument that is gone, or described where it is declared, is stale."""
    fields = dict(_root_fields(build_schema()._schema))
    stale = [
        (field, arg)
        for (field, arg), text in FIELD_ARGUMENTS.items()
        if field not in fields or arg not in fields[field].args or fields[field].args[arg].description != text
    ]
    assert stale == []


def test_an_argument_description_speaks_of_its_own_field_only():
    """The copy-paste class: one text on several fields that names a record one of them is not about (a case's
    expectedVersion "refused if the referral changed", a schedule's approval note "required to cancel a session").
    An `input` argument is left out: its text is its input type's own."""
    schema = build_schema()._schema
    records = {
        word
        for t in _object_types(schema)
        if "id" in t.fields and t not in (schema.query_type, schema.mutation_type)
        for word in _words(t.name)
    }
    assert not [text for text in COMMON_ARGUMENTS.values() if _words(text) & records], "a common text names a record"
    places: dict[str, list[tuple[str, str, set[str]]]] = {}
    for field_name, field in _root_fields(schema):
        own = _words(field_name) | _words(get_named_type(field.type).name)
        for arg, value in field.args.items():
            if arg != "input":
                places.setdefault(value.description, []).append((field_name, arg, own | _words(arg)))
    wrong = [
        (field_name, arg, noun)
        for text, shared in places.items()
        if len({field_name for field_name, _, _ in shared}) > 1
        for field_name, arg, own in shared
        for noun in sorted(_words(text) & records - own)
    ]
    assert wrong == []


def test_an_input_that_changes_only_the_fields_given_has_no_required_field():
    """Create inputs (with required fields) must not read as partial updates, nor updates as creations."""
    schema = build_schema()._schema
    wrong = []
    for name, type_ in schema.type_map.items():
        if not isinstance(type_, GraphQLInputObjectType):
            continue
        partial = "only the fields given" in type_.description or "absent fields stay" in type_.description
        required = [
            f for f, field in type_.fields.items() if is_non_null_type(field.type) and field.default_value is None
        ]
        if partial and required:
            wrong.append((name, required))
    assert wrong == []


# Names of values that come from a fixed list (a status, kind, role, severity, priority, reason, mark, frequency),
# and descriptions that say a value is a status ("The referral's status", "The status after").
STATUS_NAME = re.compile(r"(^|[a-z])(status|kind|role|severity|priority|reason|mark|frequency)(es)?$", re.IGNORECASE)
SAYS_STATUS = re.compile(r"^(the |its )?(\w+'s )?status\b", re.IGNORECASE)


def test_status_fields_are_enums():
    """Such a value is an enum, never a free string: a client can then list and match every value (the class of
    `CaseProvider.referralStatus` and `ReferralHistoryEntry.toValue`, both once strings)."""
    schema = build_schema()._schema
    values = [
        (f"{t.name}.{name}", name, field)
        for t in schema.type_map.values()
        if not t.name.startswith("__") and isinstance(t, GraphQLObjectType | GraphQLInputObjectType)
        for name, field in t.fields.items()
    ]
    values += [
        (f"{where}({name})", name, argument)
        for where, _, field in values
        for name, argument in getattr(field, "args", {}).items()
    ]
    wrong = [
        where
        for where, name, value in values
        if isinstance(get_named_type(value.type), GraphQLScalarType)  # a payload is no value (changeUserRole)
        and (
            STATUS_NAME.search(name)
            or (get_named_type(value.type).name == "String" and SAYS_STATUS.search(value.description or ""))
        )
    ]
    assert wrong == []


def test_every_time_says_in_which_time_zone_it_is_shown():
    schema = build_schema()._schema
    wrong = [
        f"{t.name}.{name}"
        for t in _object_types(schema)
        for name, field in t.fields.items()
        if get_named_type(field.type).name == "DateTime" and "time zone" not in (field.description or "")
    ]
    assert wrong == []


def test_every_payload_gives_its_record_or_null_on_errors():
    schema = build_schema()._schema
    wrong = [
        f"{t.name}.{name}: {field.description}"
        for t in _object_types(schema)
        if t.name.endswith("Payload")
        for name, field in t.fields.items()
        if name not in ("errors", "replayed", "warning") and not field.description.endswith("as saved; null on errors.")
    ]
    assert wrong == []


# The last sentence of every root field's description says who may call it, in these words.
WHO = {
    "Agency staff and provider users.": AGENCY_ROLES | PROVIDER_ROLES,
    "Agency staff.": AGENCY_ROLES,
    "Agency supervisors and admins.": AGENCY_OVERSIGHT,
    "Agency admins.": frozenset({Role.AGENCY_ADMIN}),
    "Agency admins and provider users.": frozenset({Role.AGENCY_ADMIN}) | PROVIDER_ROLES,
    "Provider users.": PROVIDER_ROLES,
    "Provider admins.": frozenset({Role.PROVIDER_ADMIN}),
    "Agency admins and provider admins.": frozenset({Role.AGENCY_ADMIN, Role.PROVIDER_ADMIN}),
}
# The roles of the people tests/test_access.py acts as (tests/conftest.py's PEOPLE).
ROLE_OF = {
    "agency_admin": Role.AGENCY_ADMIN,
    "supervisor": Role.SUPERVISOR,
    "caseworker": Role.CASEWORKER,
    "provider_a": Role.PROVIDER_STAFF,
    "provider_a_admin": Role.PROVIDER_ADMIN,
    "provider_b": Role.PROVIDER_ADMIN,
    "other_agency_admin": Role.AGENCY_ADMIN,
    # API clients act as agency admins, within their scopes: never more than an agency admin may.
    "client_reader": Role.AGENCY_ADMIN,
    "client_writer": Role.AGENCY_ADMIN,
}
STEPS = {to_camel_case(f"{action}_referral"): action for action in TRANSITIONS}
STEPS["markReferralEnteredInError"] = STEPS.pop("markInErrorReferral")
AUTHORIZATION = {"requestAuthorization": "request", "authorizeReferral": "authorize", "denyAuthorization": "deny"}
SIDE = {Side.AGENCY: AGENCY_ROLES, Side.PROVIDER: PROVIDER_ROLES}


def _who(description: str) -> frozenset[Role] | None:
    return next(
        (roles for words, roles in WHO.items() if description == words or description.endswith(" " + words)), None
    )


def test_every_root_field_says_who_may_call_it_and_it_is_true():
    """Who may call a field is what the access matrix sees (roles not refused FORBIDDEN) and, for the referral
    steps, the side the state machine gives them."""
    schema = build_schema()._schema
    said = {name: _who(field.description) for name, field in _root_fields(schema)}
    assert [name for name, roles in said.items() if roles is None] == [], f"say who, in one of: {list(WHO)}"
    callable_by = {
        op.name: frozenset(
            ROLE_OF[who] for who in ROLES if who and op.expected(who) not in ("FORBIDDEN", "UNAUTHENTICATED")
        )
        for op in OPERATIONS
    }
    callable_by |= {name: SIDE[TRANSITIONS[action].side] for name, action in STEPS.items()}
    callable_by |= {name: SIDE[AUTHORIZATION_STEPS[action][0]] for name, action in AUTHORIZATION.items()}
    wrong = {name: (said[name], roles) for name, roles in callable_by.items() if name in said and said[name] != roles}
    assert wrong == {}


def test_a_referral_step_says_from_which_status_to_which():
    fields = build_schema()._schema.mutation_type.fields
    order = list(ReferralStatus)

    def among(statuses) -> str:
        names = [s.value for s in sorted(statuses, key=order.index)]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"

    expected = {name: f"{among(TRANSITIONS[a].sources)} → {TRANSITIONS[a].target.value}" for name, a in STEPS.items()}
    expected |= {
        name: f"{AUTHORIZATION_STEPS[a][1].value} → {AUTHORIZATION_STEPS[a][2].value}"
        for name, a in AUTHORIZATION.items()
    }
    wrong = {
        name: fields[name].description
        for name, start in expected.items()
        if not fields[name].description.startswith(start)
    }
    assert wrong == {}
