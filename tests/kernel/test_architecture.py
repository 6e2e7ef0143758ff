"""The architecture is a test: DESIGN.md's drawing cannot drift from the code.

Read from the source with `ast` (no import, no app), counting every import statement wherever
it stands, inside functions too: an import tucked into a function body is still a dependency, and
the budgets -> helprequests -> trajectories -> budgets circle hid exactly there.

The rules, each a test below:
- the kernel (`tenants`) imports no feature, and nothing in the application imports `app`;
- features stand in LAYERS, declared once below from low to high: a feature imports features of
  lower layers only, features sharing a layer import neither way, so the feature graph has no
  cycle (what must reach up goes through the kernel instead: events in `tenants/events.py`,
  hooks in `tenants/hooks.py`, page sections in `tenants/sections.py`);
- no module imports a routes module (app.py registers them);
- rule modules never touch the request's state (`flask.request`, `g`, `session`, `flash`, the
  logged-in user): only routes, forms and the web glue named in WEB_GLUE do;
- no raw SQL under `blueprints/` (`text()`, Core `insert()`, `.__table__`, connections): the ORM
  tenant filter does not see it. RAW_SQL_ALLOWED names each exception with its reason.
New kernel modules (`tenants/<anything>.py`) need no entry here: the kernel may grow freely as
long as it imports no feature.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The feature layers, low to high. One tuple is one layer; its features are independent of
#: each other. The order follows the data: a trajectory belongs to a participant, a help request
#: to a customer, hours to a trajectory and a help request, an invoice bills hours and help
#: requests, a punch card is sold on an invoice and paid off by help requests' hours, a budget is
#: credited from paid invoices; what reads everything sits on top.
LAYERS: list[tuple[str, ...]] = [
    ("auth", "core", "team", "operator", "network", "knowledge", "billing"),  # only the kernel
    ("participants",),
    ("trajectories",),
    ("customers",),
    ("helprequests",),
    ("hours",),
    ("invoicing",),
    ("punchcards", "budgets", "onlinepay"),
    ("imports", "privacy"),
    ("reports",),  # reads through the features below; the API serves its figures
    ("municipality",),  # the municipality's portal: shared reports, its clients' progress
    ("digests", "auditlog"),  # the daily mail; the audit log in words: read the features below
    ("dashboard", "api"),
    ("demo",),  # seeds every feature, then rebuilds the report summaries
]

#: Upward imports not yet removed, each (importing module, imported feature) with the reason.
#: The list may only shrink: a listed import that no longer exists fails the test too.
PENDING_UPWARD: dict[tuple[str, str], str] = {
}

#: Feature modules outside routes/forms that may read the request's state, with the reason.
WEB_GLUE: dict[str, str] = {
    "blueprints.core.navigation": "builds the menu of the current page for the base template",
    "blueprints.onlinepay.links": "builds an absolute pay link for the tenant of the current "
                                  "request, and none outside a request",
}

#: Raw SQL under blueprints/, as (module, what) -> why it is safe there.
_UPSERT = (
    "summaries.add_in_flush: the place moves are added inside a flush, which may neither flush "
    "again nor open the ORM's savepoint; one INSERT ... ON CONFLICT DO UPDATE on the summary's "
    "unique key, tenant_id set from the session's tenant (and RLS's WITH CHECK on PostgreSQL)")
RAW_SQL_ALLOWED: dict[tuple[str, str], str] = {
    ("blueprints.reports.summaries", "insert"): _UPSERT,
    ("blueprints.reports.summaries", ".__table__"): _UPSERT,
    ("blueprints.reports.summaries", ".connection"): _UPSERT,
}

REQUEST_STATE = {"request", "g", "session", "flash", "current_user", "login_user",
                 "logout_user"}
RAW_SQL_NAMES = {"text", "insert", "literal_column"}
RAW_SQL_ATTRS = {"__table__", "connection", "get_bind", "exec_driver_sql", "raw_connection",
                 "engine"}


@dataclass(frozen=True)
class Import:
    importer: str  #: the importing module, e.g. "blueprints.budgets.services"
    target: str  #: the imported module (a module, not a name in it)
    names: tuple[str, ...]  #: for `from x import a, b`: a, b
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def application_modules() -> dict[str, Path]:
    """Every module of the application: app, tenants.*, blueprints.*."""
    paths = [ROOT / "app.py"]
    for package in ("tenants", "blueprints"):
        paths += sorted((ROOT / package).rglob("*.py"))
    return {module_name(p): p for p in paths}


def _is_module(name: str, known: set[str]) -> bool:
    return name in known


def read_imports(source: str, module: str, known: set[str], is_package: bool = False
                 ) -> list[Import]:
    """The imports of one module's source, wherever they stand (module level or in a body)."""
    tree = ast.parse(source)
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    in_function.add(id(inner))
    found: list[Import] = []
    for node in ast.walk(tree):
        nested = id(node) in in_function
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, alias.name, (), node.lineno, nested))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([node.module] if node.module else []))
            names = tuple(a.name for a in node.names)
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            if submodules:  # `from blueprints.x import services`: the module services
                for sub in submodules:
                    found.append(Import(module, sub, (sub.rsplit(".", 1)[1],), node.lineno,
                                        nested))
                rest = tuple(n for n in names if f"{base}.{n}" not in known)
                if rest:
                    found.append(Import(module, base, rest, node.lineno, nested))
            else:
                found.append(Import(module, base, names, node.lineno, nested))
    return found


