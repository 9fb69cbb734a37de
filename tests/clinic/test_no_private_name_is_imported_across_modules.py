"""No module of the planner, the records layer or the clinic uses another module's private name (``_x``): what
is shared is public (``clinic.services.search_patients``, not ``clinic.views._search``)."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import pytest

PACKAGES = ("facebalance.planning", "facebalance.records", "facebalance.clinic")


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def crossings(path: Path) -> list[str]:
    """``from m import _x``, imports of a private module, and ``m._x`` on an imported facebalance module."""
    tree = ast.parse(path.read_text("utf-8"))
    out: list[str] = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module != "__future__":
            out += [f"from {node.module} import {a.name}" for a in node.names if private(a.name)]
            out += [f"private module {node.module}" for part in node.module.split(".") if private(part)]
            if node.module.startswith("facebalance"):
                modules.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            modules.update((a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("facebalance"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
            continue
        if node.value.id in modules and private(node.attr):
            out.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_name_crosses_a_module(package: str) -> None:
    root = Path(str(resources.files(package)))
    found = {f"{p.relative_to(root)}: {c}" for p in sorted(root.rglob("*.py")) for c in crossings(p)}
    assert not found, sorted(found)
