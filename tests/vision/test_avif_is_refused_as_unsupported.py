"""AVIF shares HEIC's container but not its codec: it is refused as a format, not called corrupt."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, features

from facebalance.errors import UnsupportedImageFormat
from facebalance.vision import load_image


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow cannot write AVIF")
def test_it_refuses_an_avif_photo_naming_its_format(patient_ada_photo: Path) -> None:
    out = io.BytesIO()
    with Image.open(patient_ada_photo) as photo:
        photo.reduce(4).save(out, format="AVIF")

    with pytest.raises(UnsupportedImageFormat, match="AVIF"):
        load_image(out.getvalue())
