"""Photos the profile path cannot read are refused with a message saying what to fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facebalance.errors import FacebalanceError, FaceCutOff, NoFaceFound, PoseOutOfRange
from facebalance.profile.analysis import analyze_profile
from facebalance.profile.errors import BusyBackdrop, HeadCutOff, NoPersonFound, NotAProfileView
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.synthetic_profiles import ColourKeySegmenter, FixedMaskSegmenter, SyntheticProfile, png_bytes


def busy(profile: SyntheticProfile) -> np.ndarray:
    """The same head in front of a bookshelf-like pattern of random blocks."""
    rng = np.random.default_rng(3)
    h, w = profile.mask.shape
    pattern = np.repeat(np.repeat(rng.integers(0, 255, (h // 12 + 1, w // 12 + 1, 3)), 12, axis=0), 12, axis=1)
    backdrop = pattern[:h, :w].astype(np.uint8)
    return np.where(profile.mask[..., None], profile.rgb, backdrop).astype(np.uint8)


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


def test_it_refuses_a_busy_backdrop(dana: SyntheticProfile, landmarker: FaceLandmarker) -> None:
    # The stand-in model finds the head; what is wrong is the backdrop behind it.
    with pytest.raises(BusyBackdrop) as err:
        analyze_profile(
            png_bytes(busy(dana)), landmarker=landmarker, segmenter=FixedMaskSegmenter(dana.mask), facing="right"
        )
    assert "plain" in err.value.hint


@pytest.mark.parametrize(
    ("crop", "where"),
    [
        ((slice(560, None), slice(None)), "top of the head"),
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
    for cls in (NotAProfileView, NoPersonFound, BusyBackdrop, HeadCutOff):
        assert issubclass(cls, FacebalanceError) and cls.code
