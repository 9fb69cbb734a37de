"""Head pose: yaw, pitch and roll of a head rotation, and the nearest rotation to a measured matrix.

Conventions (used everywhere in facebalance; checked against AFLW2000-3D photos in the tests):

* ``yaw_deg`` > 0: the patient has turned the head to **their left** (the nose points to image right).
* ``pitch_deg`` > 0: the chin is raised (the head tilted back).
* ``roll_deg`` > 0: the head is tilted toward the patient's **left** shoulder (on screen the face turns
  clockwise).

Rotations here are in image axes (x right, y down, z into the scene) and decompose as
R = Rz(roll) @ Ry(yaw) @ Rx(pitch). How a model's own matrix becomes such a rotation is the model
adapter's business (:mod:`facebalance.vision.pose`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HeadPose:
    """Head orientation relative to the camera, in degrees (see module docstring for signs)."""

    yaw_deg: float
    pitch_deg: float
    roll_deg: float

    def as_dict(self) -> dict[str, float]:
        return {
            "yaw_deg": round(self.yaw_deg, 2),
            "pitch_deg": round(self.pitch_deg, 2),
            "roll_deg": round(self.roll_deg, 2),
        }


def nearest_rotation(matrix: np.ndarray) -> np.ndarray:
    """The proper rotation nearest (Frobenius norm) to a 3x3 matrix: drops a uniform scale, or the drift of
    an average of rotations.

    >>> np.round(nearest_rotation(2.0 * np.eye(3)), 12).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    u, _, vt = np.linalg.svd(np.asarray(matrix, dtype=np.float64))
    rotation: np.ndarray = u @ vt
    if np.linalg.det(rotation) < 0:
        u[:, -1] *= -1
        rotation = u @ vt
    return rotation


def head_pose_from_rotation(rotation: np.ndarray) -> HeadPose:
    """Yaw, pitch and roll (degrees) of a head rotation in image axes.

    Parameters
    ----------
    rotation : ndarray of shape (3, 3)
        A proper rotation, head -> image axes (x right, y down, z into the scene).

    Examples
    --------
    A head tilted 10 degrees toward the patient's left shoulder (clockwise on screen):

    >>> a = math.radians(10.0)
    >>> r = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    >>> pose = head_pose_from_rotation(r)
    >>> round(pose.roll_deg, 6), abs(pose.yaw_deg) < 1e-9, abs(pose.pitch_deg) < 1e-9
    (10.0, True, True)
    """
    r = np.asarray(rotation, dtype=np.float64)
    # R = Rz(roll) Ry(yaw) Rx(pitch) in image axes (x right, y down, z into the scene).
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -r[2, 0]))))
    pitch = math.degrees(math.atan2(r[2, 1], r[2, 2]))
    roll = math.degrees(math.atan2(r[1, 0], r[0, 0]))
    return HeadPose(yaw_deg=-yaw, pitch_deg=-pitch, roll_deg=roll)
