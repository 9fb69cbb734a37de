"""Refining the brow's upper margin from the image.

The face mesh is a global shape model: moving one brow in the photo moves its brow vertices only part
of the way and drags the other brow along (measured in ``tests/engine/test_moved_brow_is_measured.py``).
Brow height is a treatment-deciding number, so it is read from the pixels: at each brow-margin vertex,
a short profile is sampled straight up and down the head frame, and the upper margin is the strongest
dark-to-light step going upward (brow hair to forehead skin) near the mesh's estimate. Where the step is
too faint (fair or sparse brows) the mesh's own position is kept and the point is marked as not refined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.refine.sampling import FaceImage

#: Search window around the mesh estimate, in visible-iris diameters (above, below).
SEARCH_ABOVE_IRIS = 0.7
SEARCH_BELOW_IRIS = 0.5
#: Half-width of the band averaged across each profile, in iris diameters.
BAND_HALF_WIDTH_IRIS = 0.12
#: Scale of the preference for edges near the mesh estimate, in iris diameters.
PROXIMITY_IRIS = 0.35
#: Profiles sampled along each brow, end to end.
SAMPLES_PER_BROW = 15
#: Smallest luminance step (0-255) accepted as the brow's upper edge.
MIN_EDGE_STEP = 6.0


@dataclass(frozen=True)
class RefinedBrow:
    """Upper-margin points of one brow in the head frame, and which were found in the image."""

    points_xy: np.ndarray
    refined: np.ndarray


def refine_brow_margin(
    rgb: np.ndarray, frame: HeadFrame, brow_indices: tuple[int, ...], *, iris_diameter_px: float
) -> RefinedBrow:
    """Move each brow-margin vertex onto the brow's upper edge in the image.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image.
    frame : HeadFrame
        Head frame of the face in this image.
    brow_indices : tuple of int
        Mesh vertices of the brow's upper margin (their polyline is the prior).

    Returns
    -------
    RefinedBrow
        :data:`SAMPLES_PER_BROW` points from the brow's medial or lateral end to the other, sorted by x.
    iris_diameter_px : float
        Visible iris diameter, the unit of every search distance.
    """
    image = FaceImage(rgb, frame)
    mesh = frame.points_px[list(brow_indices)]
    mesh = mesh[np.argsort(mesh[:, 0])]
    # Sample the margin densely between the mesh's brow ends, with the mesh polyline as the prior.
    xs = np.linspace(mesh[0, 0], mesh[-1, 0], SAMPLES_PER_BROW)
    pts = np.column_stack([xs, np.interp(xs, mesh[:, 0], mesh[:, 1]), np.interp(xs, mesh[:, 0], mesh[:, 2])])
    out = pts[:, :2].copy()
    refined = np.zeros(len(pts), dtype=bool)
    d = iris_diameter_px
    offsets = np.arange(-SEARCH_ABOVE_IRIS * d, SEARCH_BELOW_IRIS * d, 0.5)
    across = np.linspace(-BAND_HALF_WIDTH_IRIS * d, BAND_HALF_WIDTH_IRIS * d, 7)
    for i, (x, y, z) in enumerate(pts):
        # A grid of head-frame points: rows along the vertical profile, columns across the band.
        grid = np.stack(np.meshgrid(x + across, y + offsets), axis=-1)
        profile = image.luma_at(grid, z).mean(axis=1)
        kernel = np.ones(5) / 5
        smooth = np.convolve(profile, kernel, mode="same")
        # Going up the face is going to smaller offsets; the brow's top edge is dark below, light above.
        step = smooth[:-4] - smooth[4:]  # light above minus dark below, over 2 px
        centre = (offsets[:-4] + offsets[4:]) / 2
        # Prefer edges near the mesh estimate: the mesh is right to within a fraction of an iris.
        score = step * np.exp(-((centre / (PROXIMITY_IRIS * d)) ** 2))
        score[:3] = score[-3:] = -np.inf
        j = int(np.argmax(score))
        if step[j] >= MIN_EDGE_STEP:
            out[i, 1] = y + (offsets[j] + offsets[j + 4]) / 2
            refined[i] = True
    return RefinedBrow(points_xy=out, refined=refined)
