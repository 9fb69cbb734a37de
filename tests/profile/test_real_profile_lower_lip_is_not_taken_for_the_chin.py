"""On a tight crop whose outline ends under the chin, the chin's prominence is not taken for the lower lip (a
"chin" with no prominence of its own just under it gives the lips back to the features above)."""

from __future__ import annotations

from facebalance.evaluation.profile_photos import EVALUATED
from facebalance.profile.analysis import analyze_profile
from facebalance.profile.facefinder import ProfileFaceDetector
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.real_profiles import errors_over_face, photo

#: A tightly cropped profile read without the face mesh; the lips were read one feature low (labrale
#: superius 0.13 and inferius 0.22 of the face from the annotation) before.
NAME = "005_profile_03"
#: Every evaluated point within this fraction of the annotated nasion-to-chin length.
TOLERANCE = 0.04


def test_it_reads_the_lips_above_the_chin(
    landmarker: FaceLandmarker, segmenter: PersonSegmenter, detector: ProfileFaceDetector
) -> None:
    result = analyze_profile(photo(NAME), landmarker=landmarker, segmenter=segmenter, detector=detector)
    assert "face mesh" not in result.method
    lm = result.assessment.landmarks
    located = {p: result.to_original_px(lm.xy(p))[0] for p in EVALUATED if p in lm.points}
    errors = errors_over_face(NAME, located)
    assert set(errors) == set(EVALUATED)
    assert max(errors.values()) < TOLERANCE, {p.value: round(e, 3) for p, e in errors.items()}
