"""Fixtures of the clinic app tests (the records themselves are built in clinic_records.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("django") is None or importlib.util.find_spec("pytest_django") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    from facebalance.clinic.testing import configure

    configure()

from tests.clinic.clinic_records import ClinicRecords, make_clinic


@pytest.fixture(autouse=True)
def photo_store(tmp_path: Path, settings: Any) -> Path:
    """Each test its own photo store, so file checks see only that test's files (the database rolls back)."""
    import dataclasses

    from facebalance.clinic.testing import fast_argon2_hasher

    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, data_dir=tmp_path / "data")
    settings.PASSWORD_HASHERS = [fast_argon2_hasher()]
    return Path(settings.FACEBALANCE.photo_dir)


@pytest.fixture
def clinic_a(db: Any) -> ClinicRecords:
    return make_clinic("Harbour Clinic", "harbour")


@pytest.fixture
def clinic_b(db: Any) -> ClinicRecords:
    return make_clinic("Hill Clinic", "hill")


@pytest.fixture(scope="session", autouse=True)
def _close_landmarker() -> Any:
    yield
    if importlib.util.find_spec("django") is not None:
        from facebalance.clinic import engine

        engine.shutdown()


@pytest.fixture
def jobs_run_by_the_test(settings: Any) -> None:
    """The test runs the background queue itself (``jobs.run_pending``), never a worker thread."""
    import dataclasses

    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, worker="external")
