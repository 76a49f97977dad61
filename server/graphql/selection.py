"""What the caller's selection asks of the field being resolved, so a resolver can skip loading what is not asked,
or read ahead what will be."""

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from server.graphql.context import Info


def asks_for(info: Info, *paths: str) -> bool:
    """Whether the selection of the field being resolved includes one of `paths` (GraphQL names, dotted for nested
    fields: "nodes.sharedParticipant"), directly or through fragments, in any of the places the field is selected."""
    return any(_in(field.selections, path.split(".")) for field in info.selected_fields for path in paths)


def _in(selections: list[Selection], names: list[str]) -> bool:
    for selection in selections:
        if (
            isinstance(selection, SelectedField)
            and selection.name == names[0]
            and (len(names) == 1 or _in(selection.selections, names[1:]))
        ):
            return True
        if isinstance(selection, FragmentSpread | InlineFragment) and _in(selection.selections, names):
            return True
    return False
