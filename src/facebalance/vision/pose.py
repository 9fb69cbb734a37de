"""Head pose from MediaPipe's facial transformation matrix (the model-specific part of the pose).

The matrix maps MediaPipe's canonical face model (metric, x to the face's left in the image, y up,
z toward the camera) into camera space. We express its rotation in image axes (x right, y down, z into
the scene); :mod:`facebalance.geometry.pose` holds :class:`HeadPose`, its sign conventions and the
decomposition R = Rz(roll) @ Ry(yaw) @ Rx(pitch).
"""

from __future__ import annotations

import numpy as np

from facebalance.geometry.pose import HeadPose, head_pose_from_rotation, nearest_rotation

# Camera space (y up, z toward viewer) -> image axes (y down, z into the scene).
_FLIP = np.diag([1.0, -1.0, -1.0])


def rotation_in_image_axes(transformation: np.ndarray) -> np.ndarray:
    """The 3x3 head rotation expressed in image axes (x right, y down, z into the scene).

    Parameters
    ----------
    transformation : ndarray of shape (4, 4)
        MediaPipe's facial transformation matrix (canonical face model -> camera).
    """
    # The matrix may carry a uniform scale; keep the pure rotation.
    rotation = nearest_rotation(np.asarray(transformation, dtype=np.float64)[:3, :3])
    return np.asarray(_FLIP @ rotation @ _FLIP)


def head_pose_from_matrix(transformation: np.ndarray) -> HeadPose:
    """Decompose the facial transformation matrix into yaw, pitch and roll in degrees."""
    return head_pose_from_rotation(rotation_in_image_axes(transformation))
