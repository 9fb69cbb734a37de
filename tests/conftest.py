"""Shared fixtures: paths to the bundled photos and to ../shared (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared_data import BUNDLED_LONDON, SHARED, SHARED_DATA, shared_path  # noqa: F401  (re-exported)


@pytest.fixture(scope="session")
def landmarker():  # type: ignore[no-untyped-def]
    from facebalance.vision import FaceLandmarker

    with FaceLandmarker() as lm:
        yield lm


@pytest.fixture(scope="session")
def patient_ada_photo() -> Path:
    """Ada: the bundled London photo 001 (female, white), neutral frontal."""
    return BUNDLED_LONDON / "001_03.jpg"


@pytest.fixture(scope="session")
def patient_ben_photo() -> Path:
    """Ben: the bundled London photo 042 (male, black), neutral frontal."""
    return BUNDLED_LONDON / "042_03.jpg"


@pytest.fixture(scope="session")
def patient_chloe_photo() -> Path:
    """Chloe: the bundled London photo 030 (female, east asian), neutral frontal."""
    return BUNDLED_LONDON / "030_03.jpg"
