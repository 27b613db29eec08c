"""The layers of the package (docs/guide/architecture.md): imports point down, never in a circle.

Each module's imports of other vitd_kg modules are read from its source (module-level
and function-level alike; those under ``if TYPE_CHECKING:`` only name types and are
left out), so moving code keeps this picture honest.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import vitd_kg

PACKAGE = Path(vitd_kg.__file__).parent

#: Lower layers first; a module may import its own layer and the ones below it.
LAYERS = [
    ["vitd_kg.errors", "vitd_kg.namespaces", "vitd_kg.resources", "vitd_kg.atomic", "vitd_kg.lifetime"],
    ["vitd_kg.rdf", "vitd_kg.synth", "vitd_kg.storage"],
    ["vitd_kg.sparql"],
    ["vitd_kg.evidence", "vitd_kg.validation", "vitd_kg.exports"],
    ["vitd_kg.publishing"],
    ["vitd_kg.site"],
    ["vitd_kg.knowledge_graph", "vitd_kg.api"],
    ["vitd_kg.cli", "vitd_kg.__main__"],
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    for index, members in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return index
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and to the architecture guide")


def runtime_imports(path: Path) -> set[str]:
    """vitd_kg modules imported by the file, outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("vitd_kg"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vitd_kg"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists()
                          or (PACKAGE.parent / candidate.replace(".", "/")).is_dir() else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


GRAPH = {module_name(p): runtime_imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down_the_layers(module):
    upward = [other for other in GRAPH[module] if other != "vitd_kg" and layer_of(other) > layer_of(module)]
    assert upward == [], f"{module} (layer {layer_of(module)}) imports a higher layer: {upward}"


def test_no_import_cycles():
    state: dict[str, str] = {}
    cycles = []

    def walk(module: str, stack: list[str]) -> None:
        state[module] = "open"
        for other in sorted(GRAPH.get(module, ())):
            if other not in GRAPH or other == module:
                continue
            if state.get(other) == "open":
                cycles.append(stack[stack.index(other):] + [other])
            elif other not in state:
                walk(other, stack + [other])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_py_typed_ships_with_the_package():
    assert (PACKAGE / "py.typed").is_file()
