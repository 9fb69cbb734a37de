"""Template measurements are taken with the pupils levelled, so a tilted photo gives the same numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facebalance.evaluation.london import (
    BROW_UPPER_LEFT,
    BROW_UPPER_RIGHT,
    TEMPLATE_POINT_COUNT,
    TemplatePoint,
    read_tem,
    template_measurements,
)
from tests.shared_data import BUNDLED_LONDON

MM_PER_PX = 0.3
#: Rotation leaves lengths, ratios and angles equal up to floating point.
ROUNDING = 1e-9


def _rotated(points: np.ndarray, degrees: float, about: tuple[float, float]) -> np.ndarray:
    a = math.radians(degrees)
    rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return (points - about) @ rotation.T + about


def test_it_gives_the_same_measurements_for_a_tilted_template() -> None:
    upright = read_tem(BUNDLED_LONDON / "001_03.tem")
    tilted = _rotated(upright, 12.0, about=(700.0, 650.0))

    straight = template_measurements(upright, mm_per_px=MM_PER_PX)
    turned = template_measurements(tilted, mm_per_px=MM_PER_PX)

    for key, value in straight.items():
        assert value is not None
        assert turned[key] == pytest.approx(value, abs=ROUNDING), key


def test_it_reads_brow_height_at_the_pupils_abscissa() -> None:
    t = np.zeros((TEMPLATE_POINT_COUNT, 2))
    t[TemplatePoint.PUPIL_RIGHT] = (-30.0, 0.0)
    t[TemplatePoint.PUPIL_LEFT] = (30.0, 0.0)
    # A sloping right brow crossing x = -30 at y = -40, a flat left brow at y = -50.
    for x, i in zip((-60.0, -45.0, -30.0, -15.0, 0.0), BROW_UPPER_RIGHT, strict=True):
        t[i] = (x, -40.0 + (x + 30.0) / 3.0)
    for x, i in zip((60.0, 45.0, 30.0, 15.0, 5.0), BROW_UPPER_LEFT, strict=True):
        t[i] = (x, -50.0)

    values = template_measurements(t, mm_per_px=MM_PER_PX)

    assert values["brow_height_right_mm"] == pytest.approx(40.0 * MM_PER_PX)
    assert values["brow_height_left_mm"] == pytest.approx(50.0 * MM_PER_PX)
    assert values["interpupillary_distance_mm"] == pytest.approx(60.0 * MM_PER_PX)
