"""The soft-tissue outline of a lateral cephalogram (X-ray), for validating the landmark step.

An X-ray is not a photo: there is no backdrop to segment, the soft tissue is only slightly denser than
air, and the film processing draws a bright rim and a dark halo at the skin edge. What is reliable is
the edge itself: along any ray leaving the head, the skin is the **outermost** place where the image
darkens sharply going outward. The trace therefore

1. finds the nose tip roughly (the rightmost skin edge over the middle rows),
2. casts rays from a centre inside the head, above and behind the nose (from there the profile from
   forehead to neck is star-shaped: each ray crosses the skin once, including under the nose and the
   chin),
3. takes as candidate edges on each ray the places where the intensity falls outward and the gradient
   exceeds six times the background's gradient noise,
4. keeps on each ray the outermost candidate, drops isolated outliers, and keeps the continuous run
   through the nose tip (no gap over a few degrees, no jump in radius a skin surface could not make),
   looking again at a lower threshold on the run's rays that had no edge,
5. cuts the run where it climbs onto the nasion relator (which rests on the soft-tissue nasion and
   rises forward, where the forehead falls back) and where it reaches the bottom of the film.

The result is an outline in the same form a photo gives (:class:`~facebalance.profile.contour.TracedOutline`)
and goes through the same :func:`~facebalance.profile.landmarks.locate_landmarks`. Framing assumptions:
the head fills most of the image height (cephalostat framing) and the face looks to the image right (use
``facing="left"`` otherwise).
"""

from __future__ import annotations

import math
import warnings

import cv2
import numpy as np

from facebalance.profile.contour import TracedOutline
from facebalance.profile.errors import ProfileNotReadable
from facebalance.profile.frame import Facing
from facebalance.profile.geometry import gaussian_smooth
from facebalance.profile.landmarks import ProfileLandmarks, ProfilePoint, locate_landmarks

#: Skin edges fall outward by more than this many times the background's median gradient.
EDGE_FACTOR = 6.0
#: An edge counts when its intensity falls outward along the ray at least this much (cosine of 78 deg).
MIN_INWARD_COSINE = 0.2
#: Above the nasion, the trace is cut where it comes forward by this fraction of the nose's projection.
RELATOR_CUT = 0.4
#: Gaps in the trace up to this angle (degrees seen from the ray centre) are bridged linearly.
MAX_GAP_DEG = 4.0
#: Largest radius jump between neighbouring rays on the skin, as a fraction of the image height.
MAX_JUMP_HEIGHT = 0.06
#: Rays in the running median that rejects isolated inner edges.
OUTLIER_WINDOW_RAYS = 31
#: Threshold, as a fraction of the first one, for the second look along rays without a skin edge.
SECOND_LOOK_FACTOR = 0.4
#: Gradients below this (grey levels per pixel) are a flat margin, not film; at least this many live samples
#: are needed to estimate the background from them.
FLAT_GRADIENT = 1e-3
MIN_LIVE_SAMPLES = 1000
#: A vertical or horizontal edge present over more than this share of the image's height (width), within
#: this many pixels of one column (row), is a film or margin border, not skin.
STRAIGHT_SHARE = 0.35
STRAIGHT_BAND_PX = 2
#: Smoothing multipliers tried in turn by :func:`read_cephalogram` until the soft-tissue points are found.
BLUR_SCALES = (1.0, 2.0, 3.5)
#: Fraction of the width (height) ignored at the right (bottom) border: cassette and filter edges.
BORDER_MARGIN = 0.03


