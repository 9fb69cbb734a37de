"""A head turned less than 90 degrees foreshortens the profile; the yaw correction gives back its measurements."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facebalance.anatomy.calibration import Calibration, CalibrationMethod
from facebalance.profile.contour import outline_from_mask, refine_outline
from facebalance.profile.frame import ProfileFrame
from facebalance.profile.landmarks import LocatedPoint, ProfileLandmarks, ProfilePoint, locate_landmarks
from facebalance.profile.measurements import measure_profile
from facebalance.profile.yaw import YawEstimate
from tests.profile.synthetic_profiles import PROFILE_MM, coarse_mask, expected_values, render_profile

TURN_DEG = 70.0
PX_PER_MM = 6.0
#: Measured on a rendered photo of the turned head: as the studio known-answer test (0.5 mm, 2.5 deg).
DISTANCE_TOLERANCE_MM = 0.5
ANGLE_TOLERANCE_DEG = 2.5
#: Measurements that need only the designed points (not the menton or cervical tangents).
CHECKED = (
    "e_line_upper_lip_mm",
    "e_line_lower_lip_mm",
    "burstone_upper_lip_mm",
    "burstone_lower_lip_mm",
    "nasolabial_angle_deg",
    "facial_convexity_deg",
)


def turned(profile: dict[str, tuple[float, float]], yaw_deg: float) -> dict[str, tuple[float, float]]:
    """The midsagittal profile seen with the head turned ``yaw_deg``: anterior distances times sin(yaw)."""
    k = math.sin(math.radians(yaw_deg))
    return {name: (x * k, y) for name, (x, y) in profile.items()}


def exact_landmarks(profile: dict[str, tuple[float, float]]) -> ProfileLandmarks:
    points = {
        p: LocatedPoint(p, np.array(profile[p.value]) * PX_PER_MM, 0, 0.0, 1.0)
        for p in ProfilePoint
        if p.value in profile
    }
    points[ProfilePoint.COLUMELLA] = LocatedPoint(
        ProfilePoint.COLUMELLA, np.array(profile["columella_front"]) * PX_PER_MM, 0, 0.0, 1.0
    )
    return ProfileLandmarks(np.zeros((0, 2)), ProfileFrame(), points, 45.0 * PX_PER_MM)


SCALE = Calibration(1.0 / PX_PER_MM, 0.0, CalibrationMethod.KNOWN_DISTANCE, "synthetic scale")


def measured(landmarks: ProfileLandmarks, yaw: YawEstimate | None) -> dict[str, tuple[float, float]]:
    return {
        m.id: (m.value, m.uncertainty)
        for m in measure_profile(landmarks, calibration=SCALE, yaw=yaw)
        if m.value is not None and m.uncertainty is not None
    }


def test_it_gives_back_the_unturned_values_exactly() -> None:
    got = measured(exact_landmarks(turned(PROFILE_MM, TURN_DEG)), YawEstimate(TURN_DEG, 0.0, "known"))
    expected = expected_values()
    for mid in CHECKED:
        assert got[mid][0] == pytest.approx(expected[mid], abs=1e-9), mid


def test_without_it_the_lips_read_foreshortened_by_the_sine_of_the_yaw() -> None:
    # The lip lines (E-line, Sn-Pog') are close to vertical: distances to them scale with sin(yaw) to
    # within the lines' own tilt.
    got = measured(exact_landmarks(turned(PROFILE_MM, TURN_DEG)), None)
    expected = expected_values()
    for mid in ("e_line_upper_lip_mm", "e_line_lower_lip_mm", "burstone_upper_lip_mm", "burstone_lower_lip_mm"):
        assert got[mid][0] / expected[mid] == pytest.approx(math.sin(math.radians(TURN_DEG)), rel=0.02), mid


def test_its_uncertainty_grows_with_the_yaw_uncertainty() -> None:
    lm = exact_landmarks(turned(PROFILE_MM, TURN_DEG))
    known = measured(lm, YawEstimate(TURN_DEG, 0.0, "known"))
    rough = measured(lm, YawEstimate(TURN_DEG, 8.0, "rough"))
    rougher = measured(lm, YawEstimate(TURN_DEG, 15.0, "rougher"))
    for mid in CHECKED:
        assert known[mid][1] == pytest.approx(0.0, abs=1e-9), mid
        assert 0.0 < rough[mid][1] < rougher[mid][1], mid
        # One sigma of yaw moves the value by about the added uncertainty (the larger side, 62 deg).
        at_62 = measured(lm, YawEstimate(TURN_DEG - 8.0, 0.0, "62"))[mid][0]
        assert rough[mid][1] == pytest.approx(abs(at_62 - rough[mid][0]), rel=1e-6), mid


def test_a_true_profile_is_not_changed() -> None:
    lm = exact_landmarks(PROFILE_MM)
    plain = measured(lm, None)
    at_90 = measured(lm, YawEstimate(90.0, 5.0, "protocol"))
    for mid in CHECKED:
        assert at_90[mid][0] == pytest.approx(plain[mid][0], abs=1e-9), mid
        assert at_90[mid][1] >= plain[mid][1], mid


def test_it_restores_the_measurements_of_a_rendered_turned_head() -> None:
    photo = render_profile(profile=turned(PROFILE_MM, TURN_DEG), px_per_mm=PX_PER_MM)
    mask = coarse_mask(photo.mask, 8)
    run = outline_from_mask(mask >= 0.5, scale=photo.rgb.shape[1] / mask.shape[1])
    outline = refine_outline(photo.rgb, run, search_px=12.0)
    lm = locate_landmarks(outline.points_px, noise_px=outline.noise_px)
    got = {m.id: m.value for m in measure_profile(lm, calibration=SCALE, yaw=YawEstimate(TURN_DEG, 0.0, "known"))}
    expected = expected_values()
    for mid in CHECKED:
        tolerance = DISTANCE_TOLERANCE_MM if mid.endswith("_mm") else ANGLE_TOLERANCE_DEG
        assert got[mid] == pytest.approx(expected[mid], abs=tolerance), mid
