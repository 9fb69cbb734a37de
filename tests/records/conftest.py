"""Fixtures of the records tests. The web tests use pytest-django as tests/clinic does (Django configured
once per process by facebalance.clinic.testing) and reuse the clinic tests' two clinics."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

DJANGO = importlib.util.find_spec("django") is not None and importlib.util.find_spec("pytest_django") is not None
if DJANGO:
    from facebalance.clinic.testing import configure

    configure()
else:
    collect_ignore_glob = ["test_web_*.py", "test_backup_*.py"]


@pytest.fixture
def photo_store(tmp_path: Path, settings: Any) -> Path:
    """Each web test its own photo store (the database rolls back; files would not)."""
    import dataclasses

    from facebalance.clinic.testing import fast_argon2_hasher

    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, data_dir=tmp_path / "data")
    settings.PASSWORD_HASHERS = [fast_argon2_hasher()]
    return Path(settings.FACEBALANCE.photo_dir)


@pytest.fixture
def clinic_a(db: Any, photo_store: Path) -> Any:
    from tests.clinic.clinic_records import make_clinic

    return make_clinic("Harbour Clinic", "harbour")


@pytest.fixture
def clinic_b(db: Any, photo_store: Path) -> Any:
    from tests.clinic.clinic_records import make_clinic

    return make_clinic("Hill Clinic", "hill")
