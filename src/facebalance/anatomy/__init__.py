"""Named anatomical points, the head-aligned frame, calibration and the hairline."""

from facebalance.anatomy.calibration import (
    Calibration,
    CalibrationMethod,
    IrisReference,
    calibrate_from_iris,
    calibrate_from_known_distance,
)
from facebalance.anatomy.frame import HeadFrame, head_frame, image_to_head
from facebalance.anatomy.landmarks import LANDMARK_TABLE, Landmark

__all__ = [
    "LANDMARK_TABLE",
    "Calibration",
    "CalibrationMethod",
    "HeadFrame",
    "IrisReference",
    "Landmark",
    "calibrate_from_iris",
    "calibrate_from_known_distance",
    "head_frame",
    "image_to_head",
]
