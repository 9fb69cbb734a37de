"""Fixtures for the refined-point tests: a bundled photo with its mirror-averaged mesh and head frame."""

from __future__ import annotations

from pathlib import Path

import pytest

from facebalance.vision import FaceLandmarker
from tests.anatomy.refine_faces import Face, face_of


@pytest.fixture(scope="session")
def ada_face(landmarker: FaceLandmarker, patient_ada_photo: Path) -> Face:
    return face_of(patient_ada_photo, landmarker)


@pytest.fixture(scope="session")
def ben_face(landmarker: FaceLandmarker, patient_ben_photo: Path) -> Face:
    return face_of(patient_ben_photo, landmarker)
