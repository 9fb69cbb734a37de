"""The face mesh's surface topology (triangles), read once from MediaPipe's own connection tables.

The 478-point mesh is a triangulated surface. Its triangles are what the mesh's *silhouette* is made of:
projected into the photo, their union covers the face, and the boundary of that union is where the
model puts the edge of the face. MediaPipe ships the triangulation as ``FACE_LANDMARKS_TESSELATION``, a
list of edges three per triangle (``a-b, b-c, c-a``); it becomes a plain ``(T, 3)`` index array here, so
the measurement code never imports MediaPipe. This is topology, not anatomy: named points stay in
:mod:`facebalance.anatomy.landmarks`.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=1)
def mesh_triangles() -> np.ndarray:
    """The mesh's triangles as vertex indices.

    Returns
    -------
    ndarray of shape (T, 3), int64
        One row per triangle of the 468-vertex face surface (the iris points 468-477 are not part of it).
        Read-only.

    Raises
    ------
    RuntimeError
        The installed MediaPipe lists its tessellation in an unexpected form (not closed edge triples).
    """
    from mediapipe.tasks.python.vision import FaceLandmarksConnections

    edges = np.array(
        [(c.start, c.end) for c in FaceLandmarksConnections.FACE_LANDMARKS_TESSELATION], dtype=np.int64
    ).reshape(-1, 3, 2)
    # Each triple must close: a-b, b-c, c-a.
    closed = (
        (edges[:, 0, 1] == edges[:, 1, 0]) & (edges[:, 1, 1] == edges[:, 2, 0]) & (edges[:, 2, 1] == edges[:, 0, 0])
    )
    if not closed.all():
        raise RuntimeError("MediaPipe's FACE_LANDMARKS_TESSELATION is not a list of closed edge triples.")
    triangles = np.ascontiguousarray(edges[:, :, 0])
    triangles.setflags(write=False)
    return triangles


@functools.lru_cache(maxsize=2)
def mesh_feature_contour(feature: str) -> tuple[int, ...]:
    """Vertices of MediaPipe's own contour of a facial feature (``"nose"`` or ``"lips"``), sorted.

    The contours are the model's ``FACE_LANDMARKS_NOSE`` (the dorsum and the loop around the tip and alae) and
    ``FACE_LANDMARKS_LIPS`` (outer and inner lip lines). A view pipeline uses them to tell where a feature
    stands in front of the cheek (:func:`facebalance.oblique.prior.feature_region`).

    Raises
    ------
    ValueError
        An unknown feature.
    """
    from mediapipe.tasks.python.vision import FaceLandmarksConnections

    tables = {
        "nose": FaceLandmarksConnections.FACE_LANDMARKS_NOSE,
        "lips": FaceLandmarksConnections.FACE_LANDMARKS_LIPS,
    }
    if feature not in tables:
        raise ValueError(f"unknown feature {feature!r}; use one of {sorted(tables)}")
    return tuple(sorted({c.start for c in tables[feature]} | {c.end for c in tables[feature]}))
