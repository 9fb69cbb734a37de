"""The iris diameter in pixels: the one measure of image scale every view calibrates on.

The face mesh's iris contour has four points per eye; its horizontal diameter runs from the lateral to the
medial point. Which mesh vertices those are is the caller's (:data:`facebalance.anatomy.landmarks.
IRIS_DIAMETER_ENDS`), so this module stays free of mesh indices.
"""

from __future__ import annotations

import numpy as np

#: ``((right lateral, right medial), (left lateral, left medial))``: the ends of each iris's horizontal
#: diameter, patient's right first.
IrisEnds = tuple[tuple[int, int], tuple[int, int]]


def iris_diameters_px(points_px: np.ndarray, ends: IrisEnds, *, in_image_plane: bool = False) -> tuple[float, float]:
    """Horizontal diameters of the two iris contours (right, left), pixels.

    Parameters
    ----------
    points_px : ndarray of shape (N, 2) or (N, 3)
        Mesh points, pixels (z, when given, on the x scale).
    ends : IrisEnds
        Indices of each diameter's end points in ``points_px``.
    in_image_plane : bool
        Measure in x and y only: the iris as it appears in the photo. By default all given coordinates are
        used, so that with the mesh's depth a turned head does not shrink the diameters.

    Examples
    --------
    >>> pts = np.array([[0.0, 0, 0], [10, 0, 0], [20, 0, 0], [32, 0, 5]])
    >>> iris_diameters_px(pts, ((1, 0), (2, 3)))
    (10.0, 13.0)
    >>> iris_diameters_px(pts, ((1, 0), (2, 3)), in_image_plane=True)
    (10.0, 12.0)
    """
    pts = np.asarray(points_px, dtype=np.float64)
    if in_image_plane:
        pts = pts[..., :2]
    (right_lateral, right_medial), (left_lateral, left_medial) = ends
    right = float(np.linalg.norm(pts[right_lateral] - pts[right_medial]))
    left = float(np.linalg.norm(pts[left_lateral] - pts[left_medial]))
    return right, left


def mean_iris_diameter_px(points_px: np.ndarray, ends: IrisEnds, *, in_image_plane: bool = False) -> float:
    """The mean of the two iris diameters (:func:`iris_diameters_px`), pixels."""
    right, left = iris_diameters_px(points_px, ends, in_image_plane=in_image_plane)
    return (right + left) / 2.0
