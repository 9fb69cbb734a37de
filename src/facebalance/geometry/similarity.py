"""The least-squares similarity between two point sets (Umeyama 1991 [1]_), in 2-D or 3-D.

One fit serves the head-motion removal of the dynamic assessment (3-D, iteratively reweighted on stable
points; :mod:`facebalance.dynamics.stabilise`) and the before/after alignment (2-D, image pixels;
:mod:`facebalance.beforeafter.align`).

References
----------
.. [1] Umeyama S. Least-squares estimation of transformation parameters between two point patterns.
       IEEE Trans Pattern Anal Mach Intell. 1991;13(4):376-380.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Similarity:
    """``target = scale * rotation @ source + translation`` for column vectors, in d = 2 or 3 dimensions.

    Attributes
    ----------
    scale : float
        Target units per source unit (e.g. before pixels per after pixel).
    rotation : ndarray of shape (d, d)
        Proper rotation (determinant +1).
    translation : ndarray of shape (d,)
        In target units.
    """

    scale: float
    rotation: np.ndarray
    translation: np.ndarray

    @property
    def matrix(self) -> np.ndarray:
        """The d x (d + 1) affine matrix ``[scale * rotation | translation]`` (in 2-D, ``cv2.warpAffine``'s
        source -> destination convention)."""
        return np.column_stack([self.scale * self.rotation, self.translation])

    @property
    def rotation_deg(self) -> float:
        """A 2-D rotation's angle, counter-clockwise in a y-up sense (with image y down, clockwise on screen)."""
        if self.rotation.shape != (2, 2):
            raise ValueError("rotation_deg is defined for a 2-D similarity only")
        return math.degrees(math.atan2(float(self.rotation[1, 0]), float(self.rotation[0, 0])))

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Map source points of shape (..., d) to target points (..., d)."""
        return np.asarray(np.asarray(points, dtype=np.float64) @ (self.scale * self.rotation).T + self.translation)

    def inverse(self) -> Similarity:
        """The similarity taking target points back to source points: ``R^T (x - t) / scale``."""
        back = self.rotation.T
        return Similarity(scale=1.0 / self.scale, rotation=back, translation=-(back @ self.translation) / self.scale)


def umeyama(source: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> Similarity:
    """The similarity mapping ``source`` onto ``target`` with the least (weighted) squared error.

    Parameters
    ----------
    source, target : ndarray of shape (N, d)
        Corresponding points, N >= 2, the source points not all coincident.
    weights : ndarray of shape (N,), optional
        Non-negative weights (default: all equal).

    Returns
    -------
    Similarity
        ``target ~ scale * rotation @ source + translation``; a reflection is never returned.

    Raises
    ------
    ValueError
        The point sets differ in shape, hold fewer than two points, or the source points coincide.

    Examples
    --------
    A square turned by 90 degrees, doubled and shifted is recovered:

    >>> src = np.array([[0.0, 0], [1, 0], [1, 1], [0, 1]])
    >>> t = umeyama(src, 2 * src @ np.array([[0.0, -1], [1, 0]]).T + [5, 7])
    >>> round(t.scale, 6), round(t.rotation_deg, 6), np.round(t.translation, 6).tolist()
    (2.0, 90.0, [5.0, 7.0])

    and the inverse takes the target back:

    >>> np.allclose(t.inverse().apply(t.apply(src)), src)
    True
    """
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(target, dtype=np.float64)
    if src.shape != dst.shape or src.ndim != 2 or len(src) < 2:
        raise ValueError(f"need two equal (N >= 2, d) point sets, got {src.shape} and {dst.shape}")
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mu_src, mu_dst = w @ src, w @ dst
    s, d = src - mu_src, dst - mu_dst
    variance = float((w * (s**2).sum(axis=1)).sum())
    if variance <= 0:
        raise ValueError("the source points coincide; a similarity is undefined")
    u, sv, vt = np.linalg.svd((d * w[:, None]).T @ s)
    sign = np.ones(src.shape[1])
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1.0
    rotation = (u * sign) @ vt
    scale = float((sv * sign).sum() / variance)
    return Similarity(scale=scale, rotation=rotation, translation=mu_dst - scale * rotation @ mu_src)
