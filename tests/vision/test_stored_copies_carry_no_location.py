"""Stored copies of photos with GPS EXIF carry no location, and no EXIF at all.

The two Pillow files are 8x8 and 10x10 pixels: too small to measure, but storage has no minimum size.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from facebalance.vision.storage import reencode_for_storage
from tests.shared_data import shared_path

GPS_IFD = 0x8825
GPS_FILES: tuple[str, ...] = ("pillow_exif_gps.jpg", "pillow_empty_gps_ifd.jpg")


def test_it_starts_from_a_file_with_a_gps_position() -> None:
    with Image.open(shared_path("bad_images", "pillow_exif_gps.jpg")) as upload:
        assert upload.getexif().get_ifd(GPS_IFD)


@pytest.mark.parametrize("name", GPS_FILES)
def test_it_stores_a_copy_without_gps_or_any_exif(name: str) -> None:
    upload = shared_path("bad_images", name).read_bytes()

    stored = reencode_for_storage(upload)

    with Image.open(io.BytesIO(stored)) as image:
        assert image.getexif().get_ifd(GPS_IFD) == {}
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
    assert b"Exif\x00\x00" not in stored


@pytest.mark.parametrize("name", GPS_FILES)
def test_it_keeps_photos_too_small_for_analysis(name: str) -> None:
    with Image.open(shared_path("bad_images", name)) as upload:
        size = upload.size

    stored = reencode_for_storage(shared_path("bad_images", name).read_bytes())

    with Image.open(io.BytesIO(stored)) as image:
        # Square, so a quarter turn from pillow_empty_gps_ifd.jpg's orientation tag keeps the size.
        assert image.size == size
