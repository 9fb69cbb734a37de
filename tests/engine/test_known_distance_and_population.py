"""A clinic-measured interpupillary distance replaces the iris ruler; a population without its own norms
is said so."""

from __future__ import annotations

import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis, analyze_photo
from facebalance.vision import FaceLandmarker
from tests.engine.photo_variants import png_bytes


def test_it_calibrates_from_a_measured_interpupillary_distance(ada: PhotoAnalysis, landmarker: FaceLandmarker) -> None:
    known = analyze_photo(
        png_bytes(Image.fromarray(ada.image.rgb)), sex="female", known_ipd_mm=60.0, landmarker=landmarker
    )
    cal = known.assessment.calibration
    assert cal.method.value == "known_distance"
    assert known.assessment.measurements["interpupillary_distance_mm"].value == pytest.approx(60.0, abs=1e-6)
    # Every length scales by the ratio of the two rulers.
    ratio = cal.mm_per_px / ada.assessment.calibration.mm_per_px
    for key in ("intercanthal_width_mm", "mouth_width_mm"):
        before = ada.assessment.measurements[key].value
        after = known.assessment.measurements[key].value
        assert before is not None and after is not None
        assert after == pytest.approx(before * ratio, rel=1e-9)


def test_it_judges_the_face_only_against_its_own_populations_norms(
    landmarker: FaceLandmarker, ada: PhotoAnalysis
) -> None:
    result = analyze_photo(
        png_bytes(Image.fromarray(ada.image.rgb)), sex="female", ethnicity="Korean", landmarker=landmarker
    )
    comparisons = result.assessment.comparisons
    # The intercanthal width has an East Asian norm; the alar width only a North American Caucasian one,
    # so it is reported without a comparison, and the report says so.
    icw = comparisons["intercanthal_width_mm"].norm
    assert icw is not None and icw.ethnicity == "east_asian"
    assert comparisons["alar_width_mm"].status == "no_norm"
    assert not [f for f in result.assessment.findings if "alar_width_mm" in f.measurements]
    assert any("No norm for East Asian ancestry" in w and "Alar width" in w for w in result.assessment.warnings)


def test_it_says_when_the_recorded_ancestry_selects_no_population(
    landmarker: FaceLandmarker, ada: PhotoAnalysis
) -> None:
    result = analyze_photo(
        png_bytes(Image.fromarray(ada.image.rgb)), sex="female", ethnicity="East Asian / White", landmarker=landmarker
    )
    assert any("names several populations" in w for w in result.assessment.warnings)
    alar = result.assessment.comparisons["alar_width_mm"].norm
    assert alar is not None and alar.ethnicity == "white"
