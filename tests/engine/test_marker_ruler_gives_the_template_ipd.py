"""Metamorphic check of the marker ruler on real faces: a 20 mm marker composited beside a London face at
the size the face's own hand-placed iris scale gives it; the engine, measuring with the marker, then
finds the template's interpupillary distance in mm within the uncertainty it states, and says which
ruler it used. A clinic-measured IPD still wins over the marker."""

from __future__ import annotations

import pytest

from facebalance.analysis import analyze_photo
from facebalance.evaluation.marker import composite_marker_photo
from facebalance.report.document import analysis_document
from facebalance.vision import FaceLandmarker
from facebalance.vision.marker import load_marker_spec
from tests.shared_data import BUNDLED_LONDON

#: The engine's scale from the marker against the composite's true scale: the marker's own error (the
#: renders give 0.5 %) with room for the photo's JPEG noise around it.
SCALE_TOLERANCE = 0.01


@pytest.mark.parametrize("photo", ["001_03.jpg", "042_03.jpg", "030_03.jpg"])
def test_the_marker_ruler_measures_the_template_ipd(photo: str, landmarker: FaceLandmarker) -> None:
    data, ipd_true_mm, template_mm_per_px = composite_marker_photo(BUNDLED_LONDON / photo, load_marker_spec())
    result = analyze_photo(data, landmarker=landmarker)
    calibration = result.assessment.calibration
    ipd = result.assessment.measurements["interpupillary_distance_mm"]

    assert calibration.ruler.value == "marker"
    assert calibration.mm_per_px / result.image.scale_to_full == pytest.approx(template_mm_per_px, rel=SCALE_TOLERANCE)
    assert ipd.value is not None and ipd.uncertainty is not None
    assert abs(ipd.value - ipd_true_mm) <= 2.0 * ipd.uncertainty
    assert analysis_document(result)["calibration"]["ruler"] == "marker"


def test_a_clinic_measured_ipd_wins_over_the_marker(landmarker: FaceLandmarker) -> None:
    data, _, _ = composite_marker_photo(BUNDLED_LONDON / "001_03.jpg", load_marker_spec())
    result = analyze_photo(data, landmarker=landmarker, known_ipd_mm=63.0)
    assert result.assessment.calibration.ruler.value == "known_ipd"
    assert result.assessment.measurements["interpupillary_distance_mm"].value == pytest.approx(63.0, abs=1e-6)
    assert analysis_document(result)["calibration"]["ruler"] == "known_ipd"
