"""Storage runs the analysis checks: whatever analysis refuses, storage refuses with the same error.

The one exception is the minimum size, a rule of measurement (see
test_stored_copies_carry_no_location.py).
"""

from __future__ import annotations

import pytest

from facebalance.errors import ImageInputError
from facebalance.vision import load_image
from facebalance.vision.storage import reencode_for_storage
from tests.shared_data import shared_path

REFUSED_FILES: tuple[str, ...] = (
    "fuzzdb_lottapixel.jpg",
    "fuzzdb_POC_img_phpinfo-CR.gif",
    "pillow_decompression_bomb.gif",
    "pillow_decompression_bomb_extents.gif",
    "pillow_crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif",
    "pillow_hopper_naxis_zero.fits",
    "fuzzdb_eicar.com.txt",
    "fuzzdb_invalid-filenames-linux.txt",
    "fuzzdb_invalid-filenames-microsoft.txt",
    "pillow_broken.png",
    "pillow_broken_data_stream.png",
    "truncated_half_001_03.jpg",
)


@pytest.mark.parametrize("name", REFUSED_FILES)
def test_it_refuses_the_file_as_analysis_does(name: str) -> None:
    data = shared_path("bad_images", name).read_bytes()
    with pytest.raises(ImageInputError) as by_analysis:
        load_image(data)

    with pytest.raises(ImageInputError) as by_storage:
        reencode_for_storage(data)

    assert type(by_storage.value) is type(by_analysis.value)
    assert by_storage.value.message == by_analysis.value.message


def test_it_refuses_an_empty_upload() -> None:
    with pytest.raises(ImageInputError) as caught:
        reencode_for_storage(b"")

    assert caught.value.code == "not_an_image"


def test_it_refuses_a_quality_jpeg_does_not_have() -> None:
    with pytest.raises(ValueError, match="quality"):
        reencode_for_storage(b"", quality=0)
