"""Imports point one way: app → graphql → identity → domain → core, never back.

- core: pieces that know nothing of HTTP, GraphQL or the domain's rules (settings, the database, column types and
  the clock, record ids, password hashing, signed tokens and their revocation);
- domain: the rules and the tables (`server/domain`);
- identity: who is calling, read from a request's bearer token or session cookie (`server/auth`), which the GraphQL
  context carries;
- graphql: the schema and its resolvers (`server/graphql`);
- app: what serves HTTP and runs the process: the Starlette app, its routes (`server/web`, and the GraphQL view),
  the command line, the demo data and the migrations.

A module may import from its own layer and the layers below it. Every module of `server` must be placed in a layer,
so that a new package is placed on purpose. Imports inside functions and under TYPE_CHECKING count too."""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "domain", "identity", "graphql", "app"]  # lowest first

# Each module goes to the layer of its longest matching prefix (a module or a package).
PLACES = {
    "server": "core",  # the package's own __init__ only
    "server.config": "core",
    "server.db": "core",
    "server.core": "core",
    "server.domain": "domain",
    "server.auth": "identity",
    "server.graphql": "graphql",
    # The HTTP routes: /graphql's endpoint (it reads the caller and builds the context), sign-in and sign-out.
    "server.web": "app",
    "server.app": "app",
    "server.__main__": "app",
    "server.demo": "app",
    "server.refusals": "app",
    "server.migrations": "app",
}


@dataclass(frozen=True)
class Backward:
    module: str
    line: int
    imported: str
    module_layer: str
    imported_layer: str

    def __str__(self) -> str:
        return f"{self.module} (line {self.line}, {self.module_layer}) imports {self.imported} ({self.imported_layer})"


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module under `root/package`, by dotted name (a package by its own name, not `.__init__`)."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def layer_of(module: str, places: dict[str, str]) -> str | None:
    """The layer of the longest entry of `places` that is `module` or a package holding it (the root package's entry
    places only the root's `__init__`, so that a new subpackage falls in no layer until it is placed)."""
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        if (prefix := ".".join(parts[:end])) in places:
            return places[prefix]
    return places.get(module)


def imports(module: str, path: Path, known: set[str], package: str) -> list[tuple[int, str]]:
    """The modules of `package` that `module` imports, with their lines, wherever the import statement stands."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, up `level - 1` more
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # `from server.graphql import view` imports the module server.graphql.view.
                submodule = f"{source}.{alias.name}"
                found.append((node.lineno, submodule if submodule in known else source))
    return sorted({(line, name) for line, name in found if name == package or name.startswith(package + ".")})


def backward_imports(root: Path, package: str, places: dict[str, str]) -> tuple[list[Backward], list[str]]:
    """The imports from a lower layer to a higher one, and the modules placed in no layer."""
    found = modules(root, package)
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    backward, unplaced = [], []
    for module, path in found.items():
        layer = layer_of(module, places)
        if layer is None:
            unplaced.append(module)
            continue
        for line, imported in imports(module, path, set(found), package):
            target = layer_of(imported, places)
            if target is not None and rank[target] > rank[layer]:
                backward.append(Backward(module, line, imported, layer, target))
    return backward, unplaced


def test_imports_point_from_app_to_graphql_to_domain_to_core_and_never_back():
    backward, unplaced = backward_imports(ROOT, "server", PLACES)
    assert not unplaced, "modules in no layer (add them to PLACES):\n" + "\n".join(unplaced)
    assert not backward, "imports against the layers:\n" + "\n".join(map(str, backward))


def test_the_check_finds_a_backward_import_wherever_it_stands(tmp_path):
    """The walk itself: an upward import inside a function, a relative one and `from pkg import module`."""
    files = {
        "pkg/__init__.py": "",
        "pkg/low/__init__.py": "",
        "pkg/low/clock.py": "import os\n\n\ndef now():\n    from pkg.high.view import page\n    return page\n",
        "pkg/low/ids.py": "from ..high import view\n",
        "pkg/low/names.py": "from pkg.low import clock\nfrom pkg import high\n",
        "pkg/high/__init__.py": "",
        "pkg/high/view.py": "from pkg.low.clock import now\n\npage = now\n",
        "pkg/stray.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    places = {"pkg": "core", "pkg.low": "core", "pkg.high": "app"}
    backward, unplaced = backward_imports(tmp_path, "pkg", {**places, "pkg.stray": "domain"})
    assert unplaced == []
    assert sorted((b.module, b.line, b.imported) for b in backward) == [
        ("pkg.low.clock", 5, "pkg.high.view"),
        ("pkg.low.ids", 1, "pkg.high.view"),
        ("pkg.low.names", 2, "pkg.high"),
    ]
    assert str(backward[0]) == "pkg.low.clock (line 5, core) imports pkg.high.view (app)"
    assert backward_imports(tmp_path, "pkg", places)[1] == ["pkg.stray"]
