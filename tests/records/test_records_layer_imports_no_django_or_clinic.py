"""``facebalance.records`` is the pure records layer: none of its modules imports Django or the clinic app, not
even lazily inside a function, nor through what it imports (the charting pages are ``facebalance.clinic.records``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import resources
from pathlib import Path

FORBIDDEN = ("django", "ninja", "facebalance.clinic")


def records_modules() -> list[Path]:
    return sorted(Path(str(resources.files("facebalance.records"))).rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_no_records_module_names_django_or_the_clinic() -> None:
    found = {f"{p.name}: {n}" for p in records_modules() for n in imported_names(p) if forbidden(n)}
    assert not found, sorted(found)


def test_importing_every_records_module_loads_neither() -> None:
    code = (
        "import importlib, pkgutil, sys, facebalance.records as r\n"
        "for m in pkgutil.walk_packages(r.__path__, 'facebalance.records.'):\n"
        "    importlib.import_module(m.name)\n"
        f"print('\\n'.join(sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN[:2]!r} "
        "or n.startswith('facebalance.clinic'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "", out.stdout


def test_the_charting_app_lives_in_the_clinic_under_its_old_label() -> None:
    from facebalance.clinic.records.apps import RecordsConfig

    assert RecordsConfig.name == "facebalance.clinic.records" and RecordsConfig.label == "records"
