"""What the caller's selection asks of the field being resolved, so a resolver can skip loading what is not asked."""

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from server.graphql.context import Info


def asks_for(info: Info, name: str) -> bool:
    """Whether the selection of the field being resolved includes `name` (its GraphQL name), directly or through
    fragments, in any of the places the field is selected."""
    return any(_in(field.selections, name) for field in info.selected_fields)


def _in(selections: list[Selection], name: str) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name == name:
            return True
        if isinstance(selection, FragmentSpread | InlineFragment) and _in(selection.selections, name):
            return True
    return False
