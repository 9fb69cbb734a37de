"""The marker's scale is brought from its own depth to the irises' plane (perspective: scale ~ 1 / depth),
with the depth read from the face mesh on the face and assumed off it, and its uncertainty grows with it."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.anatomy.calibration import CalibrationMethod, Ruler, calibrate_from_marker, depth_behind_point_px
from facebalance.anatomy.landmarks import FACE_OVAL, Landmark


def test_a_marker_in_the_irises_plane_keeps_its_scale() -> None:
    cal = calibrate_from_marker(
        5.0,
        0.004,
        depth_behind_mm=0.0,
        depth_sigma_mm=0.0,
        camera_distance_mm=800.0,
        camera_distance_sd_mm=0.0,
        detail="x",
    )
    assert cal.mm_per_px == pytest.approx(0.2)
    assert cal.relative_uncertainty == pytest.approx(0.004)
    assert (cal.method, cal.ruler) == (CalibrationMethod.MARKER, Ruler.MARKER)


def test_irises_behind_the_marker_are_smaller_by_the_ratio_of_distances() -> None:
    """600 mm to a forehead marker, irises 15 mm behind: 600/615 of the marker's scale."""
    cal = calibrate_from_marker(
        10.0,
        0.0,
        depth_behind_mm=15.0,
        depth_sigma_mm=0.0,
        camera_distance_mm=600.0,
        camera_distance_sd_mm=0.0,
        detail="x",
    )
    assert 1.0 / cal.mm_per_px == pytest.approx(10.0 * 600.0 / 615.0)


def test_an_uncertain_depth_or_distance_adds_to_the_uncertainty() -> None:
    def rel(depth_sd: float, distance_sd: float) -> float:
        return calibrate_from_marker(
            10.0,
            0.003,
            depth_behind_mm=15.0,
            depth_sigma_mm=depth_sd,
            camera_distance_mm=600.0,
            camera_distance_sd_mm=distance_sd,
            detail="x",
        ).relative_uncertainty

    assert rel(0.0, 0.0) == pytest.approx(0.003)
    assert rel(4.5, 0.0) == pytest.approx(np.hypot(0.003, 4.5 / 615.0))
    assert rel(0.0, 300.0) > rel(0.0, 0.0)


def _face(forehead_depth: float) -> np.ndarray:
    """A flat oval face 200 px wide, the pupils at depth 0, a forehead patch at the given depth."""
    pts = np.zeros((478, 3))
    angles = np.linspace(0, 2 * np.pi, len(FACE_OVAL), endpoint=False)
    pts[list(FACE_OVAL), 0] = 300 + 100 * np.sin(angles)
    pts[list(FACE_OVAL), 1] = 300 - 130 * np.cos(angles)
    rng = np.random.default_rng(0)
    inner = [i for i in range(478) if i not in FACE_OVAL]
    pts[inner, 0] = rng.uniform(240, 360, len(inner))
    pts[inner, 1] = rng.uniform(200, 400, len(inner))
    pts[inner, 2] = np.where(pts[inner, 1] < 250, forehead_depth, 0.0)
    pts[Landmark.PUPIL_RIGHT] = (270, 290, 0.0)
    pts[Landmark.PUPIL_LEFT] = (330, 290, 0.0)
    return pts


def test_the_depth_under_a_forehead_marker_comes_from_the_mesh() -> None:
    assert depth_behind_point_px(_face(-40.0), (300.0, 220.0)) == pytest.approx(40.0, abs=1.0)


def test_a_marker_beside_the_face_has_no_surface_depth() -> None:
    assert depth_behind_point_px(_face(-40.0), (80.0, 300.0)) is None
