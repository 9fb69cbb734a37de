"""Known edits of a frontal photo for the before/after tests: a moved copy and a locally warped copy.

Kept apart from conftest so test modules can import them. Every edit is an exact, known map from the
original photo's pixels to the edited one's, so the tests can say where every point must land.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image


def png_bytes(rgb: np.ndarray) -> bytes:
    """A lossless PNG of an RGB array, so that re-encoding adds no noise of its own."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def similarity_matrix(
    size_px: tuple[int, int], *, scale: float, rotation_deg: float, shift_px: tuple[float, float]
) -> np.ndarray:
    """The 2 x 3 matrix scaling and rotating about the image centre, then shifting (original -> copy)."""
    width, height = size_px
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), rotation_deg, scale)
    matrix[:, 2] += np.asarray(shift_px, dtype=np.float64)
    return matrix


def moved_copy(rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The photo resampled through ``matrix`` on a canvas of the same size (edges replicated)."""
    height, width = rgb.shape[:2]
    return cv2.warpAffine(rgb, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def apply_matrix(matrix: np.ndarray, points_xy: np.ndarray) -> np.ndarray:
    return np.asarray(points_xy, dtype=np.float64) @ matrix[:, :2].T + matrix[:, 2]


class LocalPush:
    """A smooth displacement that pushes the content at ``source`` by ``shift`` (a vector, pixels).

    The displacement at a point ``y`` of the edited image is ``shift * g(y)``, with ``g`` a Gaussian of
    width ``sigma_px`` centred on ``source + shift``; the edited image samples the original at
    ``y - shift * g(y)``, so the content at ``source`` lands exactly at ``source + shift``. The map is
    one-to-one while ``|shift| < sigma_px * sqrt(e)``.
    """

    def __init__(self, source: np.ndarray, shift: np.ndarray, sigma_px: float) -> None:
        self.shift = np.asarray(shift, dtype=np.float64)
        self.centre = np.asarray(source, dtype=np.float64) + self.shift
        self.sigma_px = float(sigma_px)
        if np.hypot(*self.shift) >= self.sigma_px * np.sqrt(np.e):
            raise ValueError("the push is too strong for its width: the map would fold")

    def _weight(self, points_xy: np.ndarray) -> np.ndarray:
        d2 = ((points_xy - self.centre) ** 2).sum(axis=-1, keepdims=True)
        return np.exp(-d2 / (2 * self.sigma_px**2))

    def forward(self, points_xy: np.ndarray) -> np.ndarray:
        """Where original points land in the edited image (fixed-point iteration of the inverse map)."""
        pts = np.atleast_2d(np.asarray(points_xy, dtype=np.float64))
        landed = pts.copy()
        for _ in range(100):
            landed = pts + self.shift * self._weight(landed)
        return landed

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        height, width = rgb.shape[:2]
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
        weight = self._weight(np.stack([xx, yy], axis=-1))[..., 0]
        map_x = (xx - self.shift[0] * weight).astype(np.float32)
        map_y = (yy - self.shift[1] * weight).astype(np.float32)
        return cv2.remap(rgb, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
