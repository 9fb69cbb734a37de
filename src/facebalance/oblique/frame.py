"""Sides, the canonical orientation and the in-plane head frame of a three-quarter photo.

**Sides.** ``oblique_right``: the patient's right side faces the camera (the patient turned to their left,
positive yaw, the nose points to the image right); ``oblique_left`` the other way. These are the photo
protocol's view names (``session/data/protocol_default.toml``). The silhouette read is the **far** side's:
on an ``oblique_right`` photo it is the patient's **left** cheek, on an ``oblique_left`` photo the right.

**Canonical orientation.** Everything is computed on the photo turned so that the nose points to +x (an
``oblique_right`` photo as taken, an ``oblique_left`` photo mirrored once, at the edge, with
:func:`facebalance.profile.frame.mirror_x`). The face mesh is run on that canonical image, so a photo and its
mirror image are analysed from the same pixels and give mirrored results exactly. In the canonical image the
far side is the mesh's *left* side (its ``*_LEFT`` points), whatever the patient's side.

**Head frame.** ``v`` is the head's inferior axis as it appears in the photo (the head's down direction,
turned by the head's rotation and projected), ``u`` is perpendicular to it toward the far side. Heights
(``v``) are what the measurements compare across the face: a turn about the vertical axis does not
foreshorten them, whereas horizontal distances in a three-quarter photo are foreshortened by the turn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: The two three-quarter views, by the side of the face toward the camera (the photo protocol's ids).
ObliqueView = Literal["oblique_left", "oblique_right"]
#: A patient's side.
Side = Literal["left", "right"]


def far_side(view: ObliqueView) -> Side:
    """The patient's side whose silhouette an oblique photo shows: the side turned away from the camera.

    >>> far_side("oblique_right")
    'left'
    """
    return "left" if view == "oblique_right" else "right"


def view_from_yaw(yaw_deg: float) -> ObliqueView:
    """The oblique view of a head turned ``yaw_deg`` (positive: the patient turned to their left).

    >>> view_from_yaw(35.0), view_from_yaw(-35.0)
    ('oblique_right', 'oblique_left')
    """
    return "oblique_right" if yaw_deg > 0 else "oblique_left"


@dataclass(frozen=True)
class ObliqueFrame:
    """The in-plane head frame of a canonical oblique photo (see the module docstring).

    Attributes
    ----------
    inferior : ndarray of shape (2,)
        Unit vector of the ``v`` axis (the head's down direction) in canonical image coordinates.
    """

    inferior: np.ndarray

    @property
    def lateral(self) -> np.ndarray:
        """Unit vector of the ``u`` axis (toward the far side, +x for an upright head), shape (2,)."""
        v = self.inferior
        return np.array([v[1], -v[0]])

    @property
    def roll_deg(self) -> float:
        """Angle of the head's vertical from the image vertical, degrees (positive: clockwise on screen)."""
        v = self.inferior
        return math.degrees(math.atan2(-v[0], v[1]))

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Canonical image points (N, 2) or (2,) to frame coordinates ``(u, v)``, same shape, pixels.

        Examples
        --------
        >>> ObliqueFrame(np.array([0.0, 1.0])).to_frame(np.array([3.0, 4.0])).tolist()
        [3.0, 4.0]
        """
        pts = np.asarray(xy, dtype=np.float64)
        return np.stack([pts @ self.lateral, pts @ self.inferior], axis=-1)

    def to_image(self, uv: np.ndarray) -> np.ndarray:
        """Frame coordinates (N, 2) or (2,) back to canonical image pixels."""
        pts = np.asarray(uv, dtype=np.float64)
        image: np.ndarray = pts[..., :1] * self.lateral + pts[..., 1:2] * self.inferior
        return image


def frame_from_rotation(rotation: np.ndarray) -> ObliqueFrame:
    """The head frame of a head rotation given in image axes (x right, y down, z into the scene).

    Parameters
    ----------
    rotation : ndarray of shape (3, 3)
        Head -> image rotation (:func:`facebalance.vision.pose.rotation_in_image_axes` of the mesh's
        transformation), for the canonical image.

    Examples
    --------
    An upright head turned about the vertical keeps the image vertical:

    >>> a = math.radians(40)
    >>> turn = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    >>> np.round(frame_from_rotation(turn).inferior, 6).tolist()
    [0.0, 1.0]
    """
    down = np.asarray(rotation, dtype=np.float64) @ np.array([0.0, 1.0, 0.0])
    v = down[:2]
    norm = float(np.hypot(v[0], v[1]))
    if norm < 1e-6:
        # The head's vertical points at the camera (a face seen from above or below): keep the image axes.
        return ObliqueFrame(np.array([0.0, 1.0]))
    return ObliqueFrame(v / norm)
