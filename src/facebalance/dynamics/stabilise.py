"""Removing head motion: every frame is mapped onto the rest frame by a similarity fitted on stable points.

Movement is the change of a point relative to the skull, so the head's own motion (turning, nodding,
leaning toward the camera) must come out first. Each frame's mesh is mapped onto the rest frame's mesh by
the least-squares similarity (rotation, uniform scale, translation; Umeyama 1991 [1]_) fitted on points the
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

#: Reweighting passes after the first fit.
ROBUST_ITERATIONS = 3
#: A point whose residual exceeds this many times the median residual gets weight (this x median / residual).
ROBUST_CUTOFF = 2.0


@dataclass(frozen=True)
class Similarity:
    """``target = scale * rotation @ source + translation`` for column vectors.

    Attributes
    ----------
    scale : float
    rotation : ndarray of shape (d, d)
        Proper rotation (determinant +1).
    translation : ndarray of shape (d,)
    """

    scale: float
    rotation: np.ndarray
    translation: np.ndarray

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Map points of shape (..., d)."""
        return np.asarray(points, dtype=np.float64) @ (self.scale * self.rotation).T + self.translation


def umeyama(source: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> Similarity:
    """The similarity that maps ``source`` onto ``target`` with the least (weighted) squared error.

    Parameters
    ----------
    source, target : ndarray of shape (N, d)
        Corresponding points, N >= d.
    weights : ndarray of shape (N,), optional
        Non-negative weights (default: all one).

    Examples
    --------
    A square turned by 90 degrees, doubled and shifted is recovered:

    >>> src = np.array([[0.0, 0], [1, 0], [1, 1], [0, 1]])
    >>> dst = 2 * src @ np.array([[0.0, -1], [1, 0]]).T + [5, 7]
    >>> t = umeyama(src, dst)
    >>> round(t.scale, 6), np.round(t.translation, 6).tolist()
    (2.0, [5.0, 7.0])
    """
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(target, dtype=np.float64)
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mu_src, mu_dst = w @ src, w @ dst
    s, d = src - mu_src, dst - mu_dst
    covariance = (d * w[:, None]).T @ s
    u, sv, vt = np.linalg.svd(covariance)
    sign = np.ones(src.shape[1])
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1.0
    rotation = (u * sign) @ vt
    variance = float((w * (s**2).sum(axis=1)).sum())
    scale = float((sv * sign).sum() / variance) if variance > 0 else 1.0
    return Similarity(scale=scale, rotation=rotation, translation=mu_dst - scale * rotation @ mu_src)


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
    return (np.asarray(points_px, dtype=np.float64) - frame.origin_px) @ frame.rotation
