"""The uncertainty of a change drops the population spread of the iris, which both visits share, and
keeps the landmark noise and the per-photo calibration noise."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from facebalance.analysis import PhotoAnalysis, analyze_photo
from facebalance.beforeafter import ComparisonMode, align_photos, measurement_changes
from facebalance.vision import FaceLandmarker

#: Rüfer 2005 as carried by the default norm set: visible iris 11.71 +- 0.42 mm.
IRIS_POPULATION_RELATIVE_SD = 0.42 / 11.71


@pytest.fixture(scope="module")
def ada(patient_ada_photo: Path, landmarker: FaceLandmarker) -> PhotoAnalysis:
    return analyze_photo(patient_ada_photo, sex="female", landmarker=landmarker)


def test_it_matches_the_documented_formula_for_a_length(ada: PhotoAnalysis) -> None:
    mouth = ada.assessment.measurements["mouth_width_mm"]
    cal = ada.assessment.calibration
    assert mouth.value is not None and mouth.uncertainty is not None
    landmark_sq = mouth.uncertainty**2 - (mouth.value * cal.relative_uncertainty) ** 2
    own_sq = cal.relative_uncertainty**2 - IRIS_POPULATION_RELATIVE_SD**2

    changes = {c.id: c for c in measurement_changes(ada, ada, mode=ComparisonMode.EACH_PHOTO)}

    expected = math.sqrt(2 * landmark_sq + 2 * mouth.value**2 * own_sq)
    sigma_delta = changes["mouth_width_mm"].sigma_delta
    assert changes["mouth_width_mm"].delta == 0
    assert sigma_delta == pytest.approx(expected, rel=1e-9)
    assert sigma_delta is not None and sigma_delta < math.sqrt(2) * mouth.uncertainty


def test_it_adds_both_uncertainties_for_a_ratio(ada: PhotoAnalysis) -> None:
    ratio = ada.assessment.measurements["lower_face_ratio"]
    assert ratio.uncertainty is not None

    changes = {c.id: c for c in measurement_changes(ada, ada, mode=ComparisonMode.EACH_PHOTO)}

    assert changes["lower_face_ratio"].sigma_delta == pytest.approx(math.sqrt(2) * ratio.uncertainty)


def test_it_is_tighter_on_the_before_photos_scale(ada: PhotoAnalysis) -> None:
    alignment = align_photos(ada, ada, refine=False)

    each = {c.id: c for c in measurement_changes(ada, ada, mode=ComparisonMode.EACH_PHOTO)}
    rescaled = {c.id: c for c in measurement_changes(ada, ada, mode=ComparisonMode.BEFORE_SCALE, alignment=alignment)}

    sigma_each, sigma_rescaled = each["bizygomatic_width_mm"].sigma_delta, rescaled["bizygomatic_width_mm"].sigma_delta
    assert sigma_each is not None and sigma_rescaled is not None
    assert sigma_rescaled < sigma_each
