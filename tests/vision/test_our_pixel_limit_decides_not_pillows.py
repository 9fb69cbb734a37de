"""Our own pixel limit decides what is too large; Pillow's decompression-bomb warning does not.

Pillow warns from 89 MP, below MAX_PIXELS (a 100 MP medium-format frame is accepted). Pillow's threshold
is lowered here so that Ada's 1.8 MP photo is in the band where Pillow would only warn.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from PIL import Image

from facebalance.vision import load_image


def test_it_loads_a_photo_pillow_would_warn_about_without_a_warning(
    patient_ada_photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_image(patient_ada_photo)

    assert loaded.size_px == (1350, 1350)
