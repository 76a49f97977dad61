"""schema.graphql is the served schema, and every type and field in it is described."""

from pathlib import Path

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, GraphQLScalarType
from strawberry.printer import print_schema

from server.graphql.schema import build_schema

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
    for root in (schema.query_type, schema.mutation_type):
        for field_name, field in root.fields.items():
            missing += [
                f"{root.name}.{field_name}({arg})" for arg, value in field.args.items() if not value.description
            ]
    assert missing == []
