"""The core's layout, as the README's "Architecture and layout" section states it.

* No import cycles between the core's modules, counting imports inside functions too: a lazy
  import that closes a loop is a cycle all the same (it only moves the failure to run time).
* Every module of ``pintu/`` stands in a folder the README describes, and the top level holds only
  the entry points named there.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pintu"

#: The only modules at the top of ``pintu/`` (the README's layout block names each).
TOP_LEVEL = {"__init__", "hookspecs", "testing", "app", "config", "cli", "jobs", "housekeeping"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def core_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The core modules ``path`` imports anywhere in its code (``from pintu.x import y`` counts as
    an import of ``pintu.x.y`` when that is a module, else of ``pintu.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("pintu"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    found.discard("pintu")  # the package's face (the lazy public API) is not an edge of the core
    return {m for m in found if m in modules}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), or a module importing itself."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_core_has_no_import_cycles():
    modules = core_modules()
    graph = {name: imports_of(path, modules) - {"pintu"} for name, path in modules.items()}
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    """The check above would see a loop (so its silence means something)."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_stands_where_the_readme_says():
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Architecture and layout"):]
    block = layout[layout.index("```"):layout.index("```", layout.index("```") + 3)]
    folders = set(re.findall(r"^  (\w+)/ ", block, flags=re.M))
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == TOP_LEVEL, "a module at the top of pintu/ that the README's layout does not name"
    for name in TOP_LEVEL - {"__init__"}:
        assert f"{name}.py" in block, name
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == folders, "the README's layout and the folders of pintu/ differ"
    for folder in packages:
        for path in (PACKAGE / folder).glob("*.py"):
            if path.stem != "__init__":
                assert path.name in block, f"pintu/{folder}/{path.name} is not in the README's layout"
