"""Fixtures for the frontal engine tests: analyse in-memory variants of the bundled photos."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis, analyze_photo
from facebalance.vision import FaceLandmarker
from tests.engine.photo_variants import Analyse, png_bytes


@pytest.fixture(scope="session")
def analyse(landmarker: FaceLandmarker) -> Analyse:
    """Analyse a PIL image (losslessly encoded) as a female patient."""

    def run(image: Image.Image) -> PhotoAnalysis:
        return analyze_photo(png_bytes(image), sex="female", landmarker=landmarker)

    return run


@pytest.fixture(scope="session")
def ada_image(patient_ada_photo: Path) -> Image.Image:
    return Image.open(patient_ada_photo).convert("RGB")


@pytest.fixture(scope="session")
def ada(analyse: Analyse, ada_image: Image.Image) -> PhotoAnalysis:
    return analyse(ada_image)
