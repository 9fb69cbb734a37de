"""Tooth and gum show on the smile, read from the peak frame's pixels.

The face mesh has no teeth. Tooth and gum display are judged at the incisors (the canines sit in the
corner's shadow on most smiles): on each side a short profile is sampled at the central-incisor column,
part of the way from the lip midline to the canine column (the inner edge of the upper lip over the
canine), down the mouth's own vertical axis (labrale superius to labrale inferius), from just above the
upper lip's free edge to the lower lip's. Each sample is classified in CIE Lab against the
lips' own colour: *tooth* is much lighter than the lip and nearly colourless, *gum* is pink-red, as
saturated as the lip but unlike it, and lies between the upper lip and the first tooth. Tooth show is the
length of the first tooth run; gum show is the gum run above it (0 when the lip covers the gum). A gum
show of 2 mm or more on a full smile is the usual definition of a gummy smile. The fractions and colour
thresholds are rows of ``data/limits_default.toml`` (:mod:`facebalance.dynamics.limits`).

References
----------
.. [1] Allen EP. Use of mucogingival surgical procedures to enhance esthetics. Dent Clin North Am.
       1988;32(2):307-330 (excessive gingival display on smiling).
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.landmarks import SIDES, Landmark
from facebalance.anatomy.refine.sampling import srgb_to_lab
from facebalance.dynamics.limits import DynamicsLimits, default_limits
from facebalance.dynamics.metrics import MovementMetric, MovementScale, SideValue
from facebalance.vision.mirror import mirror_landmarks


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True, in order."""
    runs, start = [], None
    for i, v in enumerate(mask):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return runs


def show_along_profile(
    lab: np.ndarray, lip_lab: np.ndarray, *, limits: DynamicsLimits | None = None
) -> tuple[float, float]:
    """Tooth and gum show (pixels) along a profile of Lab samples (top to bottom), given the lip colour.

    The profile starts at the upper lip's free edge: everything pink above the first tooth counts as gum.
    ``limits`` holds the colour thresholds (default: the packaged ``data/limits_default.toml``).

    Examples
    --------
    >>> lip = np.array([45.0, 40.0, 20.0])
    >>> column = np.array([[62, 30, 10]] * 4 + [[85, 2, 8]] * 10 + [[15, 5, 5]] * 6, dtype=float)
    >>> show_along_profile(column, lip)
    (10.0, 4.0)
    """
    lim = limits or default_limits()
    lip_chroma = float(np.hypot(lip_lab[1], lip_lab[2]))
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    tooth = (lab[:, 0] >= lip_lab[0] + lim.tooth_lighter_than_lip) & (chroma <= lim.tooth_max_chroma)
    tooth_runs = [r for r in _runs(tooth) if r[1] - r[0] >= lim.min_run_px]
    if not tooth_runs:
        return 0.0, 0.0
    top, bottom = tooth_runs[0]
    # Gum: the pink band directly above the first tooth, after the lip (which has the same hue): the lip
    # is the part of the profile above the mesh's free edge, so the band is read below it.
    differs_from_lip = np.linalg.norm(lab - lip_lab[None, :], axis=1) >= lim.gum_min_difference_from_lip
    gum = (chroma >= lim.gum_min_chroma_fraction * lip_chroma) & (lab[:, 0] >= lim.gum_min_lightness) & ~tooth
    gum &= differs_from_lip
    i = top - 1
    while i >= 0 and gum[i]:
        i -= 1
    gum_px = float(top - 1 - i)
    return float(bottom - top), gum_px if gum_px >= lim.min_run_px else 0.0


def tooth_and_gum_show(
    rgb: np.ndarray, landmarks_px: np.ndarray, scale: MovementScale, *, limits: DynamicsLimits | None = None
) -> tuple[MovementMetric, MovementMetric]:
    """Tooth and gum show per side, the frame and its mirror image averaged (sides swapped back), so that a
    mirrored recording gives exactly the mirrored result like every other movement measurement."""
    lim = limits or default_limits()
    direct = _tooth_and_gum_show_once(rgb, landmarks_px, scale, lim)
    mirrored = _tooth_and_gum_show_once(
        np.ascontiguousarray(rgb[:, ::-1]), mirror_landmarks(landmarks_px, rgb.shape[1]), scale, lim
    )
    return tuple(_average_swapped(a, b) for a, b in zip(direct, mirrored, strict=True))  # type: ignore[return-value]