def _rough_tip(mag: np.ndarray, gx: np.ndarray, threshold: float, margin: int) -> tuple[float, float]:
    """The nose tip, roughly: the most anterior thick skin edge over the middle rows.

    On each row the rightmost falling edge is taken unless it belongs to a thin object (the nasion
    relator's bar): an edge with a rising edge (air again) within 4 % of the image height behind it.
    """
    h, w = mag.shape
    thin = max(3, int(0.04 * h))
    rows = np.arange(int(0.3 * h), int(0.8 * h))
    xs = np.full(len(rows), -1.0)
    for k, y in enumerate(rows):
        falling = np.flatnonzero((mag[y, : w - margin] > threshold) & (gx[y, : w - margin] < -0.5 * threshold))
        rising = np.flatnonzero((mag[y, : w - margin] > threshold) & (gx[y, : w - margin] > 0.5 * threshold))
        for x in falling[::-1]:
            behind = rising[(rising < x) & (rising >= x - thin)]
            if behind.size == 0:
                xs[k] = x
                break
    if (xs < 0).all():
        raise ProfileNotReadable(
            "No skin edge was found on the X-ray.", hint="Check the image is a lateral cephalogram."
        )
    # A 9-row running median removes single-row spikes (a bright wire, a label).
    padded = np.pad(xs, 4, mode="edge")
    med = np.median(np.lib.stride_tricks.sliding_window_view(padded, 9), axis=1)
    k = int(np.argmax(med))
    return float(med[k]), float(rows[k])


def _drop_film_borders(mag: np.ndarray, gx: np.ndarray, gy: np.ndarray, threshold: float) -> None:
    """Erase straight vertical and horizontal edges that run unbroken across much of the image (in place).

    A film, cassette or collimator border, or a margin added around a scan, is a straight line over a large
    part of the image; the skin never is. Its edge would otherwise be the outermost one on many rays.
    """
    h, w = mag.shape
    strong = mag > threshold
    across = 2 * STRAIGHT_BAND_PX + 1
    vertical = (strong & (np.abs(gx) > 0.5 * threshold)).astype(np.uint8)
    horizontal = (strong & (np.abs(gy) > 0.5 * threshold)).astype(np.uint8)
    # Widen each edge map across the line (a slightly tilted border), keep only runs as long as the kernel.
    v_lines = cv2.morphologyEx(
        cv2.dilate(vertical, np.ones((1, across), np.uint8)),
        cv2.MORPH_OPEN,
        np.ones((max(3, round(STRAIGHT_SHARE * h)), 1), np.uint8),
    )
    h_lines = cv2.morphologyEx(
        cv2.dilate(horizontal, np.ones((across, 1), np.uint8)),
        cv2.MORPH_OPEN,
        np.ones((1, max(3, round(STRAIGHT_SHARE * w))), np.uint8),
    )
    lines = np.maximum(v_lines, h_lines)
    if lines.any():
        drop = cv2.dilate(lines, np.ones((across + 2, across + 2), np.uint8)).astype(bool)
        for a in (mag, gx, gy):
            a[drop] = 0.0


