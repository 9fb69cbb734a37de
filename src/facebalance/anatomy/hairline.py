"""Finding the hairline (trichion) in the image, because the face mesh stops below it.

Walk from the top of the mesh (``Landmark.FOREHEAD_MESH_TOP``, still forehead skin) straight up the head's
midline, sampling a band across the midline at each step. The forehead between ``FOREHEAD_MIDDLE``
and the mesh top gives the skin model (colour in CIE Lab and texture, with their spread). Each row scores
its dissimilarity to skin from:
chroma (a*, b*), *darkening* only (so that a shiny, specular forehead does not read as hair), and
*added* texture (hair is fine-grained, skin is smooth). The hairline is the first row from which the
score stays above a threshold for a sustained stretch. If that stretch looks like the photo's backdrop
(bald or shaved scalp, hair swept back), the walk leaves the photo, or the result is implausible against
the middle third, the hairline is reported as not found with the reason: the upper third is then not
measured rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import FOREHEAD_MIDDLE, Landmark
from facebalance.anatomy.refine.sampling import srgb_to_lab

#: Dissimilarity (in skin-spread units) above which a row is not forehead skin.
NOT_SKIN_SCORE = 3.5
#: How long the non-skin stretch must last, in iris diameters, to be a hairline and not a crease.
SUSTAINED_IRIS_DIAMETERS = 0.6
#: Half-width of the sampling band across the midline, in iris diameters.
BAND_HALF_WIDTH_IRIS_DIAMETERS = 0.6
#: How far above glabella to search at most, in iris diameters (upper thirds are ~5-6 iris diameters).
MAX_SEARCH_IRIS_DIAMETERS = 12.0
#: Spread floors (Lab units) so that a very even forehead does not make every change look large.
MIN_SPREAD_LAB = (6.0, 3.0, 3.0)
MIN_SPREAD_TEXTURE = 2.0
#: The skin reference for each row: the rows between these distances below it, in iris diameters.
REFERENCE_WINDOW_IRIS = (1.2, 0.3)
#: Plausible upper third as a multiple of the middle third; outside it the detection is refused.
PLAUSIBLE_UPPER_TO_MIDDLE = (0.45, 1.7)


@dataclass(frozen=True)
class HairlineResult:
    """Trichion in image pixels, or the reason it was not found."""

    point_px: np.ndarray | None
    contrast: float
    reason: str = ""


def band_features(
    rgb: np.ndarray, centres: np.ndarray, across: np.ndarray, half_width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Features of the band across each centre, all rows at once.

    Returns ``(features, inside)``: features of shape (N, 4) = mean L*, a*, b* of the band and its texture
    (mean absolute difference of neighbouring L*), NaN where the band leaves the photo; ``inside`` (N,) bool.
    """
    h, w = rgb.shape[:2]
    offsets = np.linspace(-half_width, half_width, 15)
    pts = centres[:, None, :] + offsets[None, :, None] * across[None, None, :]
    xs, ys = np.round(pts[..., 0]).astype(int), np.round(pts[..., 1]).astype(int)
    inside = (xs.min(axis=1) >= 0) & (ys.min(axis=1) >= 0) & (xs.max(axis=1) < w) & (ys.max(axis=1) < h)
    features = np.full((len(centres), 4), np.nan)
    if inside.any():
        lab = srgb_to_lab(rgb[ys[inside], xs[inside]])
        features[inside, :3] = lab.mean(axis=1)
        features[inside, 3] = np.abs(np.diff(lab[..., 0], axis=1)).mean(axis=1)
    return features, inside


