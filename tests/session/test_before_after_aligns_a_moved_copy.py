"""A photo against a shifted, scaled and slightly rotated copy of itself aligns to within a pixel and
reports no change, whichever way the after values are taken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis, analyze_photo
from facebalance.beforeafter import (
    AlignmentMethod,
    BeforeAfter,
    ComparisonMode,
    align_photos,
    compare_analyses,
)
from facebalance.vision import FaceLandmarker
from tests.session.before_after_photos import apply_matrix, moved_copy, png_bytes, similarity_matrix

#: The copy: 0.9 times the size, turned 3 deg, shifted 30 px right and 20 px up.
COPY_SCALE = 0.9
COPY_ROTATION_DEG = 3.0
COPY_SHIFT_PX = (30.0, -20.0)
#: The proof's bar: the alignment maps every point of the face back to within one pixel.
ALIGNMENT_TOLERANCE_PX = 1.0


@pytest.fixture(scope="module")
def ada_rgb(patient_ada_photo: Path) -> np.ndarray:
    return np.asarray(Image.open(patient_ada_photo).convert("RGB"))


@pytest.fixture(scope="module")
def copy_matrix(ada_rgb: np.ndarray) -> np.ndarray:
    height, width = ada_rgb.shape[:2]
    return similarity_matrix((width, height), scale=COPY_SCALE, rotation_deg=COPY_ROTATION_DEG, shift_px=COPY_SHIFT_PX)


@pytest.fixture(scope="module")
def before(ada_rgb: np.ndarray, landmarker: FaceLandmarker) -> PhotoAnalysis:
    return analyze_photo(png_bytes(ada_rgb), sex="female", landmarker=landmarker)


@pytest.fixture(scope="module")
def after(ada_rgb: np.ndarray, copy_matrix: np.ndarray, landmarker: FaceLandmarker) -> PhotoAnalysis:
    return analyze_photo(png_bytes(moved_copy(ada_rgb, copy_matrix)), sex="female", landmarker=landmarker)


@pytest.fixture(scope="module", params=list(ComparisonMode), ids=lambda m: m.value)
def comparison(request: pytest.FixtureRequest, before: PhotoAnalysis, after: PhotoAnalysis) -> BeforeAfter:
    return compare_analyses(before, after, mode=request.param)


def face_grid(analysis: PhotoAnalysis, n: int = 7) -> np.ndarray:
    """An n x n grid of pixel positions over the face's bounding box."""
    pts = analysis.mesh.landmarks_px[:, :2]
    xs = np.linspace(pts[:, 0].min(), pts[:, 0].max(), n)
    ys = np.linspace(pts[:, 1].min(), pts[:, 1].max(), n)
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def test_it_maps_every_point_of_the_face_back_to_within_a_pixel(
    before: PhotoAnalysis, after: PhotoAnalysis, copy_matrix: np.ndarray
) -> None:
    known = face_grid(before)

    alignment = align_photos(before, after)
    mapped_back = alignment.similarity.apply(apply_matrix(copy_matrix, known))

    assert alignment.method is AlignmentMethod.FEATURES
    assert np.hypot(*(mapped_back - known).T).max() < ALIGNMENT_TOLERANCE_PX


def test_it_reports_a_residual_under_a_pixel(before: PhotoAnalysis, after: PhotoAnalysis) -> None:
    alignment = align_photos(before, after)

    assert alignment.residual_rms_px < ALIGNMENT_TOLERANCE_PX
    assert alignment.similarity.scale == pytest.approx(1 / COPY_SCALE, rel=0.002)
    assert alignment.similarity.rotation_deg == pytest.approx(COPY_ROTATION_DEG, abs=0.1)


def test_it_finds_no_measurement_changed(comparison: BeforeAfter) -> None:
    measured = [c for c in comparison.changes if c.delta is not None]

    assert comparison.mode is comparison.requested_mode
    assert len(measured) > 40
    assert [c.id for c in comparison.changed] == []


def test_it_compares_pixel_values_in_the_before_photos_pixels(comparison: BeforeAfter) -> None:
    iris = next(c for c in comparison.changes if c.id == "iris_diameter_px")

    assert iris.delta is not None and iris.sigma_delta is not None
    assert abs(iris.delta) < 2 * iris.sigma_delta
