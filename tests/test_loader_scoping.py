"""Every path to a loader is scoped: the ids a resolver loads come from records it already holds, never from a
GraphQL argument.

Most by-id loaders (`participant`, `provider`, `benefit`, ...) do not check the caller: a provider reads the agency's
name and the referred participant's shared fields through them, so a visibility clause there would hide what a
referral rightly shows. They are safe because of how they are reached, and this test holds that reach:

- every `info.context.loaders.<name>.load(...)` / `.load_many(...)` in server/graphql is walked (AST);
- the ids it passes must be a foreign key (`.id` or `..._id`) read off `self` (the type's record, itself loaded
  through a scoped root query or another checked call), off a row another loader call returned, or off a parameter
  of a module-level helper whose every caller passes such an id or row;
- a resolver argument (a method parameter besides `self` and `info`) never reaches a loader, and no root query or
  mutation module calls a loader.

The loaders that are reached otherwise scope themselves: `case` and `care_plan` admit the caller's agency only, which
is tested against the database below. The roots (the records a type is made from) are the scoped queries of each
area, which test_leakage.py checks."""

import ast
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from server.domain.principal import Principal, Role
from server.graphql.loaders import Loaders

ROOT = Path(__file__).resolve().parent.parent
GRAPHQL = ROOT / "server" / "graphql"
LOADS = {"load", "load_many"}


@dataclass(frozen=True)
class CallSite:
    module: str
    line: int
    loader: str
    ids: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} loaders.{self.loader}({self.ids})"


def loader_names() -> set[str]:
    return {n for c in Loaders.__mro__ for n, v in vars(c).items() if isinstance(v, cached_property)}


