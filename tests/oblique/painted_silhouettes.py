"""Paint a change into the far-side silhouette of a real photo: a bump of skin over the backdrop, or a dent of
backdrop into the cheek, of a designed shape, so that geometry says where the silhouette must move."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from facebalance.oblique.analysis import ObliqueAnalysis


@dataclass(frozen=True)
class Painted:
    """A photo with a painted change: where its apex is, and the silhouette geometry says the photo now has (the
    refined silhouette before, with the change added), in canonical pixels (the photo as taken for a right
    oblique). ``centre_v`` and the half height are in the head frame of the analysis painted on."""

    rgb: np.ndarray
    apex_xy: np.ndarray
    centre_v: float
    half_height_px: float
    expected_outline_px: np.ndarray


def _colour(rgb: np.ndarray, xy: np.ndarray) -> np.ndarray:
    ij = np.round(xy).astype(int)
    ij[:, 0] = np.clip(ij[:, 0], 0, rgb.shape[1] - 1)
    ij[:, 1] = np.clip(ij[:, 1], 0, rgb.shape[0] - 1)
    return np.median(rgb[ij[:, 1], ij[:, 0]], axis=0)


def paint_on_silhouette(
    rgb: np.ndarray, analysis: ObliqueAnalysis, *, centre_v: float, half_height_px: float, height_px: float
) -> Painted:
    """Push the silhouette outward (``height_px`` > 0, skin painted over the backdrop) or inward (< 0, backdrop
    painted over the cheek) by a half-ellipse along the head's horizontal, centred at height ``centre_v``.

    The photo must be a right oblique (its canonical image is the photo as taken).
    """
    assert analysis.view == "oblique_right"
    a = analysis.assessment
    frame = a.frame
    uv = frame.to_frame(a.outline.points_px)
    near = np.abs(uv[:, 1] - centre_v) < half_height_px
    stretch = uv[near]
    t = (stretch[:, 1] - centre_v) / half_height_px
    moved = stretch.copy()
    moved[:, 0] += height_px * np.sqrt(np.clip(1.0 - t**2, 0.0, 1.0))
    polygon = np.concatenate([frame.to_image(moved), frame.to_image(stretch)[::-1]])
    scale = a.points.scale_px
    if height_px > 0:  # skin from a band well inside the cheek
        colour = _colour(rgb, frame.to_image(stretch - np.array([0.05 * scale, 0.0])))
    else:  # backdrop from a band well outside
        colour = _colour(rgb, frame.to_image(stretch + np.array([0.05 * scale, 0.0])))
    mask = np.zeros(rgb.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(polygon * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    alpha = (mask.astype(np.float64) / 255.0)[..., None]
    painted = (rgb * (1.0 - alpha) + colour * alpha).round().astype(np.uint8)
    i = int(np.argmin(np.abs(uv[:, 1] - centre_v)))
    apex = np.array([uv[i, 0] + height_px, uv[i, 1]])
    expected = uv.copy()
    expected[near] = moved
    return Painted(painted, frame.to_image(apex), centre_v, half_height_px, frame.to_image(expected))
