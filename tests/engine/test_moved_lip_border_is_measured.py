"""Metamorphic, end to end: the lower lip's border moved down by N pixels in the photo lengthens the lower
vermilion by N pixels' worth of millimetres and leaves the upper vermilion as it was; the medial canthi
moved apart by N pixels each widen the intercanthal width by 2N."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis
from tests.anatomy.refine_faces import move_patch
from tests.engine.photo_variants import Analyse, as_array, values

#: About a third of a landmark's localisation noise: the mesh itself moves a little with the edit.
TOLERANCE_MM = 0.3


def _point_px(result: PhotoAnalysis, name: str) -> np.ndarray:
    frame = result.assessment.frame
    point = frame.refined[name]
    assert point.refined, f"{name} was not read from the photo"
    return frame.to_image(point.xy, point.depth_px)[0]


@pytest.mark.parametrize("n_px", [3, 6])
def test_a_lowered_lower_lip_border_lengthens_the_lower_vermilion(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis, n_px: int
) -> None:
    d = 0.935 * ada.assessment.iris_diameter_left_px
    edited = move_patch(as_array(ada_image), _point_px(ada, "labrale_inferius"), (0.6 * d, 0.35 * d), (0, n_px))
    after, before = values(analyse(Image.fromarray(edited))), values(ada)
    mm = n_px * ada.assessment.calibration.mm_per_px
    assert after["lower_vermilion_height_mm"] - before["lower_vermilion_height_mm"] == pytest.approx(
        mm, abs=TOLERANCE_MM
    )
    assert after["upper_vermilion_height_mm"] == pytest.approx(before["upper_vermilion_height_mm"], abs=TOLERANCE_MM)


@pytest.mark.parametrize("n_px", [2, 4])
def test_medial_canthi_moved_toward_the_nose_narrow_the_intercanthal_width(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis, n_px: int
) -> None:
    d = 0.935 * ada.assessment.iris_diameter_left_px
    rgb = as_array(ada_image)
    # The patient's right eye is on the image's left: toward the nose is +x there and -x on the other eye.
    rgb = move_patch(rgb, _point_px(ada, "medial_canthus_right"), (0.45 * d, 0.35 * d), (n_px, 0))
    rgb = move_patch(rgb, _point_px(ada, "medial_canthus_left"), (0.45 * d, 0.35 * d), (-n_px, 0))
    after, before = values(analyse(Image.fromarray(rgb))), values(ada)
    mm = 2 * n_px * ada.assessment.calibration.mm_per_px
    assert before["intercanthal_width_mm"] - after["intercanthal_width_mm"] == pytest.approx(mm, abs=TOLERANCE_MM)
