"""On Ada's frontal photo the landmarker finds one face: a full mesh inside the image and every blendshape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facebalance.vision import FaceLandmarker, FaceMesh, load_image
from facebalance.vision.landmarker import MESH_POINT_COUNT

#: MediaPipe's blendshape model: 51 ARKit-style shapes and "_neutral".
BLENDSHAPE_COUNT = 52


@pytest.fixture(scope="module")
def ada(patient_ada_photo: Path, landmarker: FaceLandmarker) -> tuple[FaceMesh, tuple[int, int]]:
    image = load_image(patient_ada_photo)
    faces = landmarker.detect(image.rgb)
    assert len(faces) == 1
    return faces[0], image.size_px


def test_it_finds_a_full_mesh(ada: tuple[FaceMesh, tuple[int, int]]) -> None:
    face, _ = ada

    assert face.landmarks_px.shape == (MESH_POINT_COUNT, 3) == (478, 3)
    assert np.isfinite(face.landmarks_px).all()


def test_it_puts_every_point_inside_the_image(ada: tuple[FaceMesh, tuple[int, int]]) -> None:
    face, (width, height) = ada
    x, y = face.landmarks_px[:, 0], face.landmarks_px[:, 1]

    assert ((x >= 0) & (x < width)).all()
    assert ((y >= 0) & (y < height)).all()


def test_it_scores_every_blendshape(ada: tuple[FaceMesh, tuple[int, int]]) -> None:
    face, _ = ada

    assert len(face.blendshapes) == BLENDSHAPE_COUNT
    assert all(0.0 <= score <= 1.0 for score in face.blendshapes.values())
    assert "mouthSmileLeft" in face.blendshapes
