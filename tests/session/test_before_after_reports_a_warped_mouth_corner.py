"""A copy with the patient's left mouth corner pushed outward by a known amount reports that change in
mouth width, and nothing at the eyes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis, analyze_photo
from facebalance.anatomy.landmarks import Landmark
from facebalance.beforeafter import BeforeAfter, ComparisonMode, MeasurementChange, compare_analyses
from facebalance.vision import FaceLandmarker
from tests.session.before_after_photos import LocalPush, png_bytes

#: How far the corner is pushed along the mouth line, and how wide the push is (pixels of the photo).
PUSH_PX = 10.0
PUSH_WIDTH_PX = 30.0


@pytest.fixture(scope="module")
def ada_rgb(patient_ada_photo: Path) -> np.ndarray:
    return np.asarray(Image.open(patient_ada_photo).convert("RGB"))


@pytest.fixture(scope="module")
def before(ada_rgb: np.ndarray, landmarker: FaceLandmarker) -> PhotoAnalysis:
    return analyze_photo(png_bytes(ada_rgb), sex="female", landmarker=landmarker)


@pytest.fixture(scope="module")
def push(before: PhotoAnalysis) -> LocalPush:
    pts = before.mesh.landmarks_px[:, :2]
    right, left = pts[Landmark.CHEILION_RIGHT], pts[Landmark.CHEILION_LEFT]
    outward = (left - right) / np.hypot(*(left - right))
    return LocalPush(left, PUSH_PX * outward, PUSH_WIDTH_PX)


@pytest.fixture(scope="module")
def comparison(ada_rgb: np.ndarray, before: PhotoAnalysis, push: LocalPush, landmarker: FaceLandmarker) -> BeforeAfter:
    after = analyze_photo(png_bytes(push.apply(ada_rgb)), sex="female", landmarker=landmarker)
    return compare_analyses(before, after)


def change(result: BeforeAfter, measurement_id: str) -> MeasurementChange:
    return next(c for c in result.changes if c.id == measurement_id)


def expected_mouth_width_change_mm(before: PhotoAnalysis, push: LocalPush) -> float:
    pts = before.mesh.landmarks_px[:, :2]
    corners = pts[[Landmark.CHEILION_RIGHT, Landmark.CHEILION_LEFT]]
    moved = push.forward(corners)
    grown_px = np.hypot(*(moved[1] - moved[0])) - np.hypot(*(corners[1] - corners[0]))
    return float(grown_px * before.assessment.calibration.mm_per_px)


def test_it_tracks_the_points_into_the_warped_copy(comparison: BeforeAfter) -> None:
    assert comparison.mode is ComparisonMode.TRACKED
    assert comparison.tracking is not None and comparison.tracking.reliable


def test_it_reports_the_mouth_width_change_within_its_sigma(
    comparison: BeforeAfter, before: PhotoAnalysis, push: LocalPush
) -> None:
    mouth = change(comparison, "mouth_width_mm")
    expected = expected_mouth_width_change_mm(before, push)

    assert expected == pytest.approx(PUSH_PX * before.assessment.calibration.mm_per_px, rel=0.01)
    assert mouth.delta is not None and mouth.sigma_delta is not None
    assert abs(mouth.delta - expected) <= mouth.sigma_delta
    assert mouth.changed is True


def test_it_leaves_the_intercanthal_width_unchanged(comparison: BeforeAfter) -> None:
    eyes = change(comparison, "intercanthal_width_mm")

    assert eyes.delta is not None and eyes.sigma_delta is not None
    assert abs(eyes.delta) <= eyes.sigma_delta
    assert eyes.changed is False