def all_imports() -> list[Import]:
    modules = application_modules()
    known = set(modules)
    result = []
    for name, path in modules.items():
        result += read_imports(path.read_text(encoding="utf-8"), name, known,
                               is_package=path.name == "__init__.py")
    return result


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "blueprints" and len(parts) > 1 else None


def feature_graph(imports: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for imp in imports:
        source, target = feature_of(imp.importer), feature_of(imp.target)
        if source:
            graph.setdefault(source, set())
            if target and target != source:
                graph[source].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted:
    every cycle in the graph lies inside one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def layer_of(layers: list[tuple[str, ...]]) -> dict[str, int]:
    return {feature: i for i, layer in enumerate(layers) for feature in layer}


def layer_violations(imports: list[Import], layers: list[tuple[str, ...]]
                     ) -> list[tuple[str, str, str]]:
    """(importer, imported feature, where) for each import of a same or higher layer."""
    level = layer_of(layers)
    bad = []
    for imp in imports:
        source, target = feature_of(imp.importer), feature_of(imp.target)
        if not source or not target or source == target:
            continue
        if level[target] >= level[source]:
            where = f"{imp.importer}:{imp.line} imports {imp.target}"
            where += " (inside a function)" if imp.in_function else ""
            bad.append((imp.importer, target, where))
    return bad


# --- the checker checks ----------------------------------------------------------------------

def test_the_cycle_checker_reports_a_cycle():
    graph = {"budgets": {"helprequests"}, "helprequests": {"trajectories"},
             "trajectories": {"budgets", "participants"}, "participants": set()}
    assert find_cycles(graph) == [["budgets", "helprequests", "trajectories"]]
    graph["trajectories"].discard("budgets")
    assert find_cycles(graph) == []


def test_an_import_inside_a_function_counts():
    known = {"blueprints.budgets.services", "blueprints.trajectories.services"}
    source = (
        "from sqlalchemy import select\n"
        "def end(session, trajectory):\n"
        "    from blueprints.budgets.services import handle_trajectory_end\n"
        "    handle_trajectory_end(session, trajectory)\n"
    )
    imports = read_imports(source, "blueprints.trajectories.services", known)
    nested = [i for i in imports if i.in_function]
    assert [(i.target, i.line) for i in nested] == [("blueprints.budgets.services", 3)]
    assert find_cycles(feature_graph(imports + read_imports(
        "from blueprints.trajectories.services import x\n", "blueprints.budgets.services",
        known))) == [["budgets", "trajectories"]]
    assert layer_violations(imports, [("trajectories",), ("budgets",)]) == [(
        "blueprints.trajectories.services", "budgets",
        "blueprints.trajectories.services:3 imports blueprints.budgets.services "
        "(inside a function)")]


def test_siblings_in_a_layer_are_independent():
    known = {"blueprints.api.services", "blueprints.demo.cli"}
    imports = read_imports("from blueprints.demo import cli\n", "blueprints.api.services", known)
    assert [v[1] for v in layer_violations(imports, [("api", "demo")])] == ["demo"]


# --- the code keeps the rules ----------------------------------------------------------------

@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_every_feature_has_one_layer():
    features = sorted(p.name for p in (ROOT / "blueprints").iterdir()
                      if p.is_dir() and any(p.glob("*.py")))
    declared = [f for layer in LAYERS for f in layer]
    assert len(declared) == len(set(declared)), "a feature is in two layers"
    assert sorted(declared) == features


def test_the_kernel_imports_no_feature(imports):
    bad = [f"{i.importer}:{i.line} imports {i.target}" for i in imports
           if i.importer.split(".")[0] == "tenants" and i.target.split(".")[0] == "blueprints"]
    assert bad == []


def test_nothing_imports_app(imports):
    bad = [f"{i.importer}:{i.line}" for i in imports if i.target == "app"]
    assert bad == []


def test_features_import_only_lower_layers(imports):
    found = layer_violations(imports, LAYERS)
    new = [where for importer, target, where in found
           if (importer, target) not in PENDING_UPWARD]
    assert new == [], "upward imports: send an event (tenants/events.py), ask a hook " \
                      "(tenants/hooks.py), add a page section (tenants/sections.py), or move " \
                      "the shared helper into tenants/\n" + "\n".join(new)
    stale = set(PENDING_UPWARD) - {(importer, target) for importer, target, _ in found}
    assert stale == set(), f"remove from PENDING_UPWARD, they are gone: {sorted(stale)}"


def test_the_feature_graph_has_no_cycle(imports):
    graph = feature_graph([i for i in imports if (i.importer, feature_of(i.target))
                           not in PENDING_UPWARD])
    cycles = find_cycles(graph)
    assert cycles == [], "features in a cycle: " + "; ".join(" <-> ".join(c) for c in cycles)


def _routes_package(module: str) -> str | None:
    """"blueprints.invoicing.routes" for any module in or of that routes package."""
    parts = module.split(".")
    if parts[0] == "blueprints" and "routes" in parts[2:]:
        return ".".join(parts[:parts.index("routes", 2) + 1])
    return None


def test_nothing_imports_routes(imports):
    bad = [f"{i.importer}:{i.line} imports {i.target}" for i in imports
           if _routes_package(i.target) and i.importer != "app"
           and _routes_package(i.importer) != _routes_package(i.target)]
    assert bad == []


def _is_web_module(module: str) -> bool:
    parts = module.split(".")
    return (len(parts) == 2 or "routes" in parts[2:] or parts[-1] == "forms"
            or module in WEB_GLUE)


def test_rule_modules_do_not_touch_the_request(imports):
    bad = []
    for imp in imports:
        if feature_of(imp.importer) is None or _is_web_module(imp.importer):
            continue
        if imp.target in ("flask", "flask_login") and REQUEST_STATE & set(imp.names):
            bad.append(f"{imp.importer}:{imp.line} imports "
                       f"{sorted(REQUEST_STATE & set(imp.names))} from {imp.target}")
    assert bad == []


def raw_sql_uses(source: str, module: str) -> set[tuple[str, str]]:
    """What raw SQL a module's source reaches for: (module, name or .attribute)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found |= {(module, a.name) for a in node.names if a.name in RAW_SQL_NAMES}
        elif isinstance(node, ast.Attribute):
            if node.attr in RAW_SQL_ATTRS:
                found.add((module, f".{node.attr}"))
            elif node.attr in RAW_SQL_NAMES and isinstance(node.value, ast.Name) \
                    and node.value.id in ("sa", "sqlalchemy"):
                found.add((module, node.attr))
    return found


def test_the_raw_sql_checker_sees_raw_sql():
    source = ("import sqlalchemy as sa\nfrom sqlalchemy import insert, select\n"
              "def f(s, M):\n    s.execute(sa.text('x'))\n    return M.__table__\n")
    assert raw_sql_uses(source, "m") == {("m", "insert"), ("m", "text"), ("m", ".__table__")}


def test_no_raw_sql_in_features_outside_the_allowed_list():
    found = set()
    for name, path in application_modules().items():
        if feature_of(name):
            found |= raw_sql_uses(path.read_text(encoding="utf-8"), name)
    assert sorted(found - set(RAW_SQL_ALLOWED)) == []
    assert sorted(set(RAW_SQL_ALLOWED) - found) == [], "allowed but no longer used: remove it"


# --- one reader across tenants ------------------------------------------------------------------

#: The one module that reads tenant data across tenants (DESIGN.md, "Reading across tenants"):
#: protected aggregates only, an audit record per call, on PostgreSQL through the SECURITY
#: DEFINER functions of migration df8305dfc654.
CROSS_TENANT_READER = "tenants.aggregates"

#: Modules that pass `all_tenants=True` (past the ORM tenant filter) and why; none reads another
#: tenant's data: on PostgreSQL row-level security still applies, and they ask for the user's
#: own rows only.
ALL_TENANTS_ALLOWED: dict[str, str] = {
    "tenants.sessions": "the logged-in user's own membership of the tenant in the URL",
    "tenants.membership": "the logged-in user's own memberships (the tenant switch)",
}

#: what only the cross-tenant reader may name: the SQL functions that read across tenants
CROSS_TENANT_SQL = ("wijkwerk_aggregate_", "wijkwerk_report_shares",
                    "wijkwerk_tenant_of_stripe_account")

#: Narrow lookups across tenants that are not aggregates: module -> what it may name, and why.
#: Each answers one exact key with one tenant id, nothing of the tenant's data.
LOOKUPS_ALLOWED: dict[str, tuple[set[str], str]] = {
    "tenants.stripe_accounts": ({"wijkwerk_tenant_of_stripe_account"},
                                "the tenant of a Stripe connected account, for webhook events "
                                "that name no tenant (account.application.deauthorized)"),
}


def cross_tenant_uses(source: str) -> set[str]:
    """What in a module's source reaches past the tenant: the all_tenants option, the
    cross-tenant SQL functions, raw SQL naming a report summary or share table."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "all_tenants":
            found.add("all_tenants")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            found |= {name for name in CROSS_TENANT_SQL if name in text}
            if "from report_" in text or "from wijkwerk_" in text:
                found.add("raw SQL on report tables")
    return found


def test_the_cross_tenant_checker_sees_the_ways_across():
    source = ("def f(s, text):\n    s.execute(text('SELECT * FROM wijkwerk_aggregate_hours(1)'))\n"
              "    s.execute(text('select * from report_shares'))\n"
              "    return s.execute(q.execution_options(all_tenants=True))\n")
    assert cross_tenant_uses(source) == {"all_tenants", "wijkwerk_aggregate_",
                                         "raw SQL on report tables"}


def test_only_the_aggregate_primitive_reads_across_tenants():
    uses = {name: cross_tenant_uses(path.read_text(encoding="utf-8"))
            for name, path in application_modules().items()}
    assert uses[CROSS_TENANT_READER] >= {"wijkwerk_aggregate_", "wijkwerk_report_shares"}
    others = {name: found for name, found in uses.items()
              if found and name != CROSS_TENANT_READER}
    allowed = {name: {"all_tenants"} for name in ALL_TENANTS_ALLOWED}
    allowed.update({name: names for name, (names, _why) in LOOKUPS_ALLOWED.items()})
    assert others == allowed, "read across tenants only through tenants/aggregates.py"
