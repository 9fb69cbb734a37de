"""Metamorphic: one brow moved up by a known number of pixels is measured as that many mm."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis
from facebalance.anatomy.landmarks import BROW_UPPER_LEFT, Landmark
from tests.engine.photo_variants import Analyse, as_array, values

SHIFT_PX = 12
#: One landmark's localisation noise (about 1 mm; see the norms data's landmark_sigma_iris_diameters).
BROW_TOLERANCE_MM = 1.0


def lift_left_brow(image: Image.Image, ada: PhotoAnalysis, shift_px: int) -> Image.Image:
    """Copy the patient's left brow region ``shift_px`` pixels up, feathered into the forehead."""
    pts = ada.mesh.landmarks_px
    brow = pts[list(BROW_UPPER_LEFT), :2]
    eye_top = pts[Landmark.UPPER_LID_LEFT, 1]
    x0, x1 = int(brow[:, 0].min() - 25), int(brow[:, 0].max() + 25)
    y0, y1 = int(brow[:, 1].min() - 30), int(eye_top - 8)
    arr = as_array(image).astype(np.float64)
    out = arr.copy()
    patch = arr[y0:y1, x0:x1]
    weight = np.ones(patch.shape[:2])
    ramp = 10
    for i in range(ramp):  # feather the edges so no artificial edge is created
        f = (i + 1) / (ramp + 1)
        weight[i, :] *= f
        weight[-1 - i, :] *= f
        weight[:, i] *= f
        weight[:, -1 - i] *= f
    target = out[y0 - shift_px : y1 - shift_px, x0:x1]
    out[y0 - shift_px : y1 - shift_px, x0:x1] = weight[..., None] * patch + (1 - weight[..., None]) * target
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("shift_px", [6, SHIFT_PX, 20])
def test_it_measures_a_lifted_brow_by_the_lift(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis, shift_px: int
) -> None:
    lifted = analyse(lift_left_brow(ada_image, ada, shift_px))
    expected_mm = shift_px * ada.assessment.calibration.mm_per_px / np.cos(np.radians(ada.assessment.pose.roll_deg))
    before, after = values(ada), values(lifted)
    change_left = after["brow_height_left_mm"] - before["brow_height_left_mm"]
    change_right = after["brow_height_right_mm"] - before["brow_height_right_mm"]
    assert change_left == pytest.approx(expected_mm, abs=BROW_TOLERANCE_MM)
    assert abs(change_right) <= BROW_TOLERANCE_MM
