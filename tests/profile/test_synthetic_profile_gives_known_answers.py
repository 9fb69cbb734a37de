"""A synthetic profile of known geometry gives its designed landmarks, E-line distances and angles."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facebalance.anatomy.calibration import Calibration, CalibrationMethod
from facebalance.profile.analysis import ProfileAnalysis
from facebalance.profile.contour import TracedOutline, outline_from_mask, refine_outline
from facebalance.profile.landmarks import ProfileLandmarks, ProfilePoint, locate_landmarks
from facebalance.profile.measurements import measure_profile
from tests.profile.synthetic_profiles import SyntheticProfile, coarse_mask, expected_values

#: The drawn head has sharp polyline corners; the landmark step smooths the outline by about 0.5 mm, which
#: moves a corner's extremum by up to about 0.4 mm along the outline. Hence these tolerances.
LANDMARK_TOLERANCE_MM = 0.6
DISTANCE_TOLERANCE_MM = 0.5
ANGLE_TOLERANCE_DEG = 2.5
#: Angles whose arms are short (the lower lip-chin angle: about 13 mm arms) move more with the corners.
SHORT_ARM_ANGLE_TOLERANCE_DEG = 4.0
#: Menton is a tangent point (first tangent within 15 deg of horizontal): it lies on the chin's curve
#: just behind the drawn corner.
MENTON_TOLERANCE_MM = 1.2

SHORT_ARMS = {"lower_lip_chin_angle_deg"}
Traced = tuple[TracedOutline, ProfileLandmarks]
#: A refined point lies within this of the drawn edge (boundary pixels are whole pixels; the photo is blurred).
REFINED_EDGE_TOLERANCE_PX = 1.5


@pytest.fixture(scope="module")
def dana_landmarks(dana: SyntheticProfile) -> tuple[TracedOutline, ProfileLandmarks]:
    """The contour step (a blocky mask refined on the photo) and the landmark step, without any model."""
    mask = coarse_mask(dana.mask, 8)
    run = outline_from_mask(mask >= 0.5, scale=dana.rgb.shape[1] / mask.shape[1])
    outline = refine_outline(dana.rgb, run, search_px=12.0)
    return outline, locate_landmarks(outline.points_px, noise_px=outline.noise_px)


def test_it_refines_a_blocky_mask_onto_the_drawn_edge(dana: SyntheticProfile, dana_landmarks: Traced) -> None:
    outline, _ = dana_landmarks
    assert outline.edge_found_fraction > 0.95
    # Distance of each refined point from the drawn silhouette's boundary pixels.
    mask = dana.mask.astype(np.uint8)
    boundary = mask - cv2.erode(mask, np.ones((3, 3), np.uint8))
    distance = cv2.distanceTransform((1 - boundary).astype(np.uint8), cv2.DIST_L2, 5)
    pts = np.clip(np.round(outline.points_px).astype(int), 0, [mask.shape[1] - 1, mask.shape[0] - 1])
    off = distance[pts[:, 1], pts[:, 0]]
    assert np.median(off) <= 1.0
    assert (off <= REFINED_EDGE_TOLERANCE_PX).mean() > 0.95


@pytest.mark.parametrize(
    "point",
    [
        p
        for p in ProfilePoint
        if p.value
        in (
            "glabella",
            "soft_tissue_nasion",
            "pronasale",
            "subnasale",
            "labrale_superius",
            "stomion",
            "labrale_inferius",
            "labiomental_fold",
            "soft_tissue_pogonion",
            "menton",
            "cervical_point",
        )
    ],
)
def test_it_locates_each_designed_landmark(dana: SyntheticProfile, dana_landmarks: Traced, point: ProfilePoint) -> None:
    _, lm = dana_landmarks
    tolerance = MENTON_TOLERANCE_MM if point is ProfilePoint.MENTON else LANDMARK_TOLERANCE_MM
    error_mm = float(np.hypot(*(lm.xy(point) - dana.landmarks_px[point.value]))) / dana.px_per_mm
    assert error_mm < tolerance, f"{point.value} is {error_mm:.2f} mm from its designed position"


@pytest.mark.parametrize("measurement", sorted(expected_values()))
def test_it_measures_the_designed_value(dana: SyntheticProfile, dana_landmarks: Traced, measurement: str) -> None:
    _, lm = dana_landmarks
    cal = Calibration(1.0 / dana.px_per_mm, 0.0, CalibrationMethod.KNOWN_DISTANCE, "synthetic scale")
    got = {m.id: m for m in measure_profile(lm, calibration=cal)}[measurement]
    expected = expected_values()[measurement]
    assert got.value is not None
    if measurement.endswith("_mm"):
        tolerance = DISTANCE_TOLERANCE_MM
    else:
        tolerance = SHORT_ARM_ANGLE_TOLERANCE_DEG if measurement in SHORT_ARMS else ANGLE_TOLERANCE_DEG
    assert got.value == pytest.approx(expected, abs=tolerance)


def test_it_gives_the_e_line_distances_through_the_whole_photo_path(dana_right: ProfileAnalysis) -> None:
    m = dana_right.assessment.measurements
    expected = expected_values()
    assert m["e_line_upper_lip_mm"].value == pytest.approx(expected["e_line_upper_lip_mm"], abs=DISTANCE_TOLERANCE_MM)
    assert m["e_line_lower_lip_mm"].value == pytest.approx(expected["e_line_lower_lip_mm"], abs=DISTANCE_TOLERANCE_MM)
    assert dana_right.view == "profile_right"
