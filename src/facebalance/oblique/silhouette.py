"""The far-side silhouette refined on the photo: from the mesh's prior to the face's edge (pure).

The mesh's far-cheek boundary (:mod:`facebalance.oblique.prior`) is good to a few per cent of the face's
length but smooth: a fuller cheek, a hollow or a bump is where the model expects the average face to be.
Each prior point is therefore moved along its outward normal onto the face's edge in the photo:

1. **Profiles.** The photo (CIELAB, blurred by a fraction of the face's size so skin texture and noise
   do not make edges) is sampled along each normal, from well inside the face to the search distance
   outside the prior.
2. **Face against backdrop and hair.** The local skin colour is the median colour of a band well inside
   the face, taken over neighbouring points. A candidate edge between face and not-face scores how much
   the colour outside it differs from the skin (minus how much the inside does), so the edge between skin
   and backdrop or hair stands out; plus the plain colour step across it, which is what separates the jaw
   from the neck (skin on both sides, shaded below the jaw).
3. **Continuity.** Dynamic programming over all points picks, per point, the offset along the normal that
   maximises the summed edge score less a penalty for changing the offset from one point to the next and a
   small pull toward the prior (the prior wins where the photo shows no edge).
4. **Sub-pixel.** The chosen offset is refined by a parabola through the scores around it.

All coordinates are canonical image pixels (nose toward +x, see :mod:`facebalance.oblique.frame`); the
outline runs from the temple down to the chin, so its outward normal of a step ``(dx, dy)`` is
``(dy, -dx)`` (the convention of :mod:`facebalance.profile.geometry`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from facebalance.profile.geometry import gaussian_smooth

#: How far outside and inside the prior the edge is looked for, as a fraction of the face's length
#: (nasion to menton on the mesh).
SEARCH_FRACTION = 0.10
#: Samples per normal across the search range.
SAMPLES = 101
#: Width of the inside/outside windows that judge a candidate edge, fraction of the face's length.
WINDOW_FRACTION = 0.015
#: Depth of the band (inside the searched range) that gives the local skin colour, fraction of the face's length.
SKIN_BAND_FRACTION = 0.08
#: Neighbouring points over which the skin colour is pooled, fraction of the outline's points.
SKIN_POOL_FRACTION = 0.15
#: Photo blur before sampling, fraction of the face's length (at least half a pixel).
BLUR_FRACTION = 0.004
#: Weight of lightness against the two colour axes when comparing with the skin colour (shading varies
#: across a face more than its colour).
LIGHTNESS_WEIGHT = 0.5
#: Weight of the plain colour step against the face-versus-not-face contrast.
STEP_WEIGHT = 0.5
#: Penalty per sample of change of offset between neighbouring points, in units of the typical edge score.
SMOOTHNESS = 0.3
#: Largest change of offset between neighbouring points, samples.
MAX_SLOPE_SAMPLES = 3
#: Pull toward the prior: penalty at the end of the search range, in units of the typical edge score.
PRIOR_PULL = 0.3
#: Least edge score (CIELAB units) for a point to count as placed on an edge of the photo.
MIN_EDGE_SCORE = 6.0


@dataclass(frozen=True)
class FarOutline:
    """The far-side silhouette, refined.

    Attributes
    ----------
    points_px : ndarray of shape (N, 2)
        Canonical image pixels, from the temple down to the chin.
    prior_px : ndarray of shape (N, 2)
        The mesh's silhouette at the same positions (before refinement).
    on_edge : ndarray of shape (N,), bool
        Whether each point sits on an edge of the photo (otherwise it follows its neighbours or the prior).
    in_frame : ndarray of shape (N,), bool
        Whether each point lies inside the photo (a silhouette may run off its edge).
    noise_px : float
        Estimated one-sigma noise of the outline across itself, pixels.
    """

    points_px: np.ndarray
    prior_px: np.ndarray
    on_edge: np.ndarray
    in_frame: np.ndarray
    noise_px: float

    @property
    def edge_found_fraction(self) -> float:
        """Fraction of the in-frame outline placed on an edge of the photo."""
        inside = self.on_edge[self.in_frame]
        return float(inside.mean()) if inside.size else 0.0


def outward_normals(points: np.ndarray, smooth: float) -> np.ndarray:
    """Unit outward normals (N, 2) of an outline ordered temple to chin, from its smoothed tangent.

    Examples
    --------
    A vertical line walked downward has its outside to +x:

    >>> (outward_normals(np.array([[0.0, float(y)] for y in range(5)]), 1.0)[2] + 0.0).tolist()
    [1.0, 0.0]
    """
    d = np.gradient(gaussian_smooth(np.asarray(points, dtype=np.float64), smooth), axis=0)
    n = np.column_stack([d[:, 1], -d[:, 0]])
    unit: np.ndarray = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    return unit


def _lab_patch(rgb: np.ndarray, box: tuple[int, int, int, int], blur_px: float) -> np.ndarray:
    x0, y0, x1, y1 = box
    patch: np.ndarray = rgb[y0:y1, x0:x1].astype(np.float32) / np.float32(255.0)
    if blur_px > 0.3:
        patch = cv2.GaussianBlur(patch, (0, 0), blur_px)
    lab: np.ndarray = cv2.cvtColor(patch, cv2.COLOR_RGB2LAB)
    return lab


def _window_means(profiles: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the ``k`` samples inside (ending at j) and outside (starting at j + 1) each boundary j."""
    n, m, c = profiles.shape
    cs = np.concatenate([np.zeros((n, 1, c), profiles.dtype), np.cumsum(profiles, axis=1)], axis=1)
    j = np.arange(m - 1)
    lo = np.maximum(j + 1 - k, 0)
    hi = np.minimum(j + 1 + k, m)
    inside = (cs[:, j + 1] - cs[:, lo]) / (j + 1 - lo)[None, :, None]
    outside = (cs[:, hi] - cs[:, j + 1]) / (hi - j - 1)[None, :, None]
    return inside, outside


