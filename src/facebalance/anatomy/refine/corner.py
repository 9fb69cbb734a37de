"""The end of a dark region: where a dark line (the oral fissure, the lid margins) stops.

A corner of the mouth or of the eye is where a dark crease ends: the oral fissure's shadow at the
cheilion, the meeting lid margins at the medial canthus. Around the mesh's estimate a square of the
photo's lightness (head frame, mirror-symmetric grid) is smoothed; the dark region is the set of pixels
darker than a fixed fraction of the way from the darkest pixel to the square's median, connected to the
darkest pixel; its end is its extreme point in the wanted direction (lateral for the mouth, medial for
the eye). A region that runs out of the square, or too faint a contrast, is not a corner: the caller
keeps the mesh's point.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from facebalance.anatomy.refine.sampling import FaceImage, symmetric_offsets

#: Half-size of the searched square around the mesh's estimate, visible-iris diameters.
REACH_IRIS = 0.3
#: Grid spacing, iris diameters (half a pixel at 38 px per iris).
GRID_STEP_IRIS = 1 / 76
#: Gaussian smoothing of the lightness before the region is grown, iris diameters.
SMOOTHING_IRIS = 0.02
#: A pixel is dark when it is darker than this fraction of the way from the darkest pixel to the median.
DARK_FRACTION = 0.4
#: The height of the end is the darkness-weighted mean of the region's pixels this close to it (iris diameters).
END_BAND_IRIS = 0.05
#: Smallest contrast (median minus darkest, L*) for a dark region to be read.
MIN_CONTRAST_L = 6.0


@dataclass(frozen=True)
class DarkEnd:
    """Where a dark region ends, head frame, or why it was not read."""

    xy: np.ndarray | None
    contrast: float
    reason: str = ""


def dark_region_end(
    image: FaceImage, centre_xy: np.ndarray, depth_px: float, direction: float, *, iris_diameter_px: float
) -> DarkEnd:
    """The end of the dark region around ``centre_xy`` in head-frame x direction ``direction`` (+1 or -1).

    Parameters
    ----------
    image : FaceImage
    centre_xy : ndarray of shape (2,)
        The mesh's estimate of the corner, head frame.
    depth_px : float
        Head-frame depth of the corner (the mesh vertex's).
    direction : float
        +1: the end toward the patient's left (head-frame +x); -1: toward the patient's right.
    iris_diameter_px : float
        Visible iris diameter, the unit of every distance.
    """
    d = iris_diameter_px
    offsets = symmetric_offsets(REACH_IRIS * d, GRID_STEP_IRIS * d)
    gx, gy = np.meshgrid(centre_xy[0] + offsets, centre_xy[1] + offsets)
    lightness = image.lab_at(np.stack([gx, gy], axis=-1), depth_px)[..., 0]
    spacing = float(offsets[1] - offsets[0])
    smooth = cv2.GaussianBlur(lightness, (0, 0), SMOOTHING_IRIS * d / spacing, borderType=cv2.BORDER_REFLECT)
    darkest = np.unravel_index(int(np.argmin(smooth)), smooth.shape)
    low, median = float(smooth[darkest]), float(np.median(smooth))
    contrast = median - low
    if contrast < MIN_CONTRAST_L:
        return DarkEnd(None, contrast, "too faint")
    level = low + DARK_FRACTION * contrast
    _, labels = cv2.connectedComponents((smooth <= level).astype(np.uint8), connectivity=8)
    region = labels == labels[darkest]
    columns = np.flatnonzero(region.any(axis=0))
    end_col = int(columns.max() if direction > 0 else columns.min())
    if end_col in (0, len(offsets) - 1):
        return DarkEnd(None, contrast, "the dark line runs beyond the searched area")
    # Sub-pixel end: where the lightness crosses the level between the region's last column and the next.
    rows = np.flatnonzero(region[:, end_col])
    inside, outside = smooth[rows, end_col], smooth[rows, end_col + int(direction)]
    beyond = np.clip((level - inside) / np.maximum(outside - inside, 1e-9), 0.0, 1.0)
    end_x = float(gx[0, end_col] + direction * spacing * beyond.max())
    xs, ys = gx[region], gy[region]
    near = np.abs(xs - gx[0, end_col]) <= END_BAND_IRIS * d
    weight = level - smooth[region][near] + 1e-9
    return DarkEnd(np.array([end_x, float(np.sum(ys[near] * weight) / np.sum(weight))]), contrast)
