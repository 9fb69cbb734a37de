"""A source with no photo in it (empty, a folder, a missing path) is refused saying what it is."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from facebalance.errors import ImageInputError, NotAnImage
from facebalance.vision import load_image


def _assert_explains_itself(error: ImageInputError) -> None:
    """The message says what is wrong and the hint what to do, each as a full sentence."""
    for sentence in (error.message, error.hint):
        assert sentence[:1].isupper() and sentence.endswith("."), repr(sentence)


def test_it_refuses_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "photo.jpg"
    empty.write_bytes(b"")

    with pytest.raises(NotAnImage, match="empty") as caught:
        load_image(empty)

    _assert_explains_itself(caught.value)


@pytest.mark.parametrize("source", [b"", io.BytesIO(b"")], ids=["bytes", "stream"])
def test_it_refuses_empty_bytes(source: bytes | io.BytesIO) -> None:
    with pytest.raises(NotAnImage, match="empty"):
        load_image(source)


def test_it_refuses_a_folder_naming_it(tmp_path: Path) -> None:
    with pytest.raises(NotAnImage) as caught:
        load_image(tmp_path)

    assert str(tmp_path) in caught.value.message
    assert "folder" in caught.value.message
    _assert_explains_itself(caught.value)


def test_it_refuses_a_missing_path_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_photo.jpg"

    with pytest.raises(NotAnImage) as caught:
        load_image(str(missing))

    assert str(missing) in caught.value.message
    _assert_explains_itself(caught.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_it_refuses_a_named_pipe_without_reading_it(tmp_path: Path) -> None:
    pipe = tmp_path / "photo.jpg"
    os.mkfifo(pipe)

    with pytest.raises(NotAnImage, match="not a regular file") as caught:
        load_image(pipe)

    _assert_explains_itself(caught.value)
