"""Every malformed, hostile or foreign file in ../shared/data/bad_images is refused with the right error.

The table says, for each file, which error analysis must raise and whether Pillow may be reached at all:
formats a clinic never produces and headers claiming too many pixels are refused from the raw bytes,
before any Pillow plugin parses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from PIL import Image

from facebalance.errors import (
    CorruptImage,
    ImageInputError,
    ImageTooLarge,
    ImageTooSmall,
    NotAnImage,
    UnsupportedImageFormat,
)
from facebalance.vision import load_image
from tests.shared_data import shared_path


class Refusal(NamedTuple):
    name: str
    error: type[ImageInputError]
    pillow_reached: bool


REFUSALS: tuple[Refusal, ...] = (
    Refusal("fuzzdb_lottapixel.jpg", ImageTooLarge, pillow_reached=False),
    Refusal("fuzzdb_POC_img_phpinfo-CR.gif", UnsupportedImageFormat, pillow_reached=False),
    Refusal("pillow_decompression_bomb.gif", UnsupportedImageFormat, pillow_reached=False),
    Refusal("pillow_decompression_bomb_extents.gif", UnsupportedImageFormat, pillow_reached=False),
    Refusal(
        "pillow_crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif",
        UnsupportedImageFormat,
        pillow_reached=False,
    ),
    Refusal("pillow_hopper_naxis_zero.fits", UnsupportedImageFormat, pillow_reached=False),
    Refusal("fuzzdb_eicar.com.txt", NotAnImage, pillow_reached=False),
    Refusal("fuzzdb_invalid-filenames-linux.txt", NotAnImage, pillow_reached=False),
    Refusal("fuzzdb_invalid-filenames-microsoft.txt", NotAnImage, pillow_reached=False),
    # PNG chunk checksums are verified before Pillow opens the file.
    Refusal("pillow_broken.png", CorruptImage, pillow_reached=False),
    Refusal("pillow_broken_data_stream.png", CorruptImage, pillow_reached=False),
    # Truncation only shows when the JPEG decoder runs out of data.
    Refusal("truncated_half_001_03.jpg", CorruptImage, pillow_reached=True),
    # Too small to measure; storage keeps them (test_stored_copies_carry_no_location.py).
    Refusal("pillow_exif_gps.jpg", ImageTooSmall, pillow_reached=True),
    Refusal("pillow_empty_gps_ifd.jpg", ImageTooSmall, pillow_reached=True),
)

#: Files of the folder that analysis accepts, and the test that says what must happen to them.
ACCEPTED_ELSEWHERE: dict[str, str] = {
    "fuzzdb_POC_phpinfo-metadata.jpg": "test_stored_copies_carry_no_script.py",
    "pillow_hopper_orientation_2.jpg": "test_exif_orientation_is_applied.py",
    "pillow_hopper_orientation_3.jpg": "test_exif_orientation_is_applied.py",
    "pillow_hopper_orientation_6.jpg": "test_exif_orientation_is_applied.py",
    "pillow_hopper_orientation_8.jpg": "test_exif_orientation_is_applied.py",
}


def _refuse_pillow(*args: object, **kwargs: object) -> Image.Image:
    raise AssertionError("Pillow was asked to open a file that should have been refused from its bytes")


def _assert_explains_itself(error: ImageInputError) -> None:
    """The message says what is wrong and the hint what to do, each as a full sentence."""
    for sentence in (error.message, error.hint):
        assert sentence[:1].isupper() and sentence.endswith("."), repr(sentence)


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.name for r in REFUSALS])
def test_it_refuses_the_file_with_its_expected_error(refusal: Refusal, monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared_path("bad_images", refusal.name)
    if not refusal.pillow_reached:
        monkeypatch.setattr(Image, "open", _refuse_pillow)

    with pytest.raises(ImageInputError) as caught:
        load_image(path)

    assert type(caught.value) is refusal.error
    _assert_explains_itself(caught.value)


def test_it_has_an_expectation_for_every_file_in_the_folder() -> None:
    folder: Path = shared_path("bad_images")
    files = {p.name for p in folder.iterdir() if p.name != "README.md"}

    assert files == {r.name for r in REFUSALS} | ACCEPTED_ELSEWHERE.keys()
