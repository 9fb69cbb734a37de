"""A photo whose top cuts through the forehead is read: only the nose, lips and chin must be in it."""

from __future__ import annotations

import numpy as np

from facebalance.profile.analysis import ProfileAnalysis, analyze_profile
from facebalance.profile.landmarks import ProfilePoint
from facebalance.vision import FaceLandmarker
from tests.profile.synthetic_profiles import ColourKeySegmenter, SyntheticProfile, png_bytes

#: The crop runs through the forehead 45 mm above the nasion (the crown is 110 mm above it).
CROP_TOP_PX = 560
#: The cropped photo gives the uncropped photo's points within this (mm).
SAME_PLACE_MM = 0.6
POINTS = (
    ProfilePoint.SOFT_TISSUE_NASION,
    ProfilePoint.PRONASALE,
    ProfilePoint.SUBNASALE,
    ProfilePoint.LABRALE_SUPERIUS,
    ProfilePoint.LABRALE_INFERIUS,
    ProfilePoint.SOFT_TISSUE_POGONION,
    ProfilePoint.MENTON,
)


def test_it_reads_the_same_points_as_the_whole_photo(
    dana: SyntheticProfile, dana_right: ProfileAnalysis, landmarker: FaceLandmarker
) -> None:
    cropped = np.ascontiguousarray(dana.rgb[CROP_TOP_PX:])
    result = analyze_profile(png_bytes(cropped), landmarker=landmarker, segmenter=ColourKeySegmenter())
    assert result.view == "profile_right"
    whole = dana_right.assessment.landmarks
    part = result.assessment.landmarks
    for p in POINTS:
        moved_mm = np.hypot(*(part.xy(p) + np.array([0.0, CROP_TOP_PX]) - whole.xy(p))) / dana.px_per_mm
        assert moved_mm < SAME_PLACE_MM, p.value
