"""A photo whose EXIF orientation tag says it was taken turned is given to analysis upright.

Pillow's ``ImageOps.exif_transpose`` is the reference for what each tag means; and since the four hopper
files are one photo stored four ways, they must all come out looking the same.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from facebalance.vision import load_image
from tests.shared_data import shared_path

#: Tag of each orientation file (EXIF 2.32: 2 mirrored, 3 upside down, 6 and 8 turned a quarter).
ORIENTATION_FILES: dict[int, str] = {tag: f"pillow_hopper_orientation_{tag}.jpg" for tag in (2, 3, 6, 8)}

#: Mean absolute difference, in 8-bit levels, allowed between two encodings of the same upright photo.
#: The four files measure 0-4 apart; a wrong turn or mirror measures over 60.
JPEG_NOISE_MEAN_LEVELS = 8.0


def _exif_transposed(tag: int) -> np.ndarray:
    with Image.open(shared_path("bad_images", ORIENTATION_FILES[tag])) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


@pytest.mark.parametrize("tag", ORIENTATION_FILES)
def test_it_reports_the_tag_it_applied(tag: int) -> None:
    loaded = load_image(shared_path("bad_images", ORIENTATION_FILES[tag]))

    assert loaded.exif_orientation == tag


@pytest.mark.parametrize("tag", ORIENTATION_FILES)
def test_it_turns_the_pixels_as_pillow_exif_transpose_does(tag: int) -> None:
    loaded = load_image(shared_path("bad_images", ORIENTATION_FILES[tag]))

    np.testing.assert_array_equal(loaded.rgb, _exif_transposed(tag))
    assert loaded.full_size_px == loaded.size_px


@pytest.mark.parametrize("tag", [3, 6, 8])
def test_it_makes_every_orientation_look_like_the_others(tag: int) -> None:
    reference = load_image(shared_path("bad_images", ORIENTATION_FILES[2])).rgb.astype(np.float64)
    upright = load_image(shared_path("bad_images", ORIENTATION_FILES[tag])).rgb.astype(np.float64)

    assert np.abs(upright - reference).mean() < JPEG_NOISE_MEAN_LEVELS


def test_it_would_notice_a_wrong_turn() -> None:
    """The tolerance above is tight enough to tell an unrotated file from an upright one."""
    reference = load_image(shared_path("bad_images", ORIENTATION_FILES[2])).rgb.astype(np.float64)
    with Image.open(shared_path("bad_images", ORIENTATION_FILES[6])) as image:
        stored_as_is = np.asarray(image.convert("RGB"), dtype=np.float64)

    assert np.abs(stored_as_is - reference).mean() > 4 * JPEG_NOISE_MEAN_LEVELS


def test_it_swaps_width_and_height_for_a_quarter_turn(patient_ada_photo: Path) -> None:
    with Image.open(patient_ada_photo) as photo:
        landscape = photo.convert("RGB").resize((300, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = io.BytesIO()
    landscape.save(stored, format="JPEG", exif=exif)

    loaded = load_image(stored.getvalue())

    assert loaded.full_size_px == (200, 300)
    assert loaded.size_px == (200, 300)
    with Image.open(io.BytesIO(stored.getvalue())) as reference:
        np.testing.assert_array_equal(loaded.rgb, np.asarray(ImageOps.exif_transpose(reference).convert("RGB")))


def test_it_ignores_an_orientation_tag_that_is_not_a_number() -> None:
    """The phpinfo polyglot's orientation tag holds a PHP snippet: the photo is taken as upright."""
    path = shared_path("bad_images", "fuzzdb_POC_phpinfo-metadata.jpg")
    with Image.open(path) as image:
        assert isinstance(image.getexif()[0x0112], str)
        stored_as_is = np.asarray(image.convert("RGB"))

    loaded = load_image(path)

    assert loaded.exif_orientation == 1
    np.testing.assert_array_equal(loaded.rgb, stored_as_is)
