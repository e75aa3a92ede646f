"""The library's import graph: no cycles, counting imports inside functions too (none may hide a cycle)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib" / "aicompute"


def _module(path: Path) -> str:
    parts = path.relative_to(LIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """{module: aicompute modules it imports anywhere in its body} (a fresh copy for each test)."""
    return {name: set(deps) for name, deps in _parsed_graph().items()}


@functools.cache
def _parsed_graph() -> dict[str, set[str]]:
    """:func:`_graph`, parsed once per session (~1 CPU s: the whole library's syntax trees)."""
    modules = {_module(p): p for p in LIB.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            deps |= {t for t in targets if t in modules and t != name and t != "aicompute"}
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_planted_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_loader_below_evidence_below_the_data_facade() -> None:
    graph = _graph()
    assert "aicompute.evidence" not in graph["aicompute.datapackage"]
    assert "aicompute.data" not in graph["aicompute.datapackage"]
    assert "aicompute.datapackage" in graph["aicompute.evidence"]
    assert "aicompute.data" not in graph["aicompute.evidence"]


#: The build layer (executes and renders notebooks) and the one module allowed to reach it from outside:
#: the command line, which dispatches to it.
BUILD = "aicompute.pipeline"
ENTRY_POINTS = {"aicompute.__main__"}


def _reaches_into_build(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """{module outside the build layer: the build-layer modules it imports}, entry points excepted."""
    inside = lambda m: m == BUILD or m.startswith(BUILD + ".")  # noqa: E731
    out = {m: {d for d in deps if inside(d)} for m, deps in graph.items() if not inside(m) and m not in ENTRY_POINTS}
    return {m: deps for m, deps in out.items() if deps}


def test_build_layer_check_finds_a_planted_import() -> None:
    graph = {"aicompute.appendix": {"aicompute.pipeline.params"}, "aicompute.__main__": {"aicompute.pipeline.build"},
             "aicompute.pipeline.build": {"aicompute.data"}, "aicompute.pipelines_x": {"aicompute.pipeline"}}
    assert _reaches_into_build(graph) == {"aicompute.appendix": {"aicompute.pipeline.params"},
                                          "aicompute.pipelines_x": {"aicompute.pipeline"}}


def test_models_never_import_the_build_layer() -> None:
    """Models, data and wording sit below the build: only the build itself (and the command line) imports it,
    counting imports inside functions."""
    assert _reaches_into_build(_graph()) == {}


#: The layers of ``aicompute/__init__.py``'s docstring, in import order (a module is named by its first part).
LAYERS = (("paths", "context", "escape", "formatting", "chapters", "parameters_cell"),
          ("datapackage", "data", "evidence"),
          ("chips", "infra", "finance", "bubble", "bottomup", "audit", "provenance", "verdicts", "dials", "scenarios"),
          ("narrative", "figures", "charts", "tables", "cite", "prose"),
          ("results", "summary", "headlines", "appendix"),
          ("pipeline", "__main__"))


def _layer(module: str) -> int:
    first = module.split(".")[1]
    return next(i for i, names in enumerate(LAYERS) if first in names)


def test_every_module_sits_in_a_layer_and_imports_only_those_above_it() -> None:
    graph = {m: deps for m, deps in _graph().items() if m != "aicompute"}
    unplaced = sorted(m for m in graph if not any(m.split(".")[1] in names for names in LAYERS))
    assert not unplaced, f"add these modules to a layer (here and in aicompute/__init__.py): {unplaced}"
    upward = {(m, d) for m, deps in graph.items() for d in deps if _layer(d) > _layer(m)}
    assert upward == set(), f"imports against the layer order: {sorted(upward)}"
