"""Real three-quarter photos for the oblique tests: the development set, read in place (evaluation data, never
copied into the repository), and a lossless re-encoding for photos a test has changed."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.shared_data import shared_path


def png_bytes(rgb: np.ndarray) -> bytes:
    """A lossless copy of an RGB array, so that a test's change to the pixels is all that changes."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def dev_photo(name: str) -> np.ndarray:
    """An RGB photo of ../shared/data/w300_oblique_dev (skips the test when ../shared is absent)."""
    path = shared_path("w300_oblique_dev", f"{name}.jpg")
    return np.asarray(Image.open(path).convert("RGB")).copy()
