"""The landmark step is scale-free: the same profile at another size or place gives the same points."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.profile.geometry import resample_polyline
from facebalance.profile.landmarks import CLINICAL_POINTS, ProfileLandmarks, locate_landmarks
from tests.profile.synthetic_profiles import PROFILE_MM

#: Positions agree within this (mm at the designed scale): the smoothing and the outline's sampling
#: scale with S, and the remaining difference is the sampling grid's phase, well under the 1 mm a clinician
#: can place these points to.
SAME_PLACE_MM = 0.25


def designed_outline(px_per_mm: float, offset: tuple[float, float]) -> np.ndarray:
    pts = np.array(list(PROFILE_MM.values())) * px_per_mm + np.array(offset)
    return resample_polyline(pts, 0.5)


def located(px_per_mm: float, offset: tuple[float, float]) -> ProfileLandmarks:
    return locate_landmarks(designed_outline(px_per_mm, offset), noise_px=0.3)


@pytest.mark.parametrize(("px_per_mm", "offset"), [(3.0, (0.0, 0.0)), (12.0, (500.0, -200.0))])
def test_it_finds_the_same_points_at_any_size(px_per_mm: float, offset: tuple[float, float]) -> None:
    reference = located(6.0, (0.0, 0.0))
    other = located(px_per_mm, offset)
    for p in CLINICAL_POINTS:
        a = (reference.xy(p)) / 6.0
        b = (other.xy(p) - np.array(offset)) / px_per_mm
        assert np.hypot(*(a - b)) < SAME_PLACE_MM, p.value
    assert other.scale_px / px_per_mm == pytest.approx(reference.scale_px / 6.0, rel=0.01)
