"""A stored copy has its pixels turned upright and carries no orientation tag, so every viewer agrees."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from facebalance.vision.storage import reencode_for_storage
from tests.shared_data import shared_path

ORIENTATION_TAG = 0x0112
ORIENTATION_FILES: dict[int, str] = {tag: f"pillow_hopper_orientation_{tag}.jpg" for tag in (2, 3, 6, 8)}

#: Mean absolute difference, in 8-bit levels, that one JPEG re-encoding at quality 92 may add.
REENCODING_NOISE_MEAN_LEVELS = 3.0


@pytest.mark.parametrize("tag", ORIENTATION_FILES)
def test_it_stores_the_pixels_upright(tag: int) -> None:
    path = shared_path("bad_images", ORIENTATION_FILES[tag])
    with Image.open(path) as upload:
        assert upload.getexif()[ORIENTATION_TAG] == tag
        reference = np.asarray(ImageOps.exif_transpose(upload).convert("RGB"), dtype=np.float64)

    stored = reencode_for_storage(path.read_bytes())

    with Image.open(io.BytesIO(stored)) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    assert pixels.shape == reference.shape
    assert np.abs(pixels - reference).mean() < REENCODING_NOISE_MEAN_LEVELS


@pytest.mark.parametrize("tag", ORIENTATION_FILES)
def test_it_removes_the_orientation_tag(tag: int) -> None:
    stored = reencode_for_storage(shared_path("bad_images", ORIENTATION_FILES[tag]).read_bytes())

    with Image.open(io.BytesIO(stored)) as image:
        assert ORIENTATION_TAG not in image.getexif()
