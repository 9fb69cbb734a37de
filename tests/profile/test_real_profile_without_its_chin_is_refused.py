"""A real profile cropped above the chin is refused, and the refusal says the chin is what is missing."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from facebalance.profile.analysis import analyze_profile
from facebalance.profile.errors import HeadCutOff
from facebalance.profile.facefinder import ProfileFaceDetector
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.real_profiles import annotation, photo

NAME = "053_profile_03"


def test_it_names_the_chin(
    landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> None:
    rgb = np.asarray(Image.open(photo(NAME)).convert("RGB"))
    points = annotation(NAME)
    # Cut just under the lower lip (annotated point 29): the chin is not in the photo.
    bottom = int(points[28, 1] + 0.02 * (points[8, 1] - points[18, 1]))
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb[:bottom])).save(buffer, format="PNG")
    with pytest.raises(HeadCutOff) as err:
        analyze_profile(buffer.getvalue(), landmarker=landmarker, segmenter=segmenter, detector=detector)
    assert "chin is cut off" in err.value.message
    assert "chin" in err.value.hint and "Retake" in err.value.hint
