"""The omnisparse package has no import cycles, counting lazy (function-level) imports too.

Every module is parsed with `ast` (nothing is imported); an edge A -> B is any `from .B import ...`,
`from . import B`, `from omnisparse.B import ...`, `from omnisparse import B` or `import omnisparse.B` anywhere in A:
at module level, inside `if TYPE_CHECKING:`, or inside a function.

    python tests/test_module_graph.py          # prints the graph and any cycles
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "omnisparse"


def _targets(node: ast.AST, package: str, modules: set[str]) -> list[str]:
    """Sibling modules an import node refers to."""
    names: list[str] = []
    if isinstance(node, ast.ImportFrom):
        if node.level == 1 or (node.level == 0 and node.module and node.module.split(".")[0] == package):
            parts = (node.module or "").split(".") if node.level == 1 else node.module.split(".")[1:]
            parts = [p for p in parts if p]
            if parts:  # from .x import y / from omnisparse.x import y
                names.append(parts[0])
            else:      # from . import x / from omnisparse import x
                names.extend(a.name for a in node.names)
    elif isinstance(node, ast.Import):
        for a in node.names:
            parts = a.name.split(".")
            if parts[0] == package and len(parts) > 1:
                names.append(parts[1])
    return [n for n in names if n in modules]


def import_graph(package_dir: Path = PACKAGE) -> dict[str, dict[str, list[int]]]:
    """module -> {imported sibling module -> line numbers of the imports}."""
    files = {p.stem: p for p in sorted(package_dir.glob("*.py"))}
    modules = set(files)
    graph: dict[str, dict[str, list[int]]] = {}
    for name, path in files.items():
        edges: dict[str, list[int]] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            for target in _targets(node, package_dir.name, modules):
                if target != "__init__":
                    edges.setdefault(target, []).append(node.lineno)
        graph[name] = edges
    return graph


def strongly_connected(graph: dict[str, dict[str, list[int]]]) -> list[list[str]]:
    """Tarjan's algorithm; components in discovery order, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _cycle_in(comp: list[str], graph: dict[str, dict[str, list[int]]]) -> list[str]:
    """One concrete cycle through the first module of a component (breadth-first, so a shortest one)."""
    members, start = set(comp), comp[0]
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [start] + path[::-1][1:] + [start] if v != start else [start, start]
                if w in members and w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return comp


def import_cycles(graph: dict[str, dict[str, list[int]]]) -> list[str]:
    """Human-readable description of every cycle-carrying component (empty when the graph is acyclic)."""
    problems = []
    for comp in strongly_connected(graph):
        if len(comp) == 1 and comp[0] not in graph[comp[0]]:
            continue
        cycle = _cycle_in(comp, graph)
        inner = ", ".join(f"{a} -> {b} (line {', '.join(map(str, graph[a][b]))})"
                          for a in comp for b in sorted(graph[a]) if b in comp)
        problems.append(f"{{{', '.join(comp)}}}: e.g. {' -> '.join(cycle)}; imports inside: {inner}")
    return problems


# --------------------------------------------------------------------------------------------------------- tests
def test_omnisparse_has_no_import_cycles() -> None:
    problems = import_cycles(import_graph())
    assert not problems, "import cycles among omnisparse modules (lazy imports count):\n  " + "\n  ".join(problems)


def test_the_graph_is_not_vacuous() -> None:
    g = import_graph()
    assert len(g) >= 20 and sum(len(e) for e in g.values()) >= 50
    assert "evaluate" in g["export"] and "model" in g["sparsity"]


def test_a_lazy_cycle_is_reported(tmp_path: Path) -> None:
    pkg = tmp_path / "omnisparse"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .c import x\n\ndef f():\n    from . import b\n")
    (pkg / "b.py").write_text("def g():\n    from omnisparse.a import f\n")
    (pkg / "c.py").write_text("import os\nx = 1\n")
    (pkg / "d.py").write_text("import omnisparse.d\n")
    g = import_graph(pkg)
    assert g["a"] == {"c": [1], "b": [4]} and g["b"] == {"a": [2]}
    problems = import_cycles(g)
    assert len(problems) == 2
    assert problems[0] == "{a, b}: e.g. a -> b -> a; imports inside: a -> b (line 4), b -> a (line 2)"
    assert problems[1].startswith("{d}: e.g. d -> d;")


if __name__ == "__main__":
    graph = import_graph()
    for mod in sorted(graph):
        print(f"{mod:16s} -> {', '.join(sorted(graph[mod])) or '-'}")
    found = import_cycles(graph)
    print("\n".join(["", "cycles:", *found]) if found else "\nno cycles")
    sys.exit(1 if found else 0)
