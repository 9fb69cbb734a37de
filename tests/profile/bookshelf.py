"""A cluttered backdrop for the synthetic profile: shelves of books of random widths and colours."""

from __future__ import annotations

import numpy as np

from tests.profile.synthetic_profiles import SyntheticProfile


def bookshelf(profile: SyntheticProfile, seed: int) -> np.ndarray:
    """The same head in front of a bookshelf (shelf boards, book spines 18-60 px wide, dark gaps above)."""
    rng = np.random.default_rng(seed)
    h, w = profile.mask.shape
    shelf = np.zeros((h, w, 3), dtype=np.uint8)
    y = 0
    while y < h:
        height = int(rng.integers(180, 300))
        shelf[y : y + 12] = (90, 60, 40)
        x = 0
        while x < w:
            width = int(rng.integers(18, 60))
            top = y + 12 + int(rng.integers(0, 60))
            shelf[top : y + height, x : x + width] = rng.integers(20, 235, 3)
            shelf[y + 12 : top, x : x + width] = (40, 30, 25)
            x += width
        y += height
    return np.where(profile.mask[..., None], profile.rgb, shelf).astype(np.uint8)
