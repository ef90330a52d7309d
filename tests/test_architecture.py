"""The layout's boundaries hold (docs/architecture.md), read from the source with `ast`, not by
importing it: every import counts, the ones inside functions too.

- `parsers/` imports nothing from `flows/` or `warehouse/`, and nothing of Prefect;
- `flows/acquire/` runs without Prefect: no module it reaches imports it;
- `warehouse/` never imports `flows/`;
- `warehouse/outputs/` never opens the writer (WRITER_MODULES and WRITER_NAMES say what that
  is), directly or through other modules;
- nothing but the command line itself imports `flows/cli/`, and no import cycle exists.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "parsers", "warehouse")
PREFECT = ("prefect", "prefect_dask")

# The writer is whatever writes the data folder: the read-write connection to the working copy
# and publishing it, the modules that take that connection to change or read its state
# (loading, run bookkeeping, crawl cursors, the writer's own queries, migrations, the stored
# results of views, the change notes and what brings derived data up to date), storing archive
# files, recording findings, and the flows.
WRITER_MODULES = (
    "warehouse.load",
    "warehouse.runs",
    "warehouse.cursors",
    "warehouse.writer_state",
    "warehouse.schema",
    "warehouse.served",
    "warehouse.changes",
    "warehouse.derived",
    "flows",
)
WRITER_NAMES = (
    "warehouse.database.connect_writer",
    "warehouse.database.writer",
    "warehouse.database.writer_path",
    "warehouse.database.publish",
    "warehouse.archive.store",
    "warehouse.checks.run_checks",
    "warehouse.checks.record_findings",
    "duckdb.connect",  # outputs open the published file through warehouse.database.reader
)


def modules(root: Path) -> dict[str, Path]:
    """Every module of toll's packages by dotted name (a package by its `__init__.py`)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(path: Path, name: str) -> set[str]:
    """The dotted names a module imports anywhere in it: `import a.b` gives `a.b`, `from a
    import b` gives `a.b` (b a module or a name in a), and `m.attr` on an imported module `m`
    gives its name plus `.attr`, so `archive.store(...)` is seen as `warehouse.archive.store`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    bound: dict[str, str] = {}
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.add(alias.name)
                local = alias.asname or alias.name.split(".")[0]
                bound[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                names.add(f"{base}.{alias.name}")
                bound[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in ast.walk(tree):
        value = getattr(node, "value", None)
        if isinstance(node, ast.Attribute) and isinstance(value, ast.Name) and value.id in bound:
            names.add(f"{bound[value.id]}.{node.attr}")
    return names


def owner(dotted: str, known: dict[str, Path]) -> str | None:
    """The toll module a dotted name belongs to (its longest prefix that is a module)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            return ".".join(parts[:end])
    return None


def graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Toll's import graph (module -> toll modules it imports) and each module's imports."""
    known = modules(root)
    names = {name: imported(path, name) for name, path in known.items()}
    edges = {
        name: {o for n in found if (o := owner(n, known)) and o != name}
        for name, found in names.items()
    }
    return edges, names


def reached(
    edges: dict[str, set[str]], start: str, through: Callable[[str], bool] = lambda m: True
) -> set[str]:
    """Every module `start` imports, directly or not, entering only modules `through` allows."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in edges[todo.pop()]:
            if target not in seen:
                seen.add(target)
                if through(target):
                    todo.append(target)
    return seen


