"""A real profile photo and its mirror image give the same reading, mirrored, exactly."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from facebalance.profile.analysis import ProfileAnalysis, analyze_profile
from facebalance.profile.facefinder import ProfileFaceDetector
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.real_profiles import photo

#: Every model sees the photo in the canonical orientation (a left profile mirrored), so the two readings
#: differ by floating-point rounding only.
MIRROR_TOLERANCE = 1e-3
NAME = "240_profile_03"


def analysed(rgb: np.ndarray, models: tuple[FaceLandmarker, PersonSegmenter, ProfileFaceDetector]) -> ProfileAnalysis:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    landmarker, segmenter, detector = models
    return analyze_profile(buffer.getvalue(), landmarker=landmarker, segmenter=segmenter, detector=detector)


@pytest.fixture(scope="module")
def both(
    landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> tuple[ProfileAnalysis, ProfileAnalysis]:
    rgb = np.asarray(Image.open(photo(NAME)).convert("RGB"))
    models = (landmarker, segmenter, detector)
    return analysed(rgb, models), analysed(np.ascontiguousarray(rgb[:, ::-1]), models)


def test_it_names_the_other_side(both: tuple[ProfileAnalysis, ProfileAnalysis]) -> None:
    original, mirrored = both
    assert {original.view, mirrored.view} == {"profile_left", "profile_right"}


def test_it_puts_every_point_at_the_mirrored_place(both: tuple[ProfileAnalysis, ProfileAnalysis]) -> None:
    original, mirrored = both
    width = original.image.full_size_px[0]
    a, b = original.assessment.landmarks, mirrored.assessment.landmarks
    assert a.points.keys() == b.points.keys()
    for p in a.points:
        xa = original.to_original_px(a.xy(p))[0]
        xb = mirrored.to_original_px(b.xy(p))[0]
        assert xb[0] == pytest.approx(width - 1 - xa[0], abs=MIRROR_TOLERANCE), p.value
        assert xb[1] == pytest.approx(xa[1], abs=MIRROR_TOLERANCE), p.value


def test_it_gives_identical_measurements(both: tuple[ProfileAnalysis, ProfileAnalysis]) -> None:
    original, mirrored = both
    a, b = original.assessment.measurements, mirrored.assessment.measurements
    for mid in a:
        if a[mid].value is None:
            assert b[mid].value is None, mid
            continue
        assert b[mid].value == pytest.approx(a[mid].value, abs=MIRROR_TOLERANCE), mid
        assert b[mid].uncertainty == pytest.approx(a[mid].uncertainty, abs=MIRROR_TOLERANCE), mid
