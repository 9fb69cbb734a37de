"""A real profile photo read at half size gives the same points relative to the face (the mesh prior, the
vermilion border and the landmark step are scale-free)."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from facebalance.evaluation.profile_photos import EVALUATED, nasion_chin_px
from facebalance.profile.analysis import ProfileAnalysis, analyze_profile
from facebalance.profile.facefinder import ProfileFaceDetector
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.real_profiles import annotation, photo

#: A colour photo where the face mesh holds (the midline prior's path), large enough that at half size the
#: face is still 250 px long from nasion to chin.
NAME = "041_profile_02"
#: Each point at half size within this fraction of the nasion-to-chin length of where it is at full size
#: (about 4 px at half size: resampling, and the face mesh's vertices moving a pixel or two between sizes).
SAME_PLACE = 0.015


def read(rgb: np.ndarray, models: tuple[FaceLandmarker, PersonSegmenter, ProfileFaceDetector]) -> ProfileAnalysis:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    landmarker, segmenter, detector = models
    return analyze_profile(buffer.getvalue(), landmarker=landmarker, segmenter=segmenter, detector=detector)


def test_it_puts_the_points_at_the_same_relative_place(
    landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> None:
    rgb = np.asarray(Image.open(photo(NAME)).convert("RGB"))
    half = cv2.resize(rgb, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    models = (landmarker, segmenter, detector)
    full, small = read(rgb, models), read(half, models)
    assert full.view == small.view
    face = nasion_chin_px(annotation(NAME))
    for p in EVALUATED:
        a = full.to_original_px(full.assessment.landmarks.xy(p))[0]
        # Half-size pixel centres mapped back to the full photo.
        b = (small.to_original_px(small.assessment.landmarks.xy(p))[0] + 0.5) * 2.0 - 0.5
        assert float(np.hypot(*(a - b))) / face == pytest.approx(0.0, abs=SAME_PLACE), p.value
