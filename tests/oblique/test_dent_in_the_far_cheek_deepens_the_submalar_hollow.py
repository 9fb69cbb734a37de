"""A dent of backdrop painted into the far cheek of a real photo, between the malar prominence and the jaw
angle, deepens the submalar hollow where and as much as geometry says: the deepest point, behind the malar
prominence - jaw angle chord, of the silhouette before with the dent added."""

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

#: The dent: 3 % of the face's length deep, 16 % tall.
DENT_DEPTH = 0.03
DENT_HALF_HEIGHT = 0.08


@pytest.fixture(scope="module")
def dented(tomas: np.ndarray, tomas_read: ObliqueAnalysis) -> Painted:
    a = tomas_read.assessment
    v_malar = float(a.frame.to_frame(a.points.xy(P.MALAR_PROMINENCE))[1])
    v_jaw = float(a.frame.to_frame(a.points.xy(P.JAW_ANGLE))[1])
    scale = a.points.scale_px
    return paint_on_silhouette(
        tomas,
        tomas_read,
        centre_v=0.5 * (v_malar + v_jaw),
        half_height_px=DENT_HALF_HEIGHT * scale,
        height_px=-DENT_DEPTH * scale,
    )


@pytest.fixture(scope="module")
def dented_read(dented: Painted, landmarker: FaceLandmarker) -> ObliqueAnalysis:
    return analyze_oblique(png_bytes(dented.rgb), landmarker=landmarker)


def _expected_hollow(dented: Painted, read: ObliqueAnalysis) -> tuple[np.ndarray, float]:
    """The deepest point behind the read chord of the silhouette geometry predicts, and its depth (px)."""
    a = read.assessment
    chord = (a.points.xy(P.MALAR_PROMINENCE), a.points.xy(P.JAW_ANGLE))
    uv = a.frame.to_frame(dented.expected_outline_px)
    v_lo, v_hi = (float(a.frame.to_frame(c)[1]) for c in chord)
    between = (uv[:, 1] > v_lo) & (uv[:, 1] < v_hi)
    depth = depth_under_chord(dented.expected_outline_px[between], *chord)
    i = int(np.argmax(depth))
    return dented.expected_outline_px[between][i], float(depth[i])


def test_the_silhouette_follows_the_dent(dented: Painted, dented_read: ObliqueAnalysis) -> None:
    a = dented_read.assessment
    assert distance_to_polyline(dented.apex_xy[None, :], a.outline.points_px)[0] < 0.004 * a.points.scale_px


def test_the_submalar_hollow_is_where_geometry_says(dented: Painted, dented_read: ObliqueAnalysis) -> None:
    a = dented_read.assessment
    expected_xy, _ = _expected_hollow(dented, dented_read)
    hollow = a.points.points[P.SUBMALAR_HOLLOW]
    # Along the silhouette a hollow is only as sharp as its depth profile: within its own sigma along it.
    assert np.hypot(*(hollow.xy - expected_xy)) < max(2.0 * hollow.sigma_along_px, 0.01 * a.points.scale_px)


def test_the_submalar_depth_is_the_dent_behind_its_chord(
    dented: Painted, dented_read: ObliqueAnalysis, tomas_read: ObliqueAnalysis
) -> None:
    a = dented_read.assessment
    assert a.calibration is not None
    _, expected_px = _expected_hollow(dented, dented_read)
    depth = a.measurements["submalar_depth_mm"]
    before = tomas_read.assessment.measurements["submalar_depth_mm"]
    assert depth.value is not None and depth.uncertainty is not None and before.value is not None
    assert abs(depth.value - expected_px * a.calibration.mm_per_px) < depth.uncertainty
    assert depth.value > before.value + 1.0
