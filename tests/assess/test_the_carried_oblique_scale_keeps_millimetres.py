"""The frontal ruler carried to a real oblique: the same oblique at half and at twice its size gives the same
millimetres within their uncertainty, and the carried scale is never more certain than the frontal ruler."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facebalance.analysis import analyze_photo
from facebalance.oblique.analysis import ObliqueAnalysis, analyze_oblique
from facebalance.photo import PhotoAnalysis
from facebalance.vision import FaceLandmarker
from facebalance.zones.base import Unit
from tests.assess.session_photos import OBLIQUE_LEFT
from tests.oblique.oblique_photos import dev_photo, png_bytes
from tests.shared_data import BUNDLED_LONDON


@pytest.fixture(scope="module")
def frontal(landmarker: FaceLandmarker) -> PhotoAnalysis:
    return analyze_photo(BUNDLED_LONDON / "001_03.jpg", landmarker=landmarker)


@pytest.fixture(scope="module")
def oblique() -> np.ndarray:
    return dev_photo(OBLIQUE_LEFT.removesuffix(".jpg"))


@pytest.fixture(scope="module")
def carried(oblique: np.ndarray, frontal: PhotoAnalysis, landmarker: FaceLandmarker) -> ObliqueAnalysis:
    return analyze_oblique(png_bytes(oblique), landmarker=landmarker, frontal=frontal)


def test_the_oblique_scale_combines_its_own_ruler_with_the_frontal_one(
    carried: ObliqueAnalysis, frontal: PhotoAnalysis
) -> None:
    cal = carried.assessment.calibration
    assert cal is not None
    assert carried.scale_method == "own_ruler_and_frontal_carry_over"
    assert cal.relative_uncertainty >= frontal.assessment.calibration.relative_uncertainty
    assert "carried over" in cal.detail


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_it_measures_the_same_millimetres_at_another_size(
    factor: float, oblique: np.ndarray, carried: ObliqueAnalysis, frontal: PhotoAnalysis, landmarker: FaceLandmarker
) -> None:
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(oblique, None, fx=factor, fy=factor, interpolation=interpolation)
    rescaled = analyze_oblique(png_bytes(resized), landmarker=landmarker, frontal=frontal)
    before_cal, after_cal = carried.assessment.calibration, rescaled.assessment.calibration
    assert before_cal is not None and after_cal is not None
    # Per pixel of the photo as taken: the scale follows the photo's size.
    ratio = (after_cal.mm_per_px / rescaled.image.scale_to_full) / (before_cal.mm_per_px / carried.image.scale_to_full)
    assert abs(ratio * factor - 1.0) <= 2 * before_cal.relative_uncertainty
    compared = 0
    for mid, m in rescaled.assessment.measurements.items():
        before = carried.assessment.measurements[mid]
        if m.unit is not Unit.MM or m.value is None or before.value is None:
            continue
        sigma = max(m.uncertainty or 0.0, before.uncertainty or 0.0)
        assert abs(m.value - before.value) <= sigma, (mid, before.value, m.value, sigma)
        compared += 1
    assert compared >= 4
