"""Fixtures for the oblique tests: real three-quarter photos of the development set (skipped when ../shared is
absent; never copied into the repository), analysed once per session."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.oblique.analysis import ObliqueAnalysis, analyze_oblique
from facebalance.vision import FaceLandmarker
from tests.oblique.oblique_photos import dev_photo, png_bytes


@pytest.fixture(scope="session")
def tomas() -> np.ndarray:
    """Tomas: a right oblique (nose to the image right, his left cheek's silhouette) on a plain grey wall."""
    return dev_photo("170508172_1")


@pytest.fixture(scope="session")
def maria() -> np.ndarray:
    """Maria: a left oblique (nose to the image left, her right cheek's silhouette) on a dark backdrop."""
    return dev_photo("10406776_1")


@pytest.fixture(scope="session")
def tomas_read(tomas: np.ndarray, landmarker: FaceLandmarker) -> ObliqueAnalysis:
    return analyze_oblique(png_bytes(tomas), landmarker=landmarker)


@pytest.fixture(scope="session")
def maria_read(maria: np.ndarray, landmarker: FaceLandmarker) -> ObliqueAnalysis:
    return analyze_oblique(png_bytes(maria), landmarker=landmarker)


@pytest.fixture(scope="session")
def maria_mirrored_read(maria: np.ndarray, landmarker: FaceLandmarker) -> ObliqueAnalysis:
    """Maria's photo mirrored: a right oblique of a face that is the mirror image of hers."""
    return analyze_oblique(png_bytes(np.ascontiguousarray(maria[:, ::-1])), landmarker=landmarker)
