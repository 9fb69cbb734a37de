"""Storage keeps every pixel: a photo larger than the analysis size is stored at its full resolution."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from facebalance.vision.image_io import ANALYSIS_LONG_SIDE_PX
from facebalance.vision.storage import reencode_for_storage

#: Mean absolute difference, in 8-bit levels, that one JPEG re-encoding at quality 92 may add.
REENCODING_NOISE_MEAN_LEVELS = 3.0


def test_it_stores_a_large_turned_photo_at_full_size_upright(patient_ada_photo: Path) -> None:
    with Image.open(patient_ada_photo) as photo:
        landscape = photo.convert("RGB").resize((2400, 1600))
    assert max(landscape.size) > ANALYSIS_LONG_SIDE_PX
    exif = Image.Exif()
    exif[0x0112] = 6
    upload = io.BytesIO()
    landscape.save(upload, format="JPEG", quality=95, exif=exif)

    stored = reencode_for_storage(upload.getvalue())

    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (1600, 2400)
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    with Image.open(upload) as original:
        reference = np.asarray(ImageOps.exif_transpose(original).convert("RGB"), dtype=np.float64)
    assert np.abs(pixels - reference).mean() < REENCODING_NOISE_MEAN_LEVELS
