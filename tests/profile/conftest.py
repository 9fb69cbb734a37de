"""Fixtures for the profile tests: a synthetic lateral photo with a known profile, analysed once per side."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from facebalance.profile.analysis import ProfileAnalysis, analyze_profile
from facebalance.profile.calibration import RulerDistance
from facebalance.profile.facefinder import ProfileFaceDetector
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.synthetic_profiles import ColourKeySegmenter, SyntheticProfile, mirrored, png_bytes, render_profile

#: A 60 mm ruler drawn vertically in the photo, at the synthetic scale (6 px/mm).
RULER_60MM = RulerDistance((100.0, 100.0), (100.0, 460.0), 60.0, 0.1)


@pytest.fixture(scope="session")
def segmenter() -> Iterator[PersonSegmenter]:
    with PersonSegmenter() as s:
        yield s


@pytest.fixture(scope="session")
def dana() -> SyntheticProfile:
    """Dana: a synthetic right profile (nose to the image right) with designed landmarks, 6 px/mm."""
    return render_profile()


@pytest.fixture(scope="session")
def dana_mirrored(dana: SyntheticProfile) -> SyntheticProfile:
    """Dana photographed from her left side (nose to the image left)."""
    return mirrored(dana)


@pytest.fixture(scope="session")
def dana_right(dana: SyntheticProfile, landmarker: FaceLandmarker) -> ProfileAnalysis:
    return analyze_profile(
        png_bytes(dana.rgb), sex="female", scale=RULER_60MM, landmarker=landmarker, segmenter=ColourKeySegmenter()
    )


@pytest.fixture(scope="session")
def dana_left(dana_mirrored: SyntheticProfile, landmarker: FaceLandmarker) -> ProfileAnalysis:
    w = dana_mirrored.rgb.shape[1]
    ruler = RulerDistance((w - 1 - 100.0, 100.0), (w - 1 - 100.0, 460.0), 60.0, 0.1)
    return analyze_profile(
        png_bytes(dana_mirrored.rgb), sex="female", scale=ruler, landmarker=landmarker, segmenter=ColourKeySegmenter()
    )


@pytest.fixture(scope="session")
def detector() -> Iterator[ProfileFaceDetector]:
    with ProfileFaceDetector() as d:
        yield d
