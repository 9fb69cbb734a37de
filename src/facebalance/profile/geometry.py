"""Plane geometry on an ordered profile outline (pure numpy).

Conventions shared by the whole profile package:

* An outline is an ``(N, 2)`` float array of ``(x, y)`` pixel coordinates, **ordered from the top of the
  head (forehead side) down to the neck**, in the *canonical orientation*: the face points to the image
  right (+x), y points down. A photo of a left profile is mirrored into this orientation before any
  geometry runs (see :mod:`facebalance.profile.frame`).
* Walking along such an outline, the tissue lies behind (posterior to) the walking direction's left in
  image coordinates, so the **outward normal** of a step ``d = (dx, dy)`` is ``(dy, -dx) / |d|``: it points
  anterior on the face, down under the nose and chin, and up over the crown.
* A point's *depth under a chord* ``a -> b`` is its distance behind that chord along the chord's outward
  normal: positive inside a concavity (a pocket of the outline), negative on a bulge.
"""

from __future__ import annotations

import math

import numpy as np


def resample_polyline(points: np.ndarray, spacing: float) -> np.ndarray:
    """Points at equal arc-length ``spacing`` along a polyline.

    Parameters
    ----------
    points : ndarray of shape (N, 2)
        Polyline vertices in order; repeated vertices are allowed.
    spacing : float
        Arc length between output points, in the points' units (pixels).

    Returns
    -------
    ndarray of shape (M, 2)
        Starts at the first vertex; the last point lies within ``spacing`` of the last vertex.

    Examples
    --------
    >>> resample_polyline(np.array([[0.0, 0.0], [0.0, 3.0]]), 1.0).tolist()
    [[0.0, 0.0], [0.0, 1.0], [0.0, 2.0], [0.0, 3.0]]
    """
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) < 2:
        return pts.copy()
    seg = np.hypot(*np.diff(pts, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    keep = np.concatenate([[True], seg > 0])
    arc, pts = arc[keep], pts[keep]
    if arc[-1] == 0:
        return np.asarray(pts[:1].copy())
    s = np.arange(0.0, arc[-1] + 1e-9, spacing)
    return np.column_stack([np.interp(s, arc, pts[:, 0]), np.interp(s, arc, pts[:, 1])])


def gaussian_smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing along the first axis with edge values repeated (``sigma`` in samples).

    Examples
    --------
    >>> gaussian_smooth(np.array([1.0, 1.0, 1.0]), 2.0).tolist()
    [1.0, 1.0, 1.0]
    """
    arr = np.asarray(values, dtype=np.float64)
    if sigma <= 0 or len(arr) < 2:
        return arr.copy()
    half = max(1, math.ceil(3.0 * sigma))
    t = np.arange(-half, half + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (t / sigma) ** 2)
    kernel /= kernel.sum()
    pad = [(half, half)] + [(0, 0)] * (arr.ndim - 1)
    padded = np.pad(arr, pad, mode="edge")
    if arr.ndim == 1:
        return np.convolve(padded, kernel, mode="valid")
    return np.column_stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(arr.shape[1])])


def outward_normal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unit outward normal of the chord ``a -> b`` of a canonical outline (see the module docstring)."""
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    n = float(np.hypot(d[0], d[1]))
    if n == 0:
        return np.array([1.0, 0.0])
    return np.array([d[1], -d[0]]) / n


def depth_under_chord(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Depth of each point behind the chord ``a -> b`` (positive = in a pocket), shape (N,).

    Examples
    --------
    A point 2 px behind a vertical chord on a face looking to +x:

    >>> depth_under_chord(np.array([[-2.0, 5.0]]), np.array([0.0, 0.0]), np.array([0.0, 10.0])).tolist()
    [2.0]
    """
    n = outward_normal(a, b)
    return np.asarray((np.asarray(a, dtype=np.float64) - np.atleast_2d(points)) @ n)


def signed_distance_to_line(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Distance of ``p`` in front of (positive) or behind (negative) the line ``a -> b``.

    "In front" is the outward side of a canonical outline: anterior for a line running down the face.

    Examples
    --------
    >>> signed_distance_to_line(np.array([3.0, 5.0]), np.array([0.0, 0.0]), np.array([0.0, 10.0]))
    3.0
    """
    return -float(depth_under_chord(np.atleast_2d(p), a, b)[0])


def angle_at_deg(a: np.ndarray, vertex: np.ndarray, b: np.ndarray) -> float:
    """The angle a-vertex-b in degrees, in [0, 180].

    Examples
    --------
    >>> round(angle_at_deg(np.array([1.0, 0.0]), np.array([0.0, 0.0]), np.array([0.0, 1.0])), 6)
    90.0
    """
    u = np.asarray(a, dtype=np.float64) - vertex
    v = np.asarray(b, dtype=np.float64) - vertex
    nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
    if nu == 0 or nv == 0:
        return float("nan")
    c = float(np.clip(u @ v / (nu * nv), -1.0, 1.0))
    return math.degrees(math.acos(c))


def angle_between_directions_deg(d1: np.ndarray, d2: np.ndarray) -> float:
    """Angle between two direction vectors in degrees, in [0, 180]."""
    return angle_at_deg(np.asarray(d1, dtype=np.float64), np.zeros(2), np.asarray(d2, dtype=np.float64))


def hull_vertex_indices(points: np.ndarray) -> np.ndarray:
    """Indices of the convex-hull vertices of a point set, sorted ascending (Andrew's monotone chain).

    For a simple open outline closed by the chord from its last point to its first, consecutive sorted
    indices are consecutive hull vertices, so ``zip(idx[:-1], idx[1:])`` lists the hull edges that bridge
    the outline's pockets.

    Examples
    --------
    >>> hull_vertex_indices(np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 2.0], [2.0, 3.0], [0.0, 4.0]])).tolist()
    [0, 1, 3, 4]
    """
    pts = np.asarray(points, dtype=np.float64)
    n = len(pts)
    if n < 3:
        return np.arange(n)
    order = np.lexsort((pts[:, 1], pts[:, 0]))

    def cross(o: int, a: int, b: int) -> float:
        oa, ob = pts[a] - pts[o], pts[b] - pts[o]
        return float(oa[0] * ob[1] - oa[1] * ob[0])

    lower: list[int] = []
    for i in order:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], int(i)) <= 0:
            lower.pop()
        lower.append(int(i))
    upper: list[int] = []
    for i in order[::-1]:
        while len(upper) >= 2 and cross(upper[-2], upper[-1], int(i)) <= 0:
            upper.pop()
        upper.append(int(i))
    return np.array(sorted(set(lower[:-1] + upper[:-1])), dtype=np.int64)


def line_fit(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total-least-squares line through points (N, 2): ``(centroid, unit direction)``.

    The direction is oriented along the points' order (from the first toward the last point).
    """
    pts = np.asarray(points, dtype=np.float64)
    centre = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - centre, full_matrices=False)
    direction = vt[0]
    if (pts[-1] - pts[0]) @ direction < 0:
        direction = -direction
    return centre, direction


def close_narrow_notches(points: np.ndarray, width: float, max_arc: float) -> np.ndarray:
    """Bridge pockets whose mouth is narrower than ``width`` (a polyline "closing").

    A notch is a stretch of outline that leaves and returns to within ``width`` of where it left, at least
    ``3 width`` and at most ``max_arc`` later along the outline, and dips more than ``width`` behind the
    chord across its mouth: a nostril shadow at the columella base on an X-ray, slightly parted lips on a
    photo. Its points are moved onto that chord, so the outline keeps its length in samples.

    Parameters
    ----------
    points : ndarray of shape (N, 2)
        A polyline resampled at (about) unit spacing in pixels, canonical orientation.
    width, max_arc : float
        Pixels.

    Examples
    --------
    A 1 px wide, 10 px deep slot in a straight edge is bridged at its mouth:

    >>> edge = [[0.0, float(y)] for y in range(10)]
    >>> slot = [[-float(d), 10.0] for d in range(1, 11)] + [[-float(d), 11.0] for d in range(10, 0, -1)]
    >>> rest = [[0.0, float(y)] for y in range(11, 20)]
    >>> closed = close_narrow_notches(np.array(edge + slot + rest), 2.0, 30.0)
    >>> float(closed[:, 0].min())
    -1.0
    """
    pts = np.array(points, dtype=np.float64, copy=True)
    n = len(pts)
    if n < 4:
        return pts
    seg = np.hypot(*np.diff(pts, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    i = 0
    while i < n - 2:
        hi = int(np.searchsorted(arc, arc[i] + max_arc, side="right"))
        lo = int(np.searchsorted(arc, arc[i] + 3.0 * width, side="left"))
        if lo >= hi:
            i += 1
            continue
        d = np.hypot(*(pts[lo:hi] - pts[i]).T)
        close = np.flatnonzero(d < width)
        if close.size:
            j = lo + int(close[-1])
            if depth_under_chord(pts[i + 1 : j], pts[i], pts[j]).max() > width:
                t = (arc[i + 1 : j] - arc[i]) / (arc[j] - arc[i])
                pts[i + 1 : j] = pts[i] + t[:, None] * (pts[j] - pts[i])
                i = j
                continue
        i += 1
    return pts
