"""A photo with transparency is flattened onto white, the backdrop of a clinical photo, not black."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from facebalance.vision import load_image


def test_it_paints_transparent_pixels_white() -> None:
    rgba = np.zeros((200, 300, 4), dtype=np.uint8)
    rgba[:, :150] = (200, 40, 40, 255)  # opaque red on the left, fully transparent black on the right
    out = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(out, format="PNG")

    loaded = load_image(out.getvalue())

    assert (loaded.rgb[:, :150] == (200, 40, 40)).all()
    assert (loaded.rgb[:, 150:] == 255).all()
