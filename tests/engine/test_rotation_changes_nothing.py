"""Metamorphic: a 10-degree in-plane rotation changes the roll by 10 degrees and the measurements by
no more than their uncertainty."""

from __future__ import annotations

import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis
from tests.engine.photo_variants import Analyse, sigma, values

KEYS = [
    "intercanthal_width_mm",
    "mouth_width_mm",
    "alar_width_mm",
    "brow_height_left_mm",
    "brow_height_right_mm",
    "lower_face_ratio",
    "upper_to_lower_lip_ratio",
    "canthal_tilt_left_deg",
    "canthal_tilt_right_deg",
    "middle_third_mm",
    "lower_third_mm",
]


@pytest.mark.parametrize("angle_deg", [10.0, -10.0])
def test_it_measures_a_rotated_photo_the_same(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis, angle_deg: float
) -> None:
    rotated = analyse(ada_image.rotate(angle_deg, resample=Image.Resampling.BICUBIC, fillcolor=(200, 200, 200)))
    before, after = values(ada), values(rotated)
    for key in KEYS:
        assert abs(after[key] - before[key]) <= sigma(ada, key), (key, before[key], after[key])
    # PIL rotates counter-clockwise on screen: the head tilts toward the patient's right (negative roll).
    assert rotated.assessment.pose.roll_deg - ada.assessment.pose.roll_deg == pytest.approx(-angle_deg, abs=1.0)
