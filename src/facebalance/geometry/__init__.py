"""Pure geometry shared by every view: similarity fits, the iris diameter and head-pose rotations.

numpy only, no I/O and no anatomy: mesh indices are passed in by the caller (they live in the one table,
:mod:`facebalance.anatomy.landmarks`), so every layer above may use these pieces.
"""

from facebalance.geometry.iris import iris_diameters_px, mean_iris_diameter_px
from facebalance.geometry.pose import HeadPose, head_pose_from_rotation, nearest_rotation
from facebalance.geometry.similarity import Similarity, umeyama

__all__ = [
    "HeadPose",
    "Similarity",
    "head_pose_from_rotation",
    "iris_diameters_px",
    "mean_iris_diameter_px",
    "nearest_rotation",
    "umeyama",
]
