"""The vendored Face Landmarker model is checked against its recorded sha256 before it is used."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from facebalance.errors import ModelIntegrityError
from facebalance.vision.models import FACE_LANDMARKER, read_verified


def _packaged_bytes() -> bytes:
    return resources.files("facebalance.vision.models").joinpath(FACE_LANDMARKER.filename).read_bytes()


def test_it_passes_the_packaged_file() -> None:
    data = read_verified(FACE_LANDMARKER)

    assert data == _packaged_bytes()
    assert hashlib.sha256(data).hexdigest() == FACE_LANDMARKER.sha256


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_it_refuses_a_file_with_one_byte_flipped_naming_it(where: str) -> None:
    tampered = bytearray(_packaged_bytes())
    index = {"first": 0, "middle": len(tampered) // 2, "last": len(tampered) - 1}[where]
    tampered[index] ^= 0xFF

    with pytest.raises(ModelIntegrityError) as caught:
        read_verified(FACE_LANDMARKER, bytes(tampered))

    assert FACE_LANDMARKER.filename in caught.value.message
    assert caught.value.hint


def test_it_refuses_a_truncated_file() -> None:
    with pytest.raises(ModelIntegrityError, match=FACE_LANDMARKER.filename):
        read_verified(FACE_LANDMARKER, _packaged_bytes()[:-1])
