"""Head pose from the face geometry pipeline's transformation matrix.

Conventions (used everywhere in facebalance; checked against AFLW2000-3D photos in the tests):

* ``yaw_deg`` > 0: the patient has turned the head to **their left** (the nose points to image right).
* ``pitch_deg`` > 0: the chin is raised (the head tilted back).
* ``roll_deg`` > 0: the head is tilted toward the patient's **left** shoulder (on screen the face turns
  clockwise).

The matrix maps MediaPipe's canonical face model (metric, x to the face's left in the image, y up,
z toward the camera) into camera space. We express the rotation in image axes (x right, y down, z into
the scene) and decompose it as R = Rz(roll) @ Ry(yaw) @ Rx(pitch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Camera space (y up, z toward viewer) -> image axes (y down, z into the scene).
_FLIP = np.diag([1.0, -1.0, -1.0])


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


def rotation_in_image_axes(transformation: np.ndarray) -> np.ndarray:
    """The 3x3 head rotation expressed in image axes (x right, y down, z into the scene).

    Parameters
    ----------
    transformation : ndarray of shape (4, 4)
        MediaPipe's facial transformation matrix (canonical face model -> camera).
    """
    rotation = np.asarray(transformation, dtype=np.float64)[:3, :3]
    # The matrix may carry a uniform scale; keep the pure rotation.
    u, _, vt = np.linalg.svd(rotation)
    rotation = u @ vt
    return _FLIP @ rotation @ _FLIP


def head_pose_from_matrix(transformation: np.ndarray) -> HeadPose:
    """Decompose the facial transformation matrix into yaw, pitch and roll in degrees."""
    r = rotation_in_image_axes(transformation)
    # R = Rz(roll) Ry(yaw) Rx(pitch) in image axes (x right, y down, z into the scene).
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -r[2, 0]))))
    pitch = math.degrees(math.atan2(r[2, 1], r[2, 2]))
    roll = math.degrees(math.atan2(r[1, 0], r[0, 0]))
    return HeadPose(yaw_deg=-yaw, pitch_deg=-pitch, roll_deg=roll)
