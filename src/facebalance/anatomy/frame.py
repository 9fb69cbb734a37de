"""The head-aligned measurement frame.

Measurements are taken in a frame attached to the head, not to the image, so that a tilted or slightly
turned head gives the same numbers as a straight one. The mesh points (image pixels, z on the x scale)
are rotated by the inverse of the head rotation estimated by the geometry pipeline; roll is removed
exactly, yaw and pitch through the mesh's depth estimate (good for the small turns a standard frontal
photo allows; the photo protocol bounds them).

Frame axes: x toward the patient's **left** (image right for an upright, non-mirrored photo),
y **down** (chin direction), z away from the camera. The origin is the midpoint of the pupils. Units
stay pixels of the analysed image; :class:`~facebalance.anatomy.calibration.Calibration` turns them into mm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from facebalance.anatomy.landmarks import Landmark
from facebalance.geometry.pose import HeadPose

#: The name of each single-vertex anatomical point, as measurements name their points ("cheilion_right").
_POINT_NAMES: dict[int, str] = {int(member): member.name.lower() for member in Landmark}


@dataclass(frozen=True)
class RefinedPoint:
    """A named anatomical point placed on the photo, or, where the image did not show it, on the mesh.

    Attributes
    ----------
    name : str
        The point's name as measurements cite it (``"cheilion_right"``, ``"stomion"``, ``"alare_left"``).
    xy : ndarray of shape (2,)
        Frontal-plane position in the head frame, pixels of the analysed image.
    mesh_xy : ndarray of shape (2,)
        The face mesh's estimate (the search's prior and the fallback).
    method : str
        How the point was found, for the report (e.g. ``"image: end of the dark oral fissure"``).
    refined : bool
        True when read from the image; False when the mesh's estimate is used.
    sigma_px : float or None
        One-sigma localisation error per coordinate, pixels (``None``: the calibration's mesh value).
    depth_px : float
        Head-frame depth at which the point was read (its mesh vertex's), to map it back into the image.
    """

    name: str
    xy: np.ndarray
    mesh_xy: np.ndarray
    method: str
    refined: bool
    sigma_px: float | None = None
    depth_px: float = 0.0


@dataclass(frozen=True)
class HeadFrame:
    """Mesh points expressed in the head-aligned frame.

    Attributes
    ----------
    points_px : ndarray of shape (478, 3)
        Points in the head frame, pixels of the analysed image.
    rotation : ndarray of shape (3, 3)
        Head rotation in image axes; ``image = rotation @ head + origin``.
    origin_px : ndarray of shape (3,)
        The pupils' midpoint in image pixels.
    pose : HeadPose
        The pose the photo was taken at (reported with every measurement set).
    refined : mapping of str to RefinedPoint
        Points placed on the photo (:mod:`facebalance.anatomy.refine`), by name; :meth:`point` returns them
        in place of the mesh vertex.
    """

    points_px: np.ndarray
    rotation: np.ndarray
    origin_px: np.ndarray
    pose: HeadPose
    refined: Mapping[str, RefinedPoint] = field(default_factory=dict)

    def point(self, landmark: int) -> np.ndarray:
        """The (x, y) frontal-plane position of one anatomical point: refined on the photo where it was,
        else the mesh vertex's."""
        found = self.refined.get(_POINT_NAMES.get(int(landmark), ""))
        return found.xy if found is not None else self.points_px[int(landmark), :2]

    def mesh_point(self, landmark: int) -> np.ndarray:
        """The (x, y) frontal-plane position of one mesh vertex, never refined."""
        return self.points_px[int(landmark), :2]

    def from_image(self, point_px: np.ndarray, depth_px: float = 0.0) -> np.ndarray:
        """The head-frame (x, y) whose image at head-frame depth ``depth_px`` is the image point (x, y): the
        inverse of :meth:`to_image` at that depth."""
        r = self.rotation
        rhs = np.asarray(point_px, dtype=np.float64)[:2] - self.origin_px[:2] - r[:2, 2] * float(depth_px)
        return np.asarray(np.linalg.solve(r[:2, :2], rhs), dtype=np.float64)

    def sigma_px(self, name: str) -> float | None:
        """One-sigma localisation error of a named point, pixels; ``None`` where the calibration's mesh
        value applies (the point is not refined or has no stated sigma)."""
        found = self.refined.get(name)
        return None if found is None else found.sigma_px

    def sigmas_px(self, a: str, b: str) -> tuple[float | None, float | None]:
        """:meth:`sigma_px` of two named points, for a measurement between them."""
        return self.sigma_px(a), self.sigma_px(b)

    def with_refined(self, points: Mapping[str, RefinedPoint]) -> HeadFrame:
        """The same frame with these named points placed (replacing any of the same name)."""
        return replace(self, refined={**self.refined, **points})

    def to_image(self, points_xy: np.ndarray, depth_px: float = 0.0) -> np.ndarray:
        """Map frontal-plane head-frame points (N, 2), at a head-frame depth, back to image pixels (N, 2)."""
        pts = np.atleast_2d(np.asarray(points_xy, dtype=np.float64))
        full = np.column_stack([pts, np.full(len(pts), float(depth_px))])
        return np.asarray((full @ self.rotation.T + self.origin_px)[:, :2])


def head_frame(landmarks_px: np.ndarray, rotation: np.ndarray, pose: HeadPose) -> HeadFrame:
    """Express mesh points in the head-aligned frame.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Mesh points in image pixels (x right, y down, z into the scene, on the x scale).
    rotation : ndarray of shape (3, 3)
        Head rotation in the same image axes (:func:`facebalance.vision.pose.rotation_in_image_axes`).
    pose : HeadPose
        The decomposed pose, kept for reporting.

    Examples
    --------
    A face rotated in the image plane comes back upright:

    >>> import math
    >>> pts = np.zeros((478, 3))
    >>> pts[Landmark.PUPIL_RIGHT] = (-30, 0, 0); pts[Landmark.PUPIL_LEFT] = (30, 0, 0)
    >>> a = math.radians(10)
    >>> rot = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    >>> frame = head_frame(pts @ rot.T + (100, 100, 0), rot, HeadPose(0, 0, 10))
    >>> np.round(frame.point(Landmark.PUPIL_LEFT), 6).tolist()
    [30.0, 0.0]
    """
    pts = np.asarray(landmarks_px, dtype=np.float64)
    origin = (pts[Landmark.PUPIL_RIGHT] + pts[Landmark.PUPIL_LEFT]) / 2.0
    rotation = np.asarray(rotation, dtype=np.float64)
    head = (pts - origin) @ rotation  # row-vector form of rotation.T @ (p - origin)
    # The clinical horizontal is the interpupillary line. The geometry pipeline's roll differs from it by
    # up to about a degree, in a direction that does not flip with the face, so level the pupils exactly.
    dx, dy = head[Landmark.PUPIL_LEFT, :2] - head[Landmark.PUPIL_RIGHT, :2]
    norm = float(np.hypot(dx, dy))
    if norm > 0:
        c, s = dx / norm, dy / norm
        level = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        rotation = rotation @ level
        head = head @ level
    return HeadFrame(points_px=head, rotation=rotation, origin_px=origin, pose=pose)


def image_to_head(frame: HeadFrame, point_px: np.ndarray, depth_px: float = 0.0) -> np.ndarray:
    """Map an image point (x, y), at an assumed depth (image z), into the head frame's (x, y)."""
    p = np.array([point_px[0], point_px[1], depth_px], dtype=np.float64)
    return np.asarray(((p - frame.origin_px) @ frame.rotation)[:2])
