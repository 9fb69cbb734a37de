"""On real photos of a head turned short of 90 degrees, where the face mesh holds, the subnasal and lip points
are placed on the face's midline (the annotators' points), not on the silhouette in front of it or on the
wrong feature: open mouths, a laugh with the head thrown back, a three-quarter turn."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.evaluation.profile_photos import EVALUATED
from facebalance.profile.analysis import ProfileAnalysis, analyze_profile
from facebalance.profile.facefinder import ProfileFaceDetector
from facebalance.profile.landmarks import ProfilePoint
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.real_profiles import errors_over_face, photo

#: Colour photos where the mesh holds and the silhouette reading took another feature for a lip (errors of
#: 0.25-0.43 of the face before the midline prior): a wide-open mouth (077_profile_04), a laugh with the head
#: thrown back (041_profile_02), a turn near three-quarter (203_profile_02), a lower lip taken at the chin
#: (005_profile_04).
PHOTOS = ("005_profile_04", "041_profile_02", "077_profile_04", "203_profile_02")
#: Every evaluated point within this fraction of the annotated nasion-to-chin length (the issue's aim is a
#: median of 0.03; about 5 mm on an adult face).
TOLERANCE = 0.04
#: The points the midline prior places.
ON_MIDLINE = (ProfilePoint.SUBNASALE, ProfilePoint.LABRALE_SUPERIUS, ProfilePoint.LABRALE_INFERIUS)


def analysed(
    name: str, landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> ProfileAnalysis:
    return analyze_profile(photo(name), landmarker=landmarker, segmenter=segmenter, detector=detector)


@pytest.mark.parametrize("name", PHOTOS)
def test_it_places_the_lips_near_the_annotation(
    name: str, landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> None:
    result = analysed(name, landmarker, segmenter, detector)
    assert result.method == "edge search (face mesh)"
    lm = result.assessment.landmarks
    for p in ON_MIDLINE:
        assert lm.points[p].method.startswith("midline prior"), p.value
    located = {p: result.to_original_px(lm.xy(p))[0] for p in EVALUATED if p in lm.points}
    errors = errors_over_face(name, located)
    assert set(errors) == set(EVALUATED)
    assert max(errors.values()) < TOLERANCE, {p.value: round(e, 3) for p, e in errors.items()}


def test_the_lips_lie_behind_the_silhouette(
    landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> None:
    # On a turned head the midline lies behind the silhouette: the placed lip points are inside the outline's
    # front, not on it.
    result = analysed("077_profile_04", landmarker, segmenter, detector)
    lm = result.assessment.landmarks
    for p in (ProfilePoint.LABRALE_SUPERIUS, ProfilePoint.LABRALE_INFERIUS):
        xy = lm.xy(p)
        near = lm.outline[np.abs(lm.outline[:, 1] - xy[1]) <= 2.0]
        assert near.size and xy[0] < float(near[:, 0].max()), p.value