def find_hairline(
    rgb: np.ndarray, frame: HeadFrame, *, iris_diameter_px: float, middle_third_px: float | None = None
) -> HairlineResult:
    """Search the midline above the forehead for the hairline.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image (same pixel grid as the frame).
    frame : HeadFrame
        The head frame of the face in this image.
    iris_diameter_px : float
        Visible iris diameter, the unit for every search distance.
    middle_third_px : float, optional
        Glabella-subnasale distance; when given, a hairline implying an implausible upper third is refused.
    """
    up = frame.rotation @ np.array([0.0, -1.0, 0.0])
    up_xy = up[:2] / np.linalg.norm(up[:2])
    across = np.array([-up_xy[1], up_xy[0]])
    image_pts = frame.points_px @ frame.rotation.T + frame.origin_px
    start = image_pts[Landmark.GLABELLA, :2]
    forehead_lo = image_pts[FOREHEAD_MIDDLE, :2]
    forehead_hi = image_pts[Landmark.FOREHEAD_MESH_TOP, :2]
    half = BAND_HALF_WIDTH_IRIS_DIAMETERS * iris_diameter_px

    length = float(np.linalg.norm(forehead_hi - forehead_lo))
    fractions = np.linspace(0.0, 1.0, max(5, int(length)))
    skin_features, skin_inside = band_features(
        rgb, forehead_lo + fractions[:, None] * (forehead_hi - forehead_lo), across, half
    )
    skin_rows = list(skin_features[skin_inside])
    if len(skin_rows) < 3:
        return HairlineResult(None, 0.0, "the forehead is outside the photo")
    skin = np.array(skin_rows)
    mean = np.median(skin, axis=0)
    spread = np.maximum(skin.std(axis=0), (*MIN_SPREAD_LAB, MIN_SPREAD_TEXTURE))

    backdrop = np.concatenate([srgb_to_lab(rgb[:8, :8]).reshape(-1, 3), srgb_to_lab(rgb[:8, -8:]).reshape(-1, 3)])
    backdrop_lab = backdrop.mean(axis=0)

    begin = float(np.dot(forehead_hi - start, up_xy))
    limit = MAX_SEARCH_IRIS_DIAMETERS * iris_diameter_px
    sustained = SUSTAINED_IRIS_DIAMETERS * iris_diameter_px
    # The feature profile from mid-forehead upward, one row per pixel, until the photo's edge.
    t0 = float(np.dot(forehead_lo - start, up_xy))
    all_ts = t0 + np.arange(max(0, int(np.ceil(limit - t0))), dtype=np.float64)
    features, inside = band_features(rgb, start + all_ts[:, None] * up_xy, across, half)
    stop = len(all_ts) if inside.all() else int(np.argmin(inside))  # the walk ends at the photo's edge
    ts, profile, left_photo = list(all_ts[:stop]), features[:stop], stop < len(all_ts)
    ref_far, ref_near = REFERENCE_WINDOW_IRIS
    run_start: float | None = None
    run_index = 0
    run_reference = mean
    for i, t in enumerate(ts):
        if t < begin:
            continue
        # Compare with the skin just below (not the whole forehead): shading and tan change slowly,
        # a hairline changes within a few pixels.
        lo_i = max(0, i - int(ref_far * iris_diameter_px))
        hi_i = max(lo_i + 1, i - int(ref_near * iris_diameter_px))
        reference = run_reference if run_start is not None else np.median(profile[lo_i:hi_i], axis=0)
        d = (profile[i] - reference) / spread
        # Darker, differently coloured or more textured than the skin below; brighter alone is a highlight.
        score = float(np.sqrt(min(0.0, d[0]) ** 2 + d[1] ** 2 + d[2] ** 2 + max(0.0, d[3]) ** 2))
        if score <= NOT_SKIN_SCORE:
            run_start = None
            continue
        if run_start is None:
            run_start, run_index, _run_reference = t, i, reference
        if t - run_start < sustained:
            continue
        run = profile[run_index : i + 1]
        colour = run.mean(axis=0)[:3]
        if np.linalg.norm(colour - backdrop_lab) < 6.0 and run.mean(axis=0)[3] < mean[3] + 2 * spread[3]:
            return HairlineResult(
                None, score, "above the forehead there is backdrop, not hair (bald or shaved scalp, or hair swept back)"
            )
        point = start + run_start * up_xy
        if middle_third_px:
            ratio = run_start / middle_third_px
            lo, hi = PLAUSIBLE_UPPER_TO_MIDDLE
            if not lo <= ratio <= hi:
                return HairlineResult(
                    None,
                    score,
                    f"the hairline candidate gives an implausible upper "
                    f"third ({ratio:.2f} x the middle third); it may be a highlight, "
                    "a fringe or a head covering",
                )
        return HairlineResult(point, score)
    if left_photo:
        return HairlineResult(None, 0.0, "no hairline was found before the top of the photo")
    return HairlineResult(None, 0.0, "no hairline within the expected distance above the brows")
