"""detect_view tells a frontal photo from a left or right profile, so `analyze` can pick the path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from facebalance.profile import detect_view
from facebalance.profile.analysis import facing_from_mask
from facebalance.profile.segmentation import PersonSegmenter
from facebalance.vision import FaceLandmarker
from tests.profile.synthetic_profiles import ColourKeySegmenter, SyntheticProfile


def test_it_calls_a_studio_frontal_photo_frontal(
    patient_chloe_photo: Path, landmarker: FaceLandmarker, segmenter: PersonSegmenter
) -> None:
    rgb = np.asarray(Image.open(patient_chloe_photo).convert("RGB"))
    assert detect_view(rgb, landmarker=landmarker, segmenter=segmenter) == "frontal"


def test_it_names_the_side_of_a_profile(
    dana: SyntheticProfile, dana_mirrored: SyntheticProfile, landmarker: FaceLandmarker
) -> None:
    assert detect_view(dana.rgb, landmarker=landmarker, segmenter=ColourKeySegmenter()) == "profile_right"
    assert detect_view(dana_mirrored.rgb, landmarker=landmarker, segmenter=ColourKeySegmenter()) == "profile_left"


def test_it_does_not_guess_on_an_empty_photo(landmarker: FaceLandmarker, segmenter: PersonSegmenter) -> None:
    assert detect_view(np.full((800, 600, 3), 128, np.uint8), landmarker=landmarker, segmenter=segmenter) == "unknown"


def test_it_reads_the_face_side_of_a_silhouette(dana: SyntheticProfile) -> None:
    facing, score = facing_from_mask(dana.mask)
    assert facing == "right" and score > 0.5
    assert facing_from_mask(np.ascontiguousarray(dana.mask[:, ::-1]))[0] == "left"
    # An egg-shaped blob has no nose, lips or chin on either side.
    yy, xx = np.mgrid[:400, :300]
    blob = ((xx - 150) / 100.0) ** 2 + ((yy - 180) / 150.0) ** 2 <= 1.0
    blob[300:] |= (xx[300:] > 90) & (xx[300:] < 210)
    assert facing_from_mask(blob)[0] is None