def _average_swapped(a: MovementMetric, b: MovementMetric) -> MovementMetric:
    def mean(x: SideValue | None, y: SideValue | None) -> SideValue | None:
        if x is None or y is None:
            return None
        return SideValue((x.value + y.value) / 2, max(x.sigma, y.sigma), x.source)

    return MovementMetric(a.id, a.label, a.unit, mean(a.right, b.left), mean(a.left, b.right), a.reason or b.reason)


def _tooth_and_gum_show_once(
    rgb: np.ndarray, landmarks_px: np.ndarray, scale: MovementScale, limits: DynamicsLimits
) -> tuple[MovementMetric, MovementMetric]:
    """Tooth and gum show at each side's canine column on the peak frame of a smile.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The peak frame.
    landmarks_px : ndarray of shape (478, 3)
        Its mesh, image pixels.
    scale : MovementScale
        The recording's calibration.
    limits : DynamicsLimits
        The sampling fractions and colour thresholds.
    """
    axis = landmarks_px[Landmark.LABRALE_INFERIUS, :2] - landmarks_px[Landmark.LABRALE_SUPERIUS, :2]
    axis = axis / (np.linalg.norm(axis) or 1.0)
    h, w = rgb.shape[:2]
    teeth: dict[str, SideValue | None] = {}
    gums: dict[str, SideValue | None] = {}
    reason = ""
    upper_mid = landmarks_px[Landmark.STOMION_UPPER, :2]
    lower_mid = landmarks_px[Landmark.STOMION_LOWER, :2]
    f, above, min_run = limits.incisor_column_fraction, limits.start_above_fraction, limits.min_run_px
    for side, pts in SIDES.items():
        upper = upper_mid + f * (landmarks_px[pts.upper_lip_inner_canine, :2] - upper_mid)
        lower = lower_mid + f * (landmarks_px[pts.lower_lip_inner_canine, :2] - lower_mid)
        opening = float(np.dot(lower - upper, axis))
        if opening < 2 * min_run:
            teeth[side] = SideValue(0.0, scale.length(1.0)[1], "image")
            gums[side] = SideValue(0.0, scale.length(1.0)[1], "image")
            continue
        # Lip colour: the upper lip's body, halfway between its outer border (Cupid's bow) and its free edge.
        outer = landmarks_px[pts.cupids_bow_peak, :2] + np.array([upper[0] - landmarks_px[pts.cupids_bow_peak, 0], 0])
        lip_at = np.floor((outer + upper) / 2).astype(int)
        start = upper - above * opening * axis
        steps = np.arange(0.0, opening * (1 + above), 1.0)
        samples = start[None, :] + steps[:, None] * axis[None, :]
        # Pixel i covers [i, i + 1): floor, so that a mirrored frame samples exactly the mirrored pixels.
        xs, ys = np.floor(samples[:, 0]).astype(int), np.floor(samples[:, 1]).astype(int)
        if (
            xs.min() < 0
            or ys.min() < 0
            or xs.max() >= w
            or ys.max() >= h
            or not (0 <= lip_at[0] < w and 0 <= lip_at[1] < h)
        ):
            teeth[side] = gums[side] = None
            reason = "the mouth is at the edge of the frame"
            continue
        lab = srgb_to_lab(rgb[ys, xs])
        patch = rgb[max(0, lip_at[1] - 1) : lip_at[1] + 2, max(0, lip_at[0] - 1) : lip_at[0] + 2].reshape(-1, 3)
        lip_lab = srgb_to_lab(patch).mean(axis=0)
        # Only below the mesh's free edge may gum be counted (above it is lip of the same colour).
        skip = round(above * opening)
        tooth_px, gum_px = show_along_profile(lab[skip:], lip_lab, limits=limits)
        t_mm, t_sigma = scale.length(tooth_px)
        g_mm, g_sigma = scale.length(gum_px)
        teeth[side] = SideValue(t_mm, t_sigma, "image")
        gums[side] = SideValue(g_mm, g_sigma, "image")
    return (
        MovementMetric(
            "tooth_show_mm",
            "Tooth show at the incisors on smiling",
            "mm",
            teeth.get("right"),
            teeth.get("left"),
            reason,
        ),
        MovementMetric(
            "gum_show_mm",
            "Gum show above the teeth on smiling (gummy smile from 2 mm)",
            "mm",
            gums.get("right"),
            gums.get("left"),
            reason,
        ),
    )
