"""Placed exactly on the designed points, every profile measurement equals its plain-geometry value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facebalance.anatomy.calibration import Calibration, CalibrationMethod
from facebalance.profile.frame import ProfileFrame
from facebalance.profile.landmarks import LocatedPoint, ProfileLandmarks, ProfilePoint
from facebalance.profile.measurements import MEASUREMENT_IDS, NO_SCALE_REASON, measure_profile
from facebalance.zones.base import Zone
from tests.profile.synthetic_profiles import PROFILE_MM, expected_values

EXACT = 1e-9
#: Construction points of the designed profile: its columella is straight, its forehead tangent touches
#: the glabella, its dorsum tangent the nose tip, and its neck line runs to the designed neck point.
CONSTRUCTION = {
    ProfilePoint.COLUMELLA: "columella_front",
    ProfilePoint.FOREHEAD_TANGENT: "glabella",
    ProfilePoint.DORSUM_TANGENT: "pronasale",
    ProfilePoint.NECK_TANGENT: "neck",
    ProfilePoint.S_CURVE_MIDPOINT: "columella_front",
}
MM = Calibration(1.0, 0.0, CalibrationMethod.KNOWN_DISTANCE, "1 px = 1 mm")


def designed_landmarks(sigma_px: float = 0.0, tilt_deg: float = 0.0) -> ProfileLandmarks:
    """The designed points (1 px = 1 mm), rotated into a head tilted by ``tilt_deg``."""
    frame = ProfileFrame(tilt_deg)
    points = {}
    for p in ProfilePoint:
        name = CONSTRUCTION.get(p, p.value)
        uv = np.array(PROFILE_MM[name])
        points[p] = LocatedPoint(p, frame.to_image(uv), 0, sigma_px, 1.0)
    return ProfileLandmarks(np.zeros((0, 2)), frame, points, 45.0)


@pytest.mark.parametrize("measurement", sorted(expected_values()))
def test_it_equals_the_plain_geometry_value(measurement: str) -> None:
    got = {m.id: m for m in measure_profile(designed_landmarks(), calibration=MM)}[measurement]
    assert got.value == pytest.approx(expected_values()[measurement], abs=EXACT)
    assert got.uncertainty == pytest.approx(0.0, abs=EXACT)
    assert got.zone is Zone.PROFILE


@pytest.mark.parametrize("measurement", sorted(expected_values()))
def test_it_does_not_change_when_the_head_and_its_frame_tilt_together(measurement: str) -> None:
    level = {m.id: m.value for m in measure_profile(designed_landmarks(), calibration=MM)}
    tilted = {m.id: m.value for m in measure_profile(designed_landmarks(tilt_deg=12.0), calibration=MM)}
    assert tilted[measurement] == pytest.approx(level[measurement], abs=1e-6)


def test_it_reports_every_measurement_id_in_order() -> None:
    ids = [m.id for m in measure_profile(designed_landmarks(), calibration=MM)]
    assert tuple(ids) == MEASUREMENT_IDS
    for required in (
        "e_line_upper_lip_mm",
        "e_line_lower_lip_mm",
        "s_line_upper_lip_mm",
        "burstone_upper_lip_mm",
        "nasolabial_angle_deg",
        "nasofrontal_angle_deg",
        "facial_convexity_deg",
        "mentocervical_angle_deg",
        "lower_lip_chin_angle_deg",
        "chin_projection_nasion_perpendicular_mm",
        "goode_ratio",
        "riedel_deviation_mm",
    ):
        assert required in ids


def test_it_leaves_millimetres_unmeasured_without_a_scale_but_measures_angles() -> None:
    by_id = {m.id: m for m in measure_profile(designed_landmarks(), calibration=None)}
    assert by_id["e_line_upper_lip_mm"].value is None and by_id["e_line_upper_lip_mm"].reason == NO_SCALE_REASON
    assert by_id["nasolabial_angle_deg"].value == pytest.approx(expected_values()["nasolabial_angle_deg"])


def test_it_scales_millimetres_and_adds_the_scale_uncertainty() -> None:
    half = Calibration(0.5, 0.04, CalibrationMethod.KNOWN_DISTANCE, "0.5 mm/px ± 4 %")
    got = {m.id: m for m in measure_profile(designed_landmarks(), calibration=half)}["e_line_upper_lip_mm"]
    expected = 0.5 * expected_values()["e_line_upper_lip_mm"]
    assert got.value == pytest.approx(expected)
    assert got.uncertainty == pytest.approx(abs(expected) * 0.04)


def test_it_grows_the_uncertainty_with_the_landmark_noise() -> None:
    quiet = {m.id: m for m in measure_profile(designed_landmarks(0.5), calibration=MM)}
    noisy = {m.id: m for m in measure_profile(designed_landmarks(2.0), calibration=MM)}
    for mid in expected_values():
        assert noisy[mid].uncertainty == pytest.approx(4.0 * (quiet[mid].uncertainty or 0.0), rel=1e-3)
    # A point 1 px off a line, each of three points known to 1 px: about 1 px, not more than sqrt(3).
    assert 0.5 < (quiet["e_line_upper_lip_mm"].uncertainty or 0) * 2 < math.sqrt(3.0)


def test_it_measures_the_goode_ratio_from_a_placed_alar_crease() -> None:
    # N' at the origin, Prn 40 mm down and 24 mm forward; an alar crease straight below N' (a vertical
    # N'-AC line): projection 24 over length sqrt(24^2 + 40^2).
    lm = designed_landmarks()
    lm.points[ProfilePoint.PRONASALE] = LocatedPoint(ProfilePoint.PRONASALE, np.array([24.0, 40.0]), 0, 0.0, 1.0)
    by_id = {m.id: m for m in measure_profile(lm, calibration=MM, alar_crease_xy=np.array([0.0, 50.0]))}
    assert by_id["goode_ratio"].value == pytest.approx(24.0 / math.hypot(24.0, 40.0))
    without = {m.id: m for m in measure_profile(lm, calibration=MM)}["goode_ratio"]
    assert without.value is None and "alar crease" in without.reason
