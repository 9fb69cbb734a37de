"""An image/script polyglot is stored only as a re-encoded image, with no trace of its script.

``fuzzdb_POC_phpinfo-metadata.jpg`` is a real JPEG whose EXIF fields all hold ``<?php phpinfo(); ?>``;
a server that ever handed the upload to PHP would run it.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from facebalance.vision import load_image
from facebalance.vision.storage import reencode_for_storage
from tests.shared_data import shared_path

POLYGLOT = "fuzzdb_POC_phpinfo-metadata.jpg"
SCRIPT = b"<?php phpinfo(); ?>"

#: Mean absolute difference, in 8-bit levels, that one JPEG re-encoding at quality 92 may add.
REENCODING_NOISE_MEAN_LEVELS = 3.0


def test_it_is_a_polyglot_to_begin_with() -> None:
    assert SCRIPT in shared_path("bad_images", POLYGLOT).read_bytes()


def test_it_stores_no_trace_of_the_script() -> None:
    stored = reencode_for_storage(shared_path("bad_images", POLYGLOT).read_bytes())

    # Long enough that compressed image data cannot contain them by chance.
    assert SCRIPT not in stored
    assert b"phpinfo" not in stored


def test_it_stores_the_same_picture_as_a_plain_jpeg() -> None:
    upload = shared_path("bad_images", POLYGLOT).read_bytes()

    stored = reencode_for_storage(upload)

    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert "exif" not in image.info
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    original = load_image(upload).rgb.astype(np.float64)
    assert pixels.shape == original.shape
    assert np.abs(pixels - original).mean() < REENCODING_NOISE_MEAN_LEVELS
