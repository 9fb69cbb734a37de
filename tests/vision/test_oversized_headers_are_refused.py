"""A header claiming too many pixels is refused from the raw bytes, before Pillow parses the file.

The PNGs are crafted here: a valid signature and IHDR (with a correct checksum) claiming a huge frame,
a few bytes of image data and an end chunk, so only the declared size is wrong.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from PIL import Image

from facebalance.errors import CorruptImage, ImageInputError, ImageTooLarge
from facebalance.vision import load_image
from facebalance.vision.image_io import MAX_PIXELS, MAX_SIDE_PX


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def _refuse_pillow(*args: object, **kwargs: object) -> Image.Image:
    raise AssertionError("Pillow was asked to open a file whose header should have been refused")


def _assert_explains_itself(error: ImageInputError) -> None:
    """The message says what is wrong and the hint what to do, each as a full sentence."""
    for sentence in (error.message, error.hint):
        assert sentence[:1].isupper() and sentence.endswith("."), repr(sentence)


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (30_000, 30_000),  # both sides and the pixel count over the limits
        (MAX_SIDE_PX + 1, 200),  # a strip: few pixels, one side too long
        (11_000, 11_000),  # sides within the limit, 121 MP over MAX_PIXELS
    ],
)
def test_it_refuses_the_claimed_size_without_opening_the_file(
    width: int, height: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert width > MAX_SIDE_PX or width * height > MAX_PIXELS
    monkeypatch.setattr(Image, "open", _refuse_pillow)

    with pytest.raises(ImageTooLarge) as caught:
        load_image(_png_claiming(width, height))

    assert f"{width}x{height}" in caught.value.message
    _assert_explains_itself(caught.value)


def test_it_calls_a_zero_sized_header_corrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "open", _refuse_pillow)

    with pytest.raises(CorruptImage) as caught:
        load_image(_png_claiming(0, 600))

    _assert_explains_itself(caught.value)
