"""The face mesh's far-side silhouette: the prior the image refinement starts from (pure).

At three-quarter yaws (about 15-60 degrees) the face mesh still fits the face, and the outer boundary of its
projected triangles is where the model puts the edge of the face: on the side the nose points to, that is
the far cheek's silhouette. :func:`mesh_silhouette` rasterises the triangles (sub-pixel, at a fixed number
of grid pixels across the face, so the result does not depend on the photo's size) and returns the outer
boundary; :func:`far_run` keeps the run from the temple over the cheek and jaw to the chin.
"""

from __future__ import annotations

import cv2
import numpy as np

from facebalance.oblique.frame import ObliqueFrame
from facebalance.profile.geometry import gaussian_smooth, resample_polyline

#: The mesh is rasterised with this many grid pixels along the face's longer side.
GRID_LONG_SIDE_PX = 1000
#: Fixed-point bits of the rasteriser's vertex coordinates (1/16 grid pixel).
_SHIFT = 4


def mesh_silhouette(landmarks_px: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Outer boundary of the union of the mesh's projected triangles.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 2) or (478, 3)
        Mesh points in pixels of the (canonical) image; only x and y are used.
    triangles : ndarray of shape (T, 3), int
        Vertex indices (:func:`facebalance.vision.mesh_topology.mesh_triangles`).

    Returns
    -------
    ndarray of shape (M, 2)
        A closed polygon (first point not repeated) in the same pixels, about one grid pixel apart.

    Examples
    --------
    Two triangles making a square:

    >>> pts = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]])
    >>> ring = mesh_silhouette(pts, np.array([[0, 1, 2], [0, 2, 3]]))
    >>> (np.round(ring.min(axis=0)) + 0.0).tolist(), np.round(ring.max(axis=0)).tolist()
    ([0.0, 0.0], [100.0, 100.0])
    """
    xy = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    used = np.unique(np.asarray(triangles))
    lo = xy[used].min(axis=0)
    span = xy[used].max(axis=0) - lo
    scale = GRID_LONG_SIDE_PX / max(float(span.max()), 1e-9)
    margin = 4
    grid = (xy - lo) * scale + margin
    h = int(np.ceil(span[1] * scale)) + 2 * margin + 1
    w = int(np.ceil(span[0] * scale)) + 2 * margin + 1
    mask = np.zeros((h, w), dtype=np.uint8)
    fixed = np.round(grid * (1 << _SHIFT)).astype(np.int32)
    for tri in np.asarray(triangles):
        cv2.fillConvexPoly(mask, fixed[tri], 1, lineType=cv2.LINE_8, shift=_SHIFT)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    ring = max(contours, key=len)[:, 0, :].astype(np.float64)
    # The rasterised staircase, smoothed over about a grid pixel (a closed curve: wrap around).
    pad = 8
    wrapped = np.concatenate([ring[-pad:], ring, ring[:pad]])
    ring = gaussian_smooth(wrapped, 1.0)[pad:-pad]
    image: np.ndarray = (ring - margin) / scale + lo
    return image


def far_run(
    ring: np.ndarray,
    frame: ObliqueFrame,
    *,
    start_v: float,
    end_xy: np.ndarray,
    spacing_px: float,
    end_extra_px: float = 0.0,
) -> np.ndarray:
    """The far side of a closed face silhouette, from the temple level down to the chin.

    Parameters
    ----------
    ring : ndarray of shape (M, 2)
        Closed silhouette (:func:`mesh_silhouette`), canonical pixels (the far side toward +u).
    frame : ObliqueFrame
        The head frame.
    start_v : float
        Height (frame ``v``) where the run starts: the top of the temple.
    end_xy : ndarray of shape (2,)
        The run ends at the silhouette point nearest to this point (the chin's lowest point).
    spacing_px : float
        Arc-length spacing of the returned points.
    end_extra_px : float
        The run goes on this far (arc length) past the point nearest ``end_xy``, so that the whole lower
        border of the chin is covered.

    Returns
    -------
    ndarray of shape (N, 2)
        Ordered from the temple down to the chin.

    Examples
    --------
    A circle of radius 10: the far (+x) half from the top down to the bottom.

    >>> a = np.linspace(0.0, 2 * np.pi, 400, endpoint=False)
    >>> ring = np.column_stack([10 * np.cos(a), 10 * np.sin(a)])
    >>> run = far_run(ring, ObliqueFrame(np.array([0.0, 1.0])), start_v=-10.0, end_xy=np.array([0.0, 10.0]),
    ...               spacing_px=1.0)
    >>> bool(run[:, 0].min() > -0.5), round(float(run[:, 0].max()), 1)
    (True, 10.0)
    """
    pts = np.asarray(ring, dtype=np.float64)
    n = len(pts)
    uv = frame.to_frame(pts)
    top = int(np.argmin(uv[:, 1]))
    end = int(np.argmin(np.hypot(*(pts - np.asarray(end_xy, dtype=np.float64)).T)))
    forward = (top + np.arange((end - top) % n + 1)) % n
    backward = (top - np.arange((top - end) % n + 1)) % n
    way = 1 if uv[forward, 0].mean() >= uv[backward, 0].mean() else -1
    path = forward if way == 1 else backward
    if end_extra_px > 0:
        step = float(np.median(np.hypot(*np.diff(pts, axis=0).T)))
        extra = min(n - len(path), int(end_extra_px / max(step, 1e-9)))
        path = np.concatenate([path, (path[-1] + way * np.arange(1, extra + 1)) % n])
    run = pts[path]
    run_uv = uv[path]
    # The temple starts below start_v, where the silhouette runs down the side of the head rather than
    # across the top of the forehead (its tangent within 45 degrees of the head's vertical).
    tangent = np.gradient(gaussian_smooth(run_uv, 3.0), axis=0)
    descending = tangent[:, 1] >= np.abs(tangent[:, 0])
    below = np.flatnonzero((run_uv[:, 1] >= start_v) & descending)
    first = int(below[0]) if below.size else 0
    return resample_polyline(run[first:], spacing_px)


def feature_region(landmarks_px: np.ndarray, head_xy: np.ndarray, contour: tuple[int, ...]) -> np.ndarray:
    """The photo's polygon covered by a facial feature (the nose, the lips) of the mesh.

    The feature's vertices are those inside its contour as seen from the front (in the head frame, where the
    turn is undone); their convex hull in the photo is where the feature may stand in front of the cheek.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 2) or (478, 3)
        Mesh points in pixels of the (canonical) image.
    head_xy : ndarray of shape (478, 2)
        The same points in the frontal head frame (:func:`facebalance.anatomy.frame.head_frame`), x and y.
    contour : tuple of int
        The feature's contour vertices (:func:`facebalance.vision.mesh_topology.mesh_feature_contour`).

    Returns
    -------
    ndarray of shape (K, 2)
        Convex polygon in image pixels.

    Examples
    --------
    A square contour with one vertex inside it and one outside: the region spans the contour and the inner one.

    >>> head = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [5.0, 5.0], [20.0, 5.0]])
    >>> region = feature_region(head * 2, head, (0, 1, 2, 3))
    >>> float(region[:, 0].max())
    20.0
    """
    head = np.asarray(head_xy, dtype=np.float64)[:, :2]
    outline = cv2.convexHull(head[list(contour)].astype(np.float32))
    inside = [
        i for i in range(len(head)) if cv2.pointPolygonTest(outline, (float(head[i, 0]), float(head[i, 1])), False) >= 0
    ]
    image = np.asarray(landmarks_px, dtype=np.float64)[inside, :2]
    return cv2.convexHull(image.astype(np.float32))[:, 0, :].astype(np.float64)


def inside_region(points_px: np.ndarray, region: np.ndarray, *, margin_px: float) -> np.ndarray:
    """Whether each point (N, 2) lies inside a convex polygon or within ``margin_px`` of it.

    Examples
    --------
    >>> square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    >>> inside_region(np.array([[5.0, 5.0], [12.0, 5.0], [20.0, 5.0]]), square, margin_px=3.0).tolist()
    [True, True, False]
    """
    poly = np.asarray(region, dtype=np.float32).reshape(-1, 1, 2)
    return np.array(
        [cv2.pointPolygonTest(poly, (float(x), float(y)), True) >= -margin_px for x, y in np.asarray(points_px)],
        dtype=bool,
    )
