"""Millimetres come from a known distance or from the frontal photo, with their uncertainty."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facebalance.errors import CalibrationError
from facebalance.profile.analysis import ProfileAnalysis
from facebalance.profile.calibration import (
    ScaleMethod,
    scale_from_frontal,
    scale_from_landmark_distance,
    scale_from_points,
)
from facebalance.profile.frame import ProfileFrame
from facebalance.profile.landmarks import LocatedPoint, ProfileLandmarks, ProfilePoint
from facebalance.zones.base import Measurement, Unit, Zone

N, SN, ME = ProfilePoint.SOFT_TISSUE_NASION, ProfilePoint.SUBNASALE, ProfilePoint.MENTON
DEFINITION = {"profile_carry_over_nasion_subnasale_sigma_mm": 0.0, "profile_carry_over_subnasale_menton_sigma_mm": 0.0}


def profile_points(sigma_px: float = 0.0, sn_forward_px: float = 0.0) -> ProfileLandmarks:
    pts = {N: (0.0, 0.0), SN: (sn_forward_px, 200.0), ME: (0.0, 480.0)}
    return ProfileLandmarks(
        np.zeros((0, 2)),
        ProfileFrame(),
        {p: LocatedPoint(p, np.array(xy), 0, sigma_px, 1.0) for p, xy in pts.items()},
        100.0,
    )


def frontal(midface: float | None = 50.0, lower: float | None = 70.0, sigma: float = 1.5) -> dict[str, Measurement]:
    out = {}
    if midface is not None:
        out["midface_height_mm"] = Measurement("midface_height_mm", Zone.MIDFACE, midface, sigma, Unit.MM, "", ())
    if lower is not None:
        out["lower_third_mm"] = Measurement("lower_third_mm", Zone.PROPORTIONS, lower, sigma, Unit.MM, "", ())
    return out


def test_it_matches_a_ruler() -> None:
    s = scale_from_points(np.array([10.0, 10.0]), np.array([10.0, 410.0]), 100.0, sigma_mm=0.5, point_sigma_px=1.0)
    assert s.calibration.mm_per_px == pytest.approx(0.25)
    assert s.calibration.relative_uncertainty == pytest.approx(math.hypot(0.005, math.sqrt(2) / 400))
    assert s.method is ScaleMethod.KNOWN_DISTANCE


def test_it_matches_a_caliper_distance_between_landmarks() -> None:
    s = scale_from_landmark_distance(profile_points(1.0), N, SN, 52.0, sigma_mm=1.0)
    assert s.calibration.mm_per_px == pytest.approx(52.0 / 200.0)
    assert s.calibration.relative_uncertainty == pytest.approx(math.hypot(1 / 52, math.sqrt(2) / 200))
    assert s.method is ScaleMethod.LANDMARK_DISTANCE


def test_it_carries_the_frontal_scale_over_through_two_distances() -> None:
    # 50 mm over 200 px and 70 mm over 280 px: both 0.25 mm/px.
    s = scale_from_frontal(
        profile_points(), frontal(sigma=1.5), frontal_relative_uncertainty=0.03, definition_sigma_mm=DEFINITION
    )
    assert s.calibration.mm_per_px == pytest.approx(0.25)
    assert s.calibration.relative_uncertainty == pytest.approx(0.03)  # only the common iris scale remains
    assert s.method is ScaleMethod.FRONTAL_CARRY_OVER


def test_it_adds_the_definition_and_tilt_uncertainty() -> None:
    base = scale_from_frontal(
        profile_points(),
        frontal(lower=None),
        frontal_relative_uncertainty=0.03,
        definition_sigma_mm=DEFINITION,
        tilt_sigma_deg=5.0,
    )
    defined = scale_from_frontal(
        profile_points(),
        frontal(lower=None),
        frontal_relative_uncertainty=0.03,
        definition_sigma_mm={"profile_carry_over_nasion_subnasale_sigma_mm": 2.0},
    )
    tilted = scale_from_frontal(
        profile_points(sn_forward_px=40.0),
        frontal(lower=None),
        frontal_relative_uncertainty=0.03,
        definition_sigma_mm=DEFINITION,
        tilt_sigma_deg=5.0,
    )
    assert defined.calibration.relative_uncertainty == pytest.approx(math.hypot(0.03, 2.0 / 50.0))
    tilt_rel = 40.0 * math.sin(math.radians(5.0)) / 200.0
    assert tilted.calibration.relative_uncertainty == pytest.approx(math.hypot(0.03, tilt_rel))
    assert base.calibration.relative_uncertainty < tilted.calibration.relative_uncertainty


def test_it_inflates_the_uncertainty_when_the_distances_disagree() -> None:
    agree = scale_from_frontal(
        profile_points(1.0), frontal(50.0, 70.0), frontal_relative_uncertainty=0.0, definition_sigma_mm=DEFINITION
    )
    disagree = scale_from_frontal(
        profile_points(1.0), frontal(50.0, 84.0), frontal_relative_uncertainty=0.0, definition_sigma_mm=DEFINITION
    )
    assert disagree.calibration.relative_uncertainty > 3 * agree.calibration.relative_uncertainty


def test_it_refuses_a_frontal_analysis_without_shared_distances() -> None:
    with pytest.raises(CalibrationError, match="share no measured distance"):
        scale_from_frontal(profile_points(), {}, frontal_relative_uncertainty=0.03, definition_sigma_mm=DEFINITION)


def test_it_uses_a_ruler_given_in_photo_pixels(dana_right: ProfileAnalysis, dana_left: ProfileAnalysis) -> None:
    for result in (dana_right, dana_left):
        scale = result.assessment.scale
        assert scale is not None and scale.method is ScaleMethod.KNOWN_DISTANCE
        assert scale.calibration.mm_per_px == pytest.approx(1 / 6.0, rel=1e-6)
