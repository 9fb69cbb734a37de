"""Metamorphic: the same photo at half and double size gives the same mm values within uncertainty."""

from __future__ import annotations

import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis
from tests.engine.photo_variants import Analyse, rescaled, sigma, values

KEYS = [
    "intercanthal_width_mm",
    "mouth_width_mm",
    "alar_width_mm",
    "brow_height_left_mm",
    "brow_height_right_mm",
    "upper_vermilion_height_mm",
    "lower_vermilion_height_mm",
    "bizygomatic_width_mm",
    "middle_third_mm",
]


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_it_gives_the_same_mm_values_at_another_scale(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis, factor: float
) -> None:
    scaled = analyse(rescaled(ada_image, factor))
    before, after = values(ada), values(scaled)
    for key in KEYS:
        assert abs(after[key] - before[key]) <= sigma(ada, key), (key, before[key], after[key])


def test_it_reports_iris_pixels_in_the_original_photo_grid(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis
) -> None:
    w, h = ada_image.size
    doubled = analyse(ada_image.resize((w * 2, h * 2), Image.Resampling.LANCZOS))
    ratio = values(doubled)["iris_diameter_px"] / values(ada)["iris_diameter_px"]
    assert ratio == pytest.approx(2.0, rel=0.03)
