"""The same photo at half and at twice its size gives the same millimetres (within their uncertainty) and the
same silhouette: every distance of the oblique path is a fraction of the face, and the scale is the iris."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facebalance.evaluation.obliques import distance_to_polyline
from facebalance.oblique.analysis import ObliqueAnalysis, analyze_oblique
from facebalance.vision import FaceLandmarker
from facebalance.zones.base import Unit
from tests.oblique.oblique_photos import png_bytes

#: The silhouettes of the rescaled photos may differ by this fraction of the face's length (median).
OUTLINE_TOLERANCE = 0.003


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_it_measures_the_same_millimetres(
    factor: float, maria: np.ndarray, maria_read: ObliqueAnalysis, landmarker: FaceLandmarker
) -> None:
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(maria, None, fx=factor, fy=factor, interpolation=interpolation)
    rescaled = analyze_oblique(png_bytes(resized), landmarker=landmarker)
    original = maria_read.assessment.measurements
    measured_in_mm = 0
    for mid, m in rescaled.assessment.measurements.items():
        before = original[mid]
        assert (m.value is None) == (before.value is None), mid
        if m.value is None or before.value is None:
            continue
        sigma = max(m.uncertainty or 0.0, before.uncertainty or 0.0)
        assert abs(m.value - before.value) <= sigma, (mid, before.value, m.value, sigma)
        measured_in_mm += m.unit is Unit.MM
    assert measured_in_mm >= 4
    # The silhouette itself, in pixels of the original photo.
    outline = rescaled.to_original_px(rescaled.assessment.outline.points_px) / factor
    reference = maria_read.to_original_px(maria_read.assessment.outline.points_px)
    scale = maria_read.assessment.points.scale_px * maria_read.image.scale_to_full
    assert np.median(distance_to_polyline(outline[::5], reference)) / scale < OUTLINE_TOLERANCE
