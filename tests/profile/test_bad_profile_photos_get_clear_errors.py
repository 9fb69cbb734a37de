"""Photos the profile path cannot read are refused with a message saying what to fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facebalance.errors import FacebalanceError, FaceCutOff, NoFaceFound, PoseOutOfRange
from facebalance.profile.analysis import analyze_profile
from facebalance.profile.errors import HeadCutOff, NoPersonFound, NotAProfileView
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.synthetic_profiles import ColourKeySegmenter, SyntheticProfile, png_bytes


def test_it_refuses_a_frontal_photo(
    patient_ada_photo: Path, landmarker: FaceLandmarker, segmenter: PersonSegmenter
) -> None:
    with pytest.raises(NotAProfileView) as err:
        analyze_profile(patient_ada_photo, landmarker=landmarker, segmenter=segmenter)
    assert isinstance(err.value, PoseOutOfRange)  # boundaries that know the frontal errors handle it too
    assert "frontal view" in err.value.message and "facebalance analyze" in err.value.hint


def test_it_refuses_a_photo_without_a_person(landmarker: FaceLandmarker, segmenter: PersonSegmenter) -> None:
    blank = np.full((1200, 900, 3), (150, 160, 170), dtype=np.uint8)
    with pytest.raises(NoPersonFound) as err:
        analyze_profile(png_bytes(blank), landmarker=landmarker, segmenter=segmenter)
    assert isinstance(err.value, NoFaceFound) and "plain backdrop" in err.value.hint


@pytest.mark.parametrize(
    ("crop", "where"),
    [
        # Through the nose, above its tip: its root is not in the photo (a crop above the nasion is read).
        ((slice(1000, None), slice(None)), "nose is cut off"),
        ((slice(None), slice(None, 1220)), "face is cut off"),
        ((slice(None, 1380), slice(None)), "chin is cut off"),
    ],
)
def test_it_refuses_a_head_cut_off_by_the_frame(
    crop: tuple[slice, slice], where: str, dana: SyntheticProfile, landmarker: FaceLandmarker
) -> None:
    cut = dana.rgb[crop]
    with pytest.raises(HeadCutOff) as err:
        analyze_profile(
            png_bytes(np.ascontiguousarray(cut)), landmarker=landmarker, segmenter=ColourKeySegmenter(), facing="right"
        )
    assert isinstance(err.value, FaceCutOff)
    assert where in err.value.message and "Retake" in err.value.hint


def test_every_refusal_is_a_facebalance_error() -> None:
    for cls in (NotAProfileView, NoPersonFound, HeadCutOff):
        assert issubclass(cls, FacebalanceError) and cls.code
