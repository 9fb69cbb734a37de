"""Fixtures for the dynamic-assessment tests: real London faces cropped small, and their meshes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from facebalance.dynamics.tracker import PhotoFaceObserver
from tests.dynamics.dynamics_videos import face_crop


@pytest.fixture(scope="session")
def observer() -> Iterator[PhotoFaceObserver]:
    with PhotoFaceObserver() as o:
        yield o


@pytest.fixture(scope="session")
def ada_face(patient_ada_photo: Path) -> np.ndarray:
    """Ada (bundled London 001, neutral), the face cropped and scaled to 480 x 480."""
    return face_crop(patient_ada_photo)


@pytest.fixture(scope="session")
def ada_smiling_face(patient_ada_photo: Path) -> np.ndarray:
    """Ada smiling (bundled London 001_08), cropped like :func:`ada_face`."""
    return face_crop(patient_ada_photo.with_name("001_08.jpg"))


@pytest.fixture(scope="session")
def ada_landmarks(observer: PhotoFaceObserver, ada_face: np.ndarray) -> np.ndarray:
    observation = observer.observe(ada_face)
    assert observation is not None
    return observation.landmarks_px