def refine_far_outline(rgb: np.ndarray, prior_px: np.ndarray, *, scale_px: float) -> FarOutline:
    """Move the mesh's far-side silhouette onto the face's edge in the photo.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The canonical photo (nose toward +x).
    prior_px : ndarray of shape (N, 2)
        The mesh's far-side run (:func:`facebalance.oblique.prior.far_run`), temple to chin, canonical
        pixels, evenly spaced.
    scale_px : float
        The face's length in pixels (nasion to menton on the mesh); every distance here is a fraction of it,
        so the result does not depend on the photo's size.

    Returns
    -------
    FarOutline
    """
    prior = np.asarray(prior_px, dtype=np.float64)
    h, w = rgb.shape[:2]
    n = len(prior)
    search = SEARCH_FRACTION * scale_px
    band = SKIN_BAND_FRACTION * scale_px
    normals = outward_normals(prior, max(1.0, 0.02 * n))
    # Samples from the skin band (deep inside) to the search distance outside.
    t = np.linspace(-search - band, search, SAMPLES + round(SAMPLES * band / (2 * search)))
    step = float(t[1] - t[0])
    sx = prior[:, 0:1] + normals[:, 0:1] * t[None, :]
    sy = prior[:, 1:2] + normals[:, 1:2] * t[None, :]
    x0 = int(np.clip(np.floor(sx.min()) - 2, 0, w - 1))
    x1 = int(np.clip(np.ceil(sx.max()) + 3, 1, w))
    y0 = int(np.clip(np.floor(sy.min()) - 2, 0, h - 1))
    y1 = int(np.clip(np.ceil(sy.max()) + 3, 1, h))
    lab = _lab_patch(rgb, (x0, y0, x1, y1), max(0.5, BLUR_FRACTION * scale_px))
    profiles = cv2.remap(
        lab,
        (sx - x0).astype(np.float32),
        (sy - y0).astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    ).astype(np.float64)
    weight = np.array([LIGHTNESS_WEIGHT, 1.0, 1.0])

    in_band = t < -search
    skin_local = np.median(profiles[:, in_band], axis=1)
    pool = max(1, int(SKIN_POOL_FRACTION * n) // 2)
    padded = np.pad(skin_local, ((pool, pool), (0, 0)), mode="edge")
    skin = np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * pool + 1, axis=0), axis=2)

    searched = ~in_band
    k = max(2, round(WINDOW_FRACTION * scale_px / step))
    inside, outside = _window_means(profiles, k)
    boundary_t = 0.5 * (t[:-1] + t[1:])
    keep = boundary_t >= -search
    inside, outside, boundary_t = inside[:, keep], outside[:, keep], boundary_t[keep]
    d_in = np.linalg.norm((inside - skin[:, None, :]) * weight, axis=2)
    d_out = np.linalg.norm((outside - skin[:, None, :]) * weight, axis=2)
    step_size = np.linalg.norm(outside - inside, axis=2)
    score = np.maximum(0.0, d_out - d_in) + STEP_WEIGHT * step_size
    del searched

    typical = float(np.median(score.max(axis=1))) or 1.0
    offsets_j = _best_path(score / typical, boundary_t / search)
    rows = np.arange(n)
    j = offsets_j
    best = score[rows, j]
    lo_s = score[rows, np.maximum(j - 1, 0)]
    hi_s = score[rows, np.minimum(j + 1, score.shape[1] - 1)]
    denom = lo_s - 2 * best + hi_s
    frac = np.where(denom < 0, 0.5 * (lo_s - hi_s) / np.where(denom < 0, denom, -1.0), 0.0)
    frac = np.clip(frac, -0.5, 0.5)
    offset = boundary_t[j] + frac * step
    points = prior + normals * offset[:, None]
    smooth = gaussian_smooth(offset, 2.0)
    resid = offset - smooth
    on_edge = best >= MIN_EDGE_SCORE
    noise = float(1.4826 * np.median(np.abs(resid[on_edge]))) if on_edge.any() else 1.0
    in_frame = (points[:, 0] >= 0) & (points[:, 0] <= w - 1) & (points[:, 1] >= 0) & (points[:, 1] <= h - 1)
    return FarOutline(points_px=points, prior_px=prior, on_edge=on_edge, in_frame=in_frame, noise_px=max(0.3, noise))


def _best_path(score: np.ndarray, t_rel: np.ndarray) -> np.ndarray:
    """Per point, the sample index maximising the summed score less smoothness and prior penalties (Viterbi)."""
    n, m = score.shape
    unary = -score + PRIOR_PULL * np.abs(t_rel)[None, :]
    cost = unary[0].copy()
    back = np.zeros((n, m), dtype=np.int64)
    shifts = range(-MAX_SLOPE_SAMPLES, MAX_SLOPE_SAMPLES + 1)
    for i in range(1, n):
        best = np.full(m, np.inf)
        arg = np.zeros(m, dtype=np.int64)
        for s in shifts:
            prev = np.full(m, np.inf)
            if s >= 0:
                prev[s:] = cost[: m - s] if s else cost
            else:
                prev[:s] = cost[-s:]
            cand = prev + SMOOTHNESS * abs(s)
            better = cand < best
            best = np.where(better, cand, best)
            arg = np.where(better, np.arange(m) - s, arg)
        cost = best + unary[i]
        back[i] = arg
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmin(cost))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path
