"""The searched outline is scale-free: the same photo at half and double size gives the same millimetres."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facebalance.profile.analysis import ProfileAnalysis, analyze_profile
from facebalance.profile.calibration import RulerDistance
from facebalance.vision import FaceLandmarker
from tests.profile.bookshelf import bookshelf
from tests.profile.synthetic_profiles import FixedMaskSegmenter, SyntheticProfile, png_bytes

#: As the known-answer tests' distance tolerance: at half size the face is 690 px tall from nasion to chin.
SAME_MM = 0.5


def at_size(profile: SyntheticProfile, factor: float, landmarker: FaceLandmarker) -> ProfileAnalysis:
    photo = bookshelf(profile, 3)
    if factor != 1.0:
        interpolation = cv2.INTER_AREA if factor < 1.0 else cv2.INTER_CUBIC
        photo = cv2.resize(photo, None, fx=factor, fy=factor, interpolation=interpolation)
    mask = cv2.resize(profile.mask.astype(np.uint8), (photo.shape[1], photo.shape[0]), interpolation=cv2.INTER_NEAREST)
    # The same 60 mm ruler, drawn at the photo's size.
    ruler = RulerDistance((100.0 * factor, 100.0 * factor), (100.0 * factor, 460.0 * factor), 60.0, 0.1)
    return analyze_profile(
        png_bytes(photo),
        landmarker=landmarker,
        segmenter=FixedMaskSegmenter(mask.astype(bool)),
        facing="right",
        scale=ruler,
    )


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_it_gives_the_same_millimetres(factor: float, dana: SyntheticProfile, landmarker: FaceLandmarker) -> None:
    reference = at_size(dana, 1.0, landmarker)
    other = at_size(dana, factor, landmarker)
    assert reference.method.startswith("edge search") and other.method.startswith("edge search")
    compared = 0
    for mid, m in reference.assessment.measurements.items():
        if not mid.endswith("_mm") or m.value is None:
            continue
        got = other.assessment.measurements[mid].value
        assert got is not None, mid
        assert got == pytest.approx(m.value, abs=SAME_MM), mid
        compared += 1
    assert compared >= 7
