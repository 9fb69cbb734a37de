"""Test folders can be run in any combination: each is a package and imports its helpers by full name.

Two folders without ``__init__.py`` that both have a ``conftest.py`` (or a helper module imported by bare
name) clash when pytest collects them together; the full run hides it because of collection order.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _test_folders() -> list[Path]:
    return sorted(
        p for p in [TESTS, *TESTS.rglob("*")] if p.is_dir() and any(p.glob("*.py")) and "__pycache__" not in p.parts
    )


def _local_module_names() -> set[str]:
    modules = {p.stem for p in TESTS.rglob("*.py") if p.name != "__init__.py"}
    return modules | {folder.name for folder in _test_folders() if folder != TESTS}


def test_it_makes_every_test_folder_a_package() -> None:
    missing = [
        str(folder.relative_to(TESTS.parent)) for folder in _test_folders() if not (folder / "__init__.py").exists()
    ]
    assert missing == []


def test_it_imports_test_helpers_by_their_full_name() -> None:
    local = _local_module_names()
    bare: list[str] = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            bare += [f"{path.relative_to(TESTS.parent)}: {n}" for n in names if n.split(".")[0] in local]
    assert bare == []
