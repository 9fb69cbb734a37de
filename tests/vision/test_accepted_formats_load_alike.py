"""The same photo saved as PNG, WebP or HEIC loads like the JPEG it came from.

Each copy is made in the test from Ada's bundled JPEG, decoded by Pillow's JPEG decoder as
``load_image`` does, so the JPEG's own pixels are the reference.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from facebalance.vision import LoadedImage, load_image


class Copy(NamedTuple):
    format: str
    options: dict[str, object]
    #: Mean absolute difference from the JPEG's pixels allowed, in 8-bit levels.
    mean_levels: float


COPIES: tuple[Copy, ...] = (
    Copy("PNG", {}, mean_levels=0.0),
    Copy("WEBP", {"quality": 90}, mean_levels=2.0),
    Copy("HEIF", {"quality": 90}, mean_levels=2.0),
)


@pytest.fixture(scope="module")
def reference(patient_ada_photo: Path) -> LoadedImage:
    return load_image(patient_ada_photo)


def _saved_as(photo: Path, copy: Copy) -> bytes:
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    with Image.open(photo) as image:
        image.save(out, format=copy.format, **copy.options)
    return out.getvalue()


@pytest.mark.parametrize("copy", COPIES, ids=[c.format for c in COPIES])
def test_it_loads_the_copy_with_the_same_size_and_pixels(
    copy: Copy, reference: LoadedImage, patient_ada_photo: Path
) -> None:
    loaded = load_image(_saved_as(patient_ada_photo, copy))

    assert loaded.format == copy.format
    assert loaded.size_px == reference.size_px
    assert loaded.full_size_px == reference.full_size_px
    assert loaded.scale_to_full == reference.scale_to_full == 1.0
    difference = np.abs(loaded.rgb.astype(np.float64) - reference.rgb.astype(np.float64))
    assert difference.mean() <= copy.mean_levels
