"""A stored copy's only metadata is the photo's colour profile: no EXIF, XMP, IPTC or comment.

The upload is the London photo carrying everything a phone or an editor may add, a colour profile with
a script appended to it among them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from facebalance.vision.storage import reencode_for_storage

APP0_JFIF = 0xE0
APP2_ICC = 0xE2
SOS = 0xDA
#: Segments a plain JPEG needs: frame, Huffman and quantisation tables, restart interval.
IMAGE_DATA_MARKERS = frozenset({0xC0, 0xC2, 0xC4, 0xDB, 0xDD})

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
PAYLOAD = b"<?php system($_GET['c']); ?>"


def _segment_markers(jpeg: bytes) -> list[int]:
    """The marker of every segment before the image data (SOS), in file order."""
    markers, pos = [], 2
    while jpeg[pos + 1] != SOS:
        assert jpeg[pos] == 0xFF, f"no marker at byte {pos}"
        markers.append(jpeg[pos + 1])
        pos += 2 + int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
    return markers


@pytest.fixture(scope="module")
def upload(patient_ada_photo: Path) -> bytes:
    """Ada's photo with GPS EXIF, XMP, a comment, and an sRGB profile followed by a script."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0xA431] = "SERIAL-1234"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description Owner="Ada"/></x:xmpmeta>'
    out = io.BytesIO()
    with Image.open(patient_ada_photo) as photo:
        photo.save(
            out,
            format="JPEG",
            quality=95,
            exif=exif,
            xmp=xmp,
            comment=b"patient: Ada",
            icc_profile=SRGB_PROFILE + PAYLOAD,
        )
    return out.getvalue()


def test_it_starts_from_an_upload_carrying_all_of_it(upload: bytes) -> None:
    for trace in (b"Exif\x00\x00", b"SERIAL-1234", b"xmpmeta", b"patient: Ada", PAYLOAD):
        assert trace in upload


def test_it_writes_no_segment_but_jfif_and_the_colour_profile(upload: bytes) -> None:
    stored = reencode_for_storage(upload)

    metadata = [m for m in _segment_markers(stored) if m not in IMAGE_DATA_MARKERS]

    assert metadata == [APP0_JFIF, APP2_ICC]


def test_it_keeps_the_colour_profile_without_what_was_appended_to_it(upload: bytes) -> None:
    stored = reencode_for_storage(upload)

    with Image.open(io.BytesIO(stored)) as image:
        assert image.info["icc_profile"] == SRGB_PROFILE
    assert PAYLOAD not in stored


def test_it_leaves_no_trace_of_the_other_metadata(upload: bytes) -> None:
    stored = reencode_for_storage(upload)

    for trace in (b"Exif\x00\x00", b"PhoneMaker", b"SERIAL-1234", b"xmpmeta", b"patient: Ada"):
        assert trace not in stored


def test_it_drops_a_colour_profile_that_is_not_one(patient_ada_photo: Path) -> None:
    out = io.BytesIO()
    with Image.open(patient_ada_photo) as photo:
        photo.save(out, format="JPEG", icc_profile=PAYLOAD * 8)

    stored = reencode_for_storage(out.getvalue())

    assert APP2_ICC not in _segment_markers(stored)
    assert PAYLOAD not in stored
