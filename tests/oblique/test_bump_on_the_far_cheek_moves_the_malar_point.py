"""A bump of skin painted over the backdrop on the far cheek of a real photo moves the silhouette, the malar
prominence and the ogee convexity where geometry says."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.evaluation.obliques import distance_to_polyline
from facebalance.oblique.analysis import ObliqueAnalysis, analyze_oblique
from facebalance.oblique.points import ObliquePoint as P
from facebalance.profile.geometry import depth_under_chord
from facebalance.vision import FaceLandmarker
from tests.oblique.oblique_photos import png_bytes
from tests.oblique.painted_silhouettes import Painted, paint_on_silhouette

#: The bump: 5 % of the face's length high, 24 % tall, halfway between the lateral canthus and the alar base.
BUMP_HEIGHT = 0.05
BUMP_HALF_HEIGHT = 0.12
#: How close the refined silhouette must come to the painted apex, fraction of the face's length.
OUTLINE_TOLERANCE = 0.004


@pytest.fixture(scope="module")
def bumped(tomas: np.ndarray, tomas_read: ObliqueAnalysis) -> Painted:
    a = tomas_read.assessment
    v_canthus = float(a.frame.to_frame(a.references.lateral_canthus)[1])
    v_alar = float(a.frame.to_frame(a.references.alar_base)[1])
    scale = a.points.scale_px
    return paint_on_silhouette(
        tomas,
        tomas_read,
        centre_v=0.5 * (v_canthus + v_alar),
        half_height_px=BUMP_HALF_HEIGHT * scale,
        height_px=BUMP_HEIGHT * scale,
    )


@pytest.fixture(scope="module")
def bumped_read(bumped: Painted, landmarker: FaceLandmarker) -> ObliqueAnalysis:
    return analyze_oblique(png_bytes(bumped.rgb), landmarker=landmarker)


def test_the_silhouette_follows_the_bump(bumped: Painted, bumped_read: ObliqueAnalysis) -> None:
    a = bumped_read.assessment
    assert distance_to_polyline(bumped.apex_xy[None, :], a.outline.points_px)[0] < OUTLINE_TOLERANCE * a.points.scale_px


def test_the_malar_prominence_moves_to_the_bump(bumped: Painted, bumped_read: ObliqueAnalysis) -> None:
    a = bumped_read.assessment
    # The apex of a half-ellipse is flat along the silhouette: the point lands on its top half.
    assert np.hypot(*(a.points.xy(P.MALAR_PROMINENCE) - bumped.apex_xy)) < 0.5 * bumped.half_height_px


def test_the_ogee_convexity_grows_as_geometry_says(
    bumped: Painted, bumped_read: ObliqueAnalysis, tomas_read: ObliqueAnalysis
) -> None:
    a = bumped_read.assessment
    assert a.calibration is not None
    # The chord's ends (temple, jaw angle) are away from the bump: they stay where they were.
    for p in (P.TEMPLE, P.JAW_ANGLE):
        moved = np.hypot(*(a.points.xy(p) - tomas_read.assessment.points.xy(p)))
        assert moved < 0.01 * a.points.scale_px, p
    chord = (a.points.xy(P.TEMPLE), a.points.xy(P.JAW_ANGLE))
    expected_mm = -float(depth_under_chord(bumped.apex_xy[None, :], *chord)[0]) * a.calibration.mm_per_px
    ogee = a.measurements["ogee_convexity_mm"]
    before = tomas_read.assessment.measurements["ogee_convexity_mm"]
    assert ogee.value is not None and before.value is not None and ogee.uncertainty is not None
    assert abs(ogee.value - expected_mm) < ogee.uncertainty
    assert ogee.value > before.value + 1.0
