"""Calibration: known answers for the iris and known-distance rulers, and clear refusals."""

from __future__ import annotations

import math

import pytest

from facebalance.anatomy.calibration import (
    CalibrationMethod,
    IrisReference,
    calibrate_from_iris,
    calibrate_from_known_distance,
)
from facebalance.errors import CalibrationError

RUFER = IrisReference(11.71, 0.42, "Rüfer 2005", contour_to_visible_ratio=1.0, point_sigma_iris_diameters=0.1)


def test_it_scales_by_the_mean_iris_and_carries_the_population_spread() -> None:
    cal = calibrate_from_iris(40.0, 40.0, RUFER)
    assert cal.mm_per_px == pytest.approx(11.71 / 40.0)
    assert cal.relative_uncertainty == pytest.approx(0.42 / 11.71)
    assert cal.point_sigma_px == pytest.approx(4.0)
    assert cal.method is CalibrationMethod.IRIS_DIAMETER


def test_it_adds_the_irises_disagreement_to_the_uncertainty() -> None:
    agree = calibrate_from_iris(40.0, 40.0, RUFER)
    disagree = calibrate_from_iris(38.0, 42.0, RUFER)
    assert disagree.relative_uncertainty > agree.relative_uncertainty


def test_it_applies_the_model_contour_correction() -> None:
    corrected = IrisReference(11.71, 0.42, "x", contour_to_visible_ratio=0.9)
    assert calibrate_from_iris(40.0, 40.0, corrected).mm_per_px == pytest.approx(11.71 / 36.0)


def test_it_refuses_irises_that_disagree_too_much() -> None:
    with pytest.raises(CalibrationError, match="apart"):
        calibrate_from_iris(30.0, 40.0, RUFER)


def test_it_converts_a_length_with_scale_and_landmark_uncertainty() -> None:
    cal = calibrate_from_iris(40.0, 40.0, RUFER)
    value, sigma = cal.length_mm(100.0)
    assert value == pytest.approx(100 * 11.71 / 40)
    expected = math.hypot(value * 0.42 / 11.71, math.sqrt(2) * 4.0 * 11.71 / 40)
    assert sigma == pytest.approx(expected)


def test_it_calibrates_from_a_known_distance() -> None:
    cal = calibrate_from_known_distance(250.0, 62.5, sigma_mm=0.5)
    assert cal.mm_per_px == pytest.approx(0.25)
    assert cal.relative_uncertainty == pytest.approx(0.008)
    with pytest.raises(CalibrationError):
        calibrate_from_known_distance(0.0, 62.5)