def by_id_loaders() -> dict[str, bool]:
    """Each by-id loader (a `by_id(...)` in an area's loaders module) -> whether it passes a `where` (a scope)."""
    found = {}
    for path in GRAPHQL.glob("*/loaders.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "by_id":
                        found[node.name] = any(k.arg == "where" for k in call.keywords)
    return found


def _loader_of(call: ast.AST) -> str | None:
    """`info.context.loaders.<name>.load(...)`'s name, for such a call."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in LOADS):
        return None
    target = call.func.value
    loaders = isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute)
    return target.attr if loaders and target.value.attr == "loaders" else None


def _is_loaded(value: ast.AST) -> bool:
    """`await <a loader>.load(...)`: rows another (checked) loader call returned."""
    return isinstance(value, ast.Await) and _loader_of(value.value) is not None


def _is_key(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Attribute) and (expr.attr == "id" or expr.attr.endswith("_id"))


class Scoping:
    """The walk over server/graphql's modules."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.trees = {name: ast.parse(text) for name, text in sources.items()}
        self.parent: dict[ast.AST, ast.AST] = {}
        for tree in self.trees.values():
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parent[child] = node

    def function_of(self, node: ast.AST) -> ast.AsyncFunctionDef | ast.FunctionDef | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def is_helper(self, func: ast.AST) -> bool:
        """A module-level function (not a method: its parameters are not GraphQL arguments)."""
        return isinstance(self.parent.get(func), ast.Module)

    def call_sites(self) -> list[tuple[str, ast.Call, str]]:
        return [
            (module, node, name)
            for module, tree in self.trees.items()
            for node in ast.walk(tree)
            if (name := _loader_of(node)) is not None
        ]

    def problems(self, expr: ast.AST, func, depth: int = 0) -> list[str]:
        """Why `expr`, passed as ids inside `func`, is not an id read off a held record (empty: it is)."""
        if depth > 6:
            return [f"too deep at {ast.unparse(expr)}"]
        if isinstance(expr, ast.ListComp | ast.GeneratorExp):
            (generator,) = expr.generators
            bound = {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
            if not _is_key(expr.elt):
                return [f"{ast.unparse(expr.elt)} is not a key read off a record"]
            return self.names_held(expr.elt, func, depth, bound) + self.rows_held(generator.iter, func, depth)
        if isinstance(expr, ast.Name):
            return self.name_held(expr.id, func, depth, as_rows=False)
        if not _is_key(expr):
            return [f"{ast.unparse(expr)} is not a key read off a record"]
        return self.names_held(expr, func, depth, set())

    def rows_held(self, expr: ast.AST, func, depth: int) -> list[str]:
        if _is_loaded(expr):
            return []
        if isinstance(expr, ast.Name):
            return self.name_held(expr.id, func, depth, as_rows=True)
        return self.names_held(expr, func, depth, set())

    def names_held(self, expr: ast.AST, func, depth: int, bound: set[str]) -> list[str]:
        found = []
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.id not in bound:
                found += self.name_held(node.id, func, depth, as_rows=True)
        return found

    def name_held(self, name: str, func, depth: int, *, as_rows: bool) -> list[str]:
        """`name` in `func`: `self`, a local bound to a held key or loaded rows, or a helper's parameter whose
        callers all pass one."""
        if name == "self":
            return []
        params = [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]
        if name in params:
            if not self.is_helper(func):
                return [f"`{name}` is an argument of the resolver {func.name}"]
            return self.callers_pass(func, params.index(name), name, depth, as_rows=as_rows)
        assigned = [
            node.value
            for node in ast.walk(func)
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ]
        if not assigned:
            return [f"`{name}` in {func.name} is bound by nothing this check knows"]
        found = []
        for value in assigned:
            if _is_loaded(value):
                continue
            found += (
                self.names_held(value, func, depth + 1, set()) if as_rows else self.problems(value, func, depth + 1)
            )
        return found

    def callers_pass(self, helper, index: int, name: str, depth: int, *, as_rows: bool) -> list[str]:
        """Each call of `helper` passes, as its parameter `name`, a held record or rows (`as_rows`: the helper
        reads keys off it) or a held key."""
        found, calls = [], 0
        for tree in self.trees.values():
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if callee != helper.name:
                    continue
                calls += 1
                given = [k.value for k in node.keywords if k.arg == name]
                given = given or node.args[index : index + 1]
                if not given:
                    found.append(f"a call of {helper.name} passes no `{name}`")
                    continue
                (arg,) = given
                caller = self.function_of(node)
                if caller is None:
                    found.append(f"{helper.name} is called outside a function")
                elif as_rows:
                    found += self.rows_held(arg, caller, depth + 1)
                else:
                    found += self.problems(arg, caller, depth + 1)
        if not calls:
            found.append(f"{helper.name} is never called, so `{name}` is unknown")
        return found

    def unrecognised(self) -> list[str]:
        """Any other way to reach the loaders (`loaders = info.context.loaders`, `getattr(...)`, `.load_fn`): the walk
        could not follow it, so it is refused until the check learns it."""
        found = []
        for module, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == "load_fn":
                    found.append(f"{module}:{node.lineno} calls a loader's load_fn")
                if not (isinstance(node, ast.Attribute) and node.attr == "loaders"):
                    continue
                named = self.parent.get(node)
                method = self.parent.get(named)
                call = self.parent.get(method)
                if self.primes_a_record_under_its_own_id(method, call):
                    continue
                if not (
                    isinstance(named, ast.Attribute)
                    and isinstance(method, ast.Attribute)
                    and method.attr in LOADS
                    and isinstance(call, ast.Call)
                    and call.func is method
                ):
                    found.append(f"{module}:{node.lineno} reaches the loaders otherwise than `loaders.<name>.load(…)`")
        return found

    @staticmethod
    def primes_a_record_under_its_own_id(method: ast.AST | None, call: ast.AST | None) -> bool:
        """`loaders.<name>.prime(x.id, x)`: a record the caller already holds (read by a scoped query) handed to the
        loader under its own id. What a later `.load(id)` returns is then the record the database holds for that id,
        as without the prime, so the walk's rules for loads still decide what is reached."""
        if not (
            isinstance(method, ast.Attribute)
            and method.attr == "prime"
            and isinstance(call, ast.Call)
            and call.func is method
            and len(call.args) == 2
            and not call.keywords
        ):
            return False
        key, record = call.args
        return (
            isinstance(record, ast.Name)
            and isinstance(key, ast.Attribute)
            and key.attr == "id"
            and isinstance(key.value, ast.Name)
            and key.value.id == record.id
        )

    def check(self) -> tuple[list[CallSite], list[str]]:
        sites, problems = [], self.unrecognised()
        for module, call, loader in self.call_sites():
            ids = call.args[0] if call.args else None
            site = CallSite(module, call.lineno, loader, ast.unparse(ids) if ids is not None else "")
            sites.append(site)
            func = self.function_of(call)
            if ids is None or func is None:
                problems.append(f"{site}: no ids or outside a function")
                continue
            problems += [f"{site}: {p}" for p in self.problems(ids, func)]
        return sites, problems


def graphql_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in sorted(GRAPHQL.rglob("*.py"))
        if path.name != "loaders.py" and path.name != "loading.py"
    }


def test_every_by_id_loader_is_scoped_or_reached_through_held_records_only():
    sites, problems = Scoping(graphql_sources()).check()
    listing = "\n".join(map(str, sites))
    assert not problems, "loader calls not proven scoped:\n" + "\n".join(problems) + "\n\nall call sites:\n" + listing
    by_id = by_id_loaders()
    unscoped = {name for name, scoped in by_id.items() if not scoped}
    reached = {s.loader for s in sites}
    # The walk sees what it must: the loaders' call sites, by their names, in the types' modules only.
    assert len(sites) >= 60, listing
    assert reached <= loader_names(), reached - loader_names()
    assert {"participant", "provider", "agency", "user", "referral", "benefit"} <= unscoped & reached
    assert {name for name, scoped in by_id.items() if scoped} == {"case", "care_plan"}
    assert not [s for s in sites if s.module.endswith(("queries.py", "mutations.py"))], listing


def test_the_check_refuses_an_id_from_an_argument_or_from_nowhere():
    """The walk itself: an id a client passes, a name bound by nothing known, a value that is not a key."""
    bad = """
import strawberry

@strawberry.type
class Leaky:
    @strawberry.field
    async def participant(self, info, id: strawberry.ID):
        return await info.context.loaders.participant.load(int(id))

    @strawberry.field
    async def provider(self, info, provider_id: int):
        return await info.context.loaders.provider.load(provider_id)

    @strawberry.field
    async def agency(self, info):
        agency_id = info.variable_values["agencyId"]
        return await info.context.loaders.agency.load(agency_id)


async def _helper(info, user_id):
    return await info.context.loaders.user.load(user_id)


async def _aliased(info, id):
    loaders = info.context.loaders
    return await loaders.participant.load(int(id))


async def _by_name(info, id):
    return await getattr(info.context.loaders, "participant").load_fn([id])


async def _primed_under_another_id(info, participant, id):
    info.context.loaders.participant.prime(int(id), participant)


@strawberry.type
class CallsTheHelper:
    @strawberry.field
    async def name(self, info, user_id: int):
        return await _helper(info, user_id)
"""
    good = """
async def _name(info, user_id):
    return (await info.context.loaders.user.load(user_id)).full_name


class Held:
    async def provider(self, info):
        return await info.context.loaders.provider.load(self.record.provider_id)

    async def names(self, info):
        links = await info.context.loaders.specialties_of_facility.load(self.record.id)
        ids = [link.specialty_id for link in links]
        return await info.context.loaders.specialty.load_many(ids)

    async def owner(self, info):
        return await _name(info, self.record.owner_id)


def _prime(info, page):
    for (participant,) in page.companions:
        info.context.loaders.participant.prime(participant.id, participant)
"""
    _, problems = Scoping({"bad.py": bad}).check()
    # the alias, getattr, and a prime under another id than its record's
    assert sum("reaches the loaders otherwise" in p for p in problems) == 3, problems
    assert any("load_fn" in p for p in problems), problems
    assert any("`provider_id` is an argument of the resolver provider" in p for p in problems), problems
    assert any("int(id) is not a key" in p for p in problems), problems
    assert any("`user_id` is an argument of the resolver name" in p for p in problems), problems
    sites, problems = Scoping({"good.py": good}).check()
    assert not problems and len(sites) == 4, (problems, sites)


@pytest.mark.anyio
async def test_case_and_care_plan_admit_the_callers_agency_only(db, people, world):
    """The two by-id loaders reached by no held record scope themselves: another agency, a provider's user and
    no one signed in get None, one statement for the batch."""
    for who, sees in [
        ("caseworker", True),
        ("supervisor", True),
        ("other_agency_admin", False),
        ("provider_a", False),
        (None, False),
    ]:
        loaders = Loaders(db, people[who] if who else None)
        cases = await loaders.case.load_many([world.steve_case, world.maria_case])
        plan = await loaders.care_plan.load(world.care_plan)
        assert [c is not None and c.id for c in cases] == (
            [world.steve_case, world.maria_case] if sees else [False] * 2
        )
        assert (plan is not None and plan.id) == (world.care_plan if sees else False), who


def test_a_principal_without_an_agency_sees_no_case():
    """The clause itself, without a database: a provider's user has no agency, so `agency_id == None` must not be
    what decides."""
    from server.domain.cases.care_plans import visible_plans
    from server.domain.cases.cases import visible_cases

    provider = Principal(user_id=1, name="P", role=Role.PROVIDER_STAFF, provider_id=1)
    for clause in (visible_cases(provider), visible_plans(provider), visible_cases(None), visible_plans(None)):
        assert str(clause) == "false"
