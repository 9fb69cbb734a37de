"""Finding the hairline (trichion) in the image, because the face mesh stops below it.

Walk from the mid-forehead straight up the head's midline, sampling a short band across the midline at
each step. The forehead between mesh vertices 151 and 10 is skin and gives the reference colour; the
hairline is the first place where the band stays clearly unlike skin for a sustained stretch. If that
stretch looks like the photo's backdrop rather than hair (a bald or shaved scalp, hair swept back), or
the walk leaves the photo first, the hairline is reported as not found, with the reason: the upper third
is then not measured rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import Landmark

#: Colour distance from skin (relative to the skin colour's norm) that counts as "not skin".
NOT_SKIN_DISTANCE = 0.22
#: How long the non-skin stretch must last, in iris diameters, to be a hairline and not a crease.
SUSTAINED_IRIS_DIAMETERS = 0.5
#: Half-width of the sampling band across the midline, in iris diameters.
BAND_HALF_WIDTH_IRIS_DIAMETERS = 0.4
#: How far above glabella to search at most, in iris diameters (upper thirds are ~5-6 iris diameters).
MAX_SEARCH_IRIS_DIAMETERS = 12.0


@dataclass(frozen=True)
class HairlineResult:
    """Trichion in image pixels, or the reason it was not found."""

    point_px: np.ndarray | None
    contrast: float
    reason: str = ""


def _band_colour(rgb: np.ndarray, centre: np.ndarray, across: np.ndarray, half_width: float) -> np.ndarray | None:
    h, w = rgb.shape[:2]
    offsets = np.linspace(-half_width, half_width, 9)
    pts = centre[None, :] + offsets[:, None] * across[None, :]
    xs, ys = np.round(pts[:, 0]).astype(int), np.round(pts[:, 1]).astype(int)
    if xs.min() < 0 or ys.min() < 0 or xs.max() >= w or ys.max() >= h:
        return None
    return rgb[ys, xs].astype(np.float64).mean(axis=0)


def find_hairline(rgb: np.ndarray, frame: HeadFrame, *, iris_diameter_px: float) -> HairlineResult:
    """Search the midline above the forehead for the hairline.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image (same pixel grid as the frame).
    frame : HeadFrame
        The head frame of the face in this image.
    iris_diameter_px : float
        Visible iris diameter, the unit for every search distance.
    """
    up = frame.rotation @ np.array([0.0, -1.0, 0.0])
    up_xy = up[:2] / np.linalg.norm(up[:2])
    across = np.array([-up_xy[1], up_xy[0]])
    image_pts = frame.points_px @ frame.rotation.T + frame.origin_px
    start = image_pts[Landmark.GLABELLA, :2]
    forehead_lo = image_pts[151, :2]  # mid-forehead vertex, below the mesh top
    forehead_hi = image_pts[Landmark.FOREHEAD_MESH_TOP, :2]
    half = BAND_HALF_WIDTH_IRIS_DIAMETERS * iris_diameter_px

    skin_samples = []
    for t in np.linspace(0.0, 1.0, 7):
        c = _band_colour(rgb, forehead_lo + t * (forehead_hi - forehead_lo), across, half)
        if c is not None:
            skin_samples.append(c)
    if not skin_samples:
        return HairlineResult(None, 0.0, "the forehead is outside the photo")
    skin = np.median(np.array(skin_samples), axis=0)
    skin_norm = float(np.linalg.norm(skin)) + 1.0

    corners = np.array([rgb[:8, :8].reshape(-1, 3).mean(0), rgb[:8, -8:].reshape(-1, 3).mean(0)])
    backdrop = corners.mean(axis=0)

    # Walk from the top of the mesh upward (the forehead below it is skin by construction).
    begin = float(np.dot(forehead_hi - start, up_xy))
    limit = MAX_SEARCH_IRIS_DIAMETERS * iris_diameter_px
    sustained = SUSTAINED_IRIS_DIAMETERS * iris_diameter_px
    run_start: float | None = None
    run_colours: list[np.ndarray] = []
    t = begin
    while t < limit:
        c = _band_colour(rgb, start + t * up_xy, across, half)
        if c is None:
            return HairlineResult(None, 0.0, "the top of the forehead is outside the photo")
        distance = float(np.linalg.norm(c - skin)) / skin_norm
        if distance > NOT_SKIN_DISTANCE:
            if run_start is None:
                run_start, run_colours = t, []
            run_colours.append(c)
            if t - run_start >= sustained:
                mean_colour = np.mean(run_colours, axis=0)
                if np.linalg.norm(mean_colour - backdrop) / skin_norm < NOT_SKIN_DISTANCE / 2:
                    return HairlineResult(None, distance, "above the forehead there is backdrop, not hair "
                                          "(bald or shaved scalp, or hair swept back)")
                return HairlineResult(start + run_start * up_xy, distance)
        else:
            run_start = None
        t += 1.0
    return HairlineResult(None, 0.0, "no hairline within the expected distance above the brows")