def outline_from_cephalogram(gray: np.ndarray, *, facing: Facing = "right", blur_scale: float = 1.0) -> TracedOutline:
    """Trace the soft-tissue profile of a lateral cephalogram.

    Parameters
    ----------
    gray : ndarray of shape (H, W), uint8 or float
        The radiograph, bright = dense.
    facing : {"right", "left"}
        Which way the face looks in the image.
    blur_scale : float
        Multiplies the smoothing applied before the edges are taken (a grainier film needs more).

    Returns
    -------
    TracedOutline
        Canonical orientation (face toward +x; for ``facing="left"`` the x coordinates are mirrored).

    Raises
    ------
    ProfileNotReadable
        No continuous skin edge through the nose tip.
    """
    img = np.asarray(gray, dtype=np.float32)
    if img.ndim == 3:
        img = img.mean(axis=2).astype(np.float32)
    if facing == "left":
        img = np.ascontiguousarray(img[:, ::-1])
    h, w = img.shape
    blur = max(1.0, h / 700.0) * blur_scale
    smooth = cv2.GaussianBlur(img, (0, 0), blur)
    gx = (cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) / 8.0).astype(np.float32)
    gy = (cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) / 8.0).astype(np.float32)
    mag = np.hypot(gx, gy)
    margin = max(2, int(BORDER_MARGIN * w))
    # The background's gradient noise, right of the face; a flat margin added around the film (no gradient
    # at all) is not background and would make every faint edge count.
    band = mag[:, int(0.8 * w) : w - margin]
    live = band[band > FLAT_GRADIENT]
    background = float(np.median(live if live.size >= MIN_LIVE_SAMPLES else band))
    threshold = max(0.3, EDGE_FACTOR * background)
    _drop_film_borders(mag, gx, gy, threshold)
    tip_x, tip_y = _rough_tip(mag, gx, threshold, margin)
    cx, cy = tip_x - 0.33 * h, tip_y - 0.2 * h

    step = 1.0 / (0.45 * h)
    theta = np.arange(math.radians(-100.0), math.radians(115.0), step)
    radii = np.arange(0.1 * h, 1.3 * h, 1.0)
    cos_t, sin_t = np.cos(theta)[:, None], np.sin(theta)[:, None]
    xs = (cx + cos_t * radii[None, :]).astype(np.float32)
    ys = (cy + sin_t * radii[None, :]).astype(np.float32)
    inside = (xs >= 2) & (xs < w - margin) & (ys >= 2) & (ys < h - max(2, int(BORDER_MARGIN * h)))
    sgx = cv2.remap(gx, xs, ys, cv2.INTER_LINEAR)
    sgy = cv2.remap(gy, xs, ys, cv2.INTER_LINEAR)
    inward = -(sgx * cos_t + sgy * sin_t)
    # The skin may meet a ray obliquely (the nasal dorsum, the submental line): what counts is the edge's
    # strength and that it falls outward, not its component along the ray.
    strength = np.hypot(sgx, sgy)
    edge = (strength > threshold) & (inward > MIN_INWARD_COSINE * strength) & inside

    n_rays = len(theta)
    r_edge = np.full(n_rays, np.nan)
    for k in np.flatnonzero(edge.any(axis=1)):
        j = int(np.flatnonzero(edge[k])[-1])
        # Back to the peak of the edge, then a sub-sample parabola through the three samples around it.
        while j > 0 and edge[k, j - 1] and strength[k, j - 1] >= strength[k, j]:
            j -= 1
        offset = 0.0
        if 0 < j < len(radii) - 1:
            a, b, c = strength[k, j - 1], strength[k, j], strength[k, j + 1]
            denom = a - 2 * b + c
            offset = float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5)) if denom < 0 else 0.0
        r_edge[k] = radii[j] + offset
    valid = np.isfinite(r_edge)
    if valid.sum() < 50:
        raise ProfileNotReadable(
            "The skin edge of the X-ray could not be traced.",
            hint="Check the image is a lateral cephalogram with the soft tissue visible.",
        )
    # Isolated outliers (an inner edge where the skin edge was missed): far from the running median.
    window = OUTLIER_WINDOW_RAYS
    padded = np.pad(r_edge, window // 2, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows are expected: no edge there
        med = np.nanmedian(np.where(np.isfinite(windows), windows, np.nan), axis=1)
    valid &= np.abs(r_edge - med) <= max(6.0, 0.006 * h)
    # The continuous run through the nose tip's ray; gaps up to MAX_GAP_DEG are bridged.
    tip_k = int(np.argmin(np.abs(theta - math.atan2(tip_y - cy, tip_x - cx))))
    max_gap = max(3, round(math.radians(MAX_GAP_DEG) / step))
    idx = np.flatnonzero(valid)
    if idx.size < 50:
        raise ProfileNotReadable(
            "The skin edge of the X-ray could not be traced.",
            hint="Check the image is a lateral cephalogram with the soft tissue visible.",
        )
    # A run breaks at a gap of more than MAX_GAP_DEG or where the radius jumps further than the skin can:
    # a surface meeting the rays at 10 degrees, plus the lips' notch (a ray grazing the upper lip lands on
    # the lower one), not a jump to the film edge.
    jump = np.abs(np.diff(r_edge[idx])) > MAX_JUMP_HEIGHT * h + 6.0 * r_edge[idx[:-1]] * step * np.diff(idx)
    breaks = np.flatnonzero((np.diff(idx) > max_gap) | jump)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]])
    distance = np.where(
        (starts <= tip_k) & (ends >= tip_k), 0, np.minimum(np.abs(starts - tip_k), np.abs(ends - tip_k)) + 1
    )
    run = int(np.argmin(distance))
    ks = np.arange(starts[run], ends[run] + 1)
    # Second look at the rays of the run left without a skin edge: the strongest outward fall near the
    # radius their neighbours predict, at a lower threshold (the vermilion and the chin's lower edge are
    # faint).
    inner = ks[valid[ks]]
    predicted = np.interp(ks, inner, r_edge[inner])
    reach = max(4.0, 0.01 * h)
    for k, r_pred in zip(ks, predicted, strict=True):
        if valid[k]:
            continue
        near = (np.abs(radii - r_pred) <= reach) & inside[k]
        score = np.where(near, inward[k], 0.0)
        j = int(np.argmax(score))
        if score[j] > SECOND_LOOK_FACTOR * threshold:
            r_edge[k] = radii[j]
            valid[k] = True
    keep = ks[valid[ks]]
    r = np.interp(ks, keep, r_edge[keep])
    th = theta[ks]
    pts = np.column_stack([cx + np.cos(th) * r, cy + np.sin(th) * r])
    pts, found = _cut_relator_and_film_edge(pts, np.isin(ks, keep), int(np.clip(tip_k - ks[0], 0, len(ks) - 1)), h)
    noise = float(np.median(np.abs(pts - gaussian_smooth(pts, 3.0)).sum(axis=1))) * 1.4826
    return TracedOutline(
        points_px=pts, noise_px=max(0.3, noise), source="xray", edge_found_fraction=float(found.mean())
    )