def within(name: str, *prefixes: str) -> bool:
    """Whether a dotted name is one of the prefixes or inside one."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def imports_into(
    root: Path, importers: tuple[str, ...], forbidden: tuple[str, ...], but: tuple[str, ...] = ()
) -> list[str]:
    """Imports of anything inside `forbidden` by modules inside `importers` but not `but`."""
    _, names = graph(root)
    return sorted(
        f"{module} imports {name}"
        for module, found in names.items()
        if within(module, *importers) and not within(module, *but)
        for name in found
        if within(name, *forbidden)
    )


def prefect_reached(root: Path, packages: tuple[str, ...]) -> list[str]:
    """Modules inside `packages` that import Prefect, or import a toll module that does."""
    edges, names = graph(root)
    found = []
    for module in sorted(m for m in names if within(m, *packages)):
        for other in sorted({module} | reached(edges, module)):
            if any(within(n, *PREFECT) for n in names[other]):
                found.append(f"{module} reaches Prefect through {other}")
    return found


def writer_opened(root: Path) -> list[str]:
    """Ways in which `warehouse/outputs/` could open the writer: a writer name or module
    imported or used, or a writer module reached through other modules. warehouse.database
    holds the reader and the writer side by side, so it is checked by name, not entered."""
    edges, names = graph(root)
    found = []
    for module in sorted(m for m in names if within(m, "warehouse.outputs")):
        found += [f"{module} uses {n}" for n in sorted(names[module]) if within(n, *WRITER_NAMES)]
        found += [
            f"{module} imports {n}" for n in sorted(names[module]) if within(n, *WRITER_MODULES)
        ]
        through = reached(edges, module, lambda m: m != "warehouse.database")
        found += [
            f"{module} reaches {m}"
            for m in sorted(through)
            if within(m, *WRITER_MODULES) and m not in edges[module]
        ]
    return found


def cycle(root: Path) -> list[str]:
    """One import cycle among toll's modules, or an empty list."""
    try:
        TopologicalSorter(graph(root)[0]).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_the_graph_sees_every_module_and_lazy_imports() -> None:
    edges, _ = graph(ROOT)
    assert {"flows.cli.app", "flows.acquire.fetch", "warehouse.outputs.verify"} <= set(edges)
    assert "flows.nightly" in edges["flows.cli.run"]  # imported inside a command function


def test_parsers_import_nothing_from_flows_or_warehouse() -> None:
    assert imports_into(ROOT, ("parsers",), ("flows", "warehouse")) == []


def test_parsers_and_acquire_never_reach_prefect() -> None:
    assert prefect_reached(ROOT, ("parsers", "flows.acquire")) == []


def test_warehouse_never_imports_flows() -> None:
    assert imports_into(ROOT, ("warehouse",), ("flows",)) == []


def test_outputs_never_open_the_writer() -> None:
    assert writer_opened(ROOT) == []


def test_only_the_command_line_imports_it() -> None:
    assert imports_into(ROOT, PACKAGES, ("flows.cli",), but=("flows.cli",)) == []


def test_no_import_cycle() -> None:
    assert cycle(ROOT) == []


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A tree that breaks every rule once."""
    files = {
        "flows/__init__.py": "",
        "flows/cli/__init__.py": "",
        "flows/cli/app.py": "from flows.cli import run\n",
        "flows/cli/run.py": "def demo():\n    from flows.cli.app import app\n",
        "flows/tasks.py": "import prefect\n",
        "flows/acquire/__init__.py": "",
        "flows/acquire/fetch.py": "from flows import tasks\nfrom flows.cli import run\n",
        "parsers/__init__.py": "",
        "parsers/model.py": "from warehouse.rows import FetchRow\n",
        "warehouse/__init__.py": "",
        "warehouse/rows.py": "from flows.acquire import fetch\n",
        "warehouse/database.py": "from warehouse import load\n",
        "warehouse/load.py": "",
        "warehouse/archive.py": "",
        "warehouse/checks.py": "from warehouse import rows\nfrom warehouse.load import run\n",
        "warehouse/outputs/__init__.py": "",
        "warehouse/outputs/explain.py": (
            "from warehouse import archive\nfrom warehouse.database import reader, publish\n"
            "import duckdb\narchive.read()\narchive.store()\nduckdb.connect('x')\n"
        ),
        "warehouse/outputs/report.py": "from warehouse.checks import CHECKS\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checks_would_catch_each_break(broken: Path) -> None:
    assert imports_into(broken, ("parsers",), ("flows", "warehouse")) == [
        "parsers.model imports warehouse.rows.FetchRow"
    ]
    assert prefect_reached(broken, ("flows.acquire",)) == [
        "flows.acquire.fetch reaches Prefect through flows.tasks"
    ]
    assert imports_into(broken, ("warehouse",), ("flows",)) == [
        "warehouse.rows imports flows.acquire.fetch"
    ]
    assert writer_opened(broken) == [
        "warehouse.outputs.explain uses duckdb.connect",
        "warehouse.outputs.explain uses warehouse.archive.store",
        "warehouse.outputs.explain uses warehouse.database.publish",
        "warehouse.outputs.report reaches flows.acquire.fetch",
        "warehouse.outputs.report reaches flows.cli.app",
        "warehouse.outputs.report reaches flows.cli.run",
        "warehouse.outputs.report reaches flows.tasks",
        "warehouse.outputs.report reaches warehouse.load",
    ]
    assert imports_into(broken, PACKAGES, ("flows.cli",), but=("flows.cli",)) == [
        "flows.acquire.fetch imports flows.cli.run"
    ]
    assert set(cycle(broken)) == {"flows.cli.app", "flows.cli.run"}
