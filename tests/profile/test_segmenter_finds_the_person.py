"""The vendored selfie model finds a person on a real photo, nothing on an empty backdrop, and is verified."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facebalance.errors import ModelIntegrityError
from facebalance.profile.segmentation import SELFIE_SEGMENTATION, PersonSegmenter
from facebalance.vision.models import read_verified


def test_it_finds_the_person_on_a_studio_photo(patient_ben_photo: Path, segmenter: PersonSegmenter) -> None:
    rgb = np.asarray(Image.open(patient_ben_photo).convert("RGB"))
    person = segmenter.segment(rgb)
    mask = person.confidence >= 0.5
    assert 0.2 < mask.mean() < 0.8
    # The face's centre (mid-photo) is person, the top corners are backdrop.
    h, w = mask.shape
    assert mask[h // 2, w // 2] and not mask[5, 5] and not mask[5, w - 6]
    assert person.scale == pytest.approx(rgb.shape[1] / mask.shape[1])


def test_it_finds_nobody_on_an_empty_backdrop(segmenter: PersonSegmenter) -> None:
    person = segmenter.segment(np.full((900, 700, 3), 170, dtype=np.uint8))
    assert (person.confidence >= 0.5).mean() == 0.0


def test_it_refuses_a_tampered_model_file() -> None:
    with pytest.raises(ModelIntegrityError, match="damaged or was replaced"):
        read_verified(SELFIE_SEGMENTATION, data=b"not the model")
    assert read_verified(SELFIE_SEGMENTATION)[:4] != b""


def test_it_must_be_opened_before_use() -> None:
    with pytest.raises(RuntimeError, match="not open"):
        PersonSegmenter().segment(np.zeros((10, 10, 3), dtype=np.uint8))
