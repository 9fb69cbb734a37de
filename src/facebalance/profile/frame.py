"""The head-oriented frame of a profile and the mirroring into the canonical orientation.

A lateral photo shows the face looking to the image right or to the image left. Everything downstream
works on the **canonical orientation** (face toward +x, as on the cephalograms), so a left-looking photo is
mirrored once, at the edge: ``x' = (width - 1) - x`` for pixel centres at integer coordinates. Mirroring
is its own inverse, so the same function maps results back for drawing.

The **head frame** has its origin at the canonical image origin and two axes:

* ``u`` **anterior**: the direction the face looks, along the Frankfort horizontal;
* ``v`` **inferior**: perpendicular to ``u``, toward the chin.

The clinical profile photograph is taken in natural head position with the Frankfort horizontal level
(and a cephalogram in the cephalostat with the same orientation), so by default the frame is the image
axes (``tilt_deg = 0``). When the head is known to be tilted (chin raised by ``tilt_deg`` degrees, e.g.
read from the porion-orbitale line by the clinician), the frame is rotated by that angle so that
"most anterior" and "lowest" keep their anatomical meaning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: Which way the nose points in the image. ``"right"``: the patient's right side faces the camera
#: (a right profile); ``"left"``: a left profile. Photos are taken non-mirrored.
Facing = Literal["left", "right"]


@dataclass(frozen=True)
class ProfileFrame:
    """Head-oriented frame of a canonical profile (see the module docstring).

    Attributes
    ----------
    tilt_deg : float
        Angle of the head's anterior axis above the image horizontal, degrees; positive = chin raised.
    """

    tilt_deg: float = 0.0

    @property
    def anterior(self) -> np.ndarray:
        """Unit vector of the ``u`` axis in canonical image coordinates (x right, y down), shape (2,)."""
        t = math.radians(self.tilt_deg)
        return np.array([math.cos(t), -math.sin(t)])

    @property
    def inferior(self) -> np.ndarray:
        """Unit vector of the ``v`` axis in canonical image coordinates, shape (2,)."""
        t = math.radians(self.tilt_deg)
        return np.array([math.sin(t), math.cos(t)])

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Canonical image points (N, 2) or (2,) to frame coordinates ``(u, v)``, same shape, pixels.

        Examples
        --------
        >>> ProfileFrame(0.0).to_frame(np.array([3.0, 4.0])).tolist()
        [3.0, 4.0]
        >>> [round(c, 6) + 0.0 for c in ProfileFrame(90.0).to_frame(np.array([0.0, -1.0])).tolist()]
        [1.0, 0.0]
        """
        pts = np.asarray(xy, dtype=np.float64)
        return np.stack([pts @ self.anterior, pts @ self.inferior], axis=-1)

    def to_image(self, uv: np.ndarray) -> np.ndarray:
        """Frame coordinates (N, 2) or (2,) back to canonical image pixels."""
        pts = np.asarray(uv, dtype=np.float64)
        return np.asarray(pts[..., :1] * self.anterior + pts[..., 1:2] * self.inferior)


def mirror_x(points_xy: np.ndarray, width: int) -> np.ndarray:
    """Mirror pixel coordinates (N, 2) across the vertical centre line of an image ``width`` wide.

    Examples
    --------
    >>> mirror_x(np.array([[0.0, 5.0], [9.0, 1.0]]), 10).tolist()
    [[9.0, 5.0], [0.0, 1.0]]
    """
    pts = np.array(points_xy, dtype=np.float64, copy=True)
    pts[..., 0] = (width - 1) - pts[..., 0]
    return pts


def to_canonical(points_xy: np.ndarray, facing: Facing, width: int) -> np.ndarray:
    """Image points of a photo looking ``facing`` into the canonical orientation (face toward +x)."""
    return mirror_x(points_xy, width) if facing == "left" else np.array(points_xy, dtype=np.float64, copy=True)


def canonical_image(rgb: np.ndarray, facing: Facing) -> np.ndarray:
    """The image array in the canonical orientation (a mirrored copy for a left profile), shape unchanged."""
    return np.ascontiguousarray(rgb[:, ::-1]) if facing == "left" else rgb