def _cut_relator_and_film_edge(
    pts: np.ndarray, found: np.ndarray, tip_hint: int, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cut the trace where it leaves the face: onto the nasion relator above, along the film edge below.

    The relator rests on the soft-tissue nasion and rises forward; the forehead above the nasion never
    comes forward by more than a fraction of the nose's projection (the glabella's few millimetres). So,
    walking up from the nose tip past the nasion (the first minimum of x), the trace is cut where x comes
    forward by more than :data:`RELATOR_CUT` of the nose projection. Below, the trace is cut where it
    reaches the bottom of the film.
    """
    x = pts[:, 0]
    # The nose tip: the most anterior point near the ray through the rough tip (the relator's ruler, higher
    # up, may reach further forward than the nose).
    near = slice(max(0, tip_hint - len(pts) // 20), min(len(pts), tip_hint + len(pts) // 20))
    tip = near.start + int(np.argmax(x[near]))
    start = 0
    lowest = tip
    least_projection = 0.02 * height  # a nose projects at least ~2 cm on a cephalogram
    for i in range(tip, -1, -1):
        if x[i] < x[lowest]:
            lowest = i
        projection = x[tip] - x[lowest]
        if projection >= least_projection and x[i] > x[lowest] + RELATOR_CUT * projection:
            start = i
            break
    bottom = np.flatnonzero(pts[tip:, 1] >= height * (1.0 - BORDER_MARGIN))
    stop = tip + int(bottom[0]) if bottom.size else len(pts)
    return pts[start:stop], found[start:stop]


#: The soft-tissue points a cephalogram reading is judged by (those the ISBI 2015 annotation holds).
SOFT_TISSUE_POINTS = (
    ProfilePoint.SUBNASALE,
    ProfilePoint.LABRALE_SUPERIUS,
    ProfilePoint.LABRALE_INFERIUS,
    ProfilePoint.SOFT_TISSUE_POGONION,
)


def read_cephalogram(gray: np.ndarray, *, facing: Facing = "right") -> tuple[TracedOutline, ProfileLandmarks]:
    """Trace and locate a cephalogram, smoothing more when the film's grain breaks the trace.

    The trace is tried at each of :data:`BLUR_SCALES` until the four soft-tissue points are located; the
    reading with the most of them is returned (the first on ties).

    Raises
    ------
    ProfileNotReadable
        No smoothing gives a readable profile (the first error is raised).
    """
    best: tuple[TracedOutline, ProfileLandmarks] | None = None
    error: ProfileNotReadable | None = None
    for scale in BLUR_SCALES:
        try:
            outline = outline_from_cephalogram(gray, facing=facing, blur_scale=scale)
            landmarks = locate_landmarks(outline.points_px, noise_px=outline.noise_px)
        except ProfileNotReadable as exc:
            error = error or exc
            continue
        found = sum(p in landmarks.points for p in SOFT_TISSUE_POINTS)
        if best is None or found > sum(p in best[1].points for p in SOFT_TISSUE_POINTS):
            best = (outline, landmarks)
        if found == len(SOFT_TISSUE_POINTS):
            break
    if best is None:
        assert error is not None
        raise error
    return best
