"""Removing head motion: every frame is mapped onto the rest frame by a similarity fitted on stable points.

Movement is the change of a point relative to the skull, so the head's own motion (turning, nodding,
leaning toward the camera) must come out first. Each frame's mesh is mapped onto the rest frame's mesh by
the least-squares similarity (rotation, uniform scale, translation; Umeyama 1991 [1]_,
:func:`facebalance.geometry.similarity.umeyama`) fitted on points the
expressions assessed here hardly move (:data:`facebalance.anatomy.landmarks.STABLE_POINTS`: eye corners,
nasal bridge, forehead, face outline at the cheekbones). The fit is in 3-D (x, y and the mesh's depth on
the x scale) so that small head turns are undone too, and it is iteratively reweighted: a stable point
that an expression does move (the forehead on a brow raise, the eye corners on a tight closure) is
down-weighted by its residual rather than allowed to drag the whole face.

References
----------
.. [1] Umeyama S. Least-squares estimation of transformation parameters between two point patterns.
       IEEE Trans Pattern Anal Mach Intell. 1991;13(4):376-380.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import STABLE_POINTS
from facebalance.geometry.similarity import Similarity, umeyama

#: Reweighting passes after the first fit.
ROBUST_ITERATIONS = 3
#: A point whose residual exceeds this many times the median residual gets weight (this x median / residual).
ROBUST_CUTOFF = 2.0


@dataclass(frozen=True)
class Alignment:
    """One frame mapped onto the reference.

    Attributes
    ----------
    transform : Similarity
        Frame pixels -> reference-frame pixels (3-D, z on the x scale).
    residual_px : float
        Root-mean-square distance of the stable points after the fit, reference pixels: how rigid the
        frame's "stable" points really were (large on a bad track).
    """

    transform: Similarity
    residual_px: float


def align(points: np.ndarray, reference: np.ndarray, stable: tuple[int, ...] = STABLE_POINTS) -> Alignment:
    """Fit the robust similarity mapping a frame's mesh onto the reference mesh.

    Parameters
    ----------
    points, reference : ndarray of shape (478, 3)
        Mesh points of the frame and of the reference (rest) frame, pixels, z on the x scale.
    stable : tuple of int
        Mesh vertices used for the fit.
    """
    src = np.asarray(points, dtype=np.float64)[list(stable)]
    dst = np.asarray(reference, dtype=np.float64)[list(stable)]
    weights = np.ones(len(src))
    transform = umeyama(src, dst, weights)
    for _ in range(ROBUST_ITERATIONS):
        residual = np.linalg.norm(transform.apply(src) - dst, axis=1)
        scale = float(np.median(residual))
        if scale <= 1e-12:
            break
        weights = np.minimum(1.0, ROBUST_CUTOFF * scale / np.maximum(residual, 1e-12))
        transform = umeyama(src, dst, weights)
    residual = np.linalg.norm(transform.apply(src) - dst, axis=1)
    return Alignment(transform=transform, residual_px=float(np.sqrt(np.mean(residual**2))))


def to_head_frame(frame: HeadFrame, points_px: np.ndarray) -> np.ndarray:
    """Express reference-image points (..., 3) in the reference's head frame (x to the patient's left, y down)."""
    return np.asarray((np.asarray(points_px, dtype=np.float64) - frame.origin_px) @ frame.rotation)
