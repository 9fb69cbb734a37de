"""A file over MAX_FILE_BYTES is refused, whether it comes as a path, bytes or a stream.

The limit is lowered for the test rather than writing 60 MB to disk.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from facebalance.errors import ImageInputError, ImageTooLarge
from facebalance.vision import image_io, load_image
from facebalance.vision.storage import reencode_for_storage

#: Below the size of Ada's photo (441 kB).
LOWERED_LIMIT_BYTES = 100_000

SOURCES: dict[str, Callable[[Path], object]] = {
    "path": lambda path: path,
    "bytes": lambda path: path.read_bytes(),
    "stream": lambda path: io.BytesIO(path.read_bytes()),
}


def _assert_explains_itself(error: ImageInputError) -> None:
    """The message says what is wrong and the hint what to do, each as a full sentence."""
    for sentence in (error.message, error.hint):
        assert sentence[:1].isupper() and sentence.endswith("."), repr(sentence)


@pytest.mark.parametrize("kind", SOURCES)
def test_it_refuses_a_file_over_the_limit(kind: str, patient_ada_photo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_io, "MAX_FILE_BYTES", LOWERED_LIMIT_BYTES)

    with pytest.raises(ImageTooLarge) as caught:
        load_image(SOURCES[kind](patient_ada_photo))  # type: ignore[arg-type]

    assert "100,000 bytes" in caught.value.message
    _assert_explains_itself(caught.value)


def test_it_refuses_to_store_a_file_over_the_limit(patient_ada_photo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_io, "MAX_FILE_BYTES", LOWERED_LIMIT_BYTES)

    with pytest.raises(ImageTooLarge):
        reencode_for_storage(patient_ada_photo.read_bytes())


def test_it_accepts_the_same_file_under_the_limit(patient_ada_photo: Path) -> None:
    assert patient_ada_photo.stat().st_size <= image_io.MAX_FILE_BYTES

    assert load_image(patient_ada_photo).size_px == (1350, 1350)
