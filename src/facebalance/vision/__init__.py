"""Image input and models: safe photo decoding and the face landmark adapter."""

from facebalance.geometry.pose import HeadPose
from facebalance.vision.image_io import ACCEPTED_FORMATS, LoadedImage, load_image
from facebalance.vision.landmarker import FaceLandmarker, FaceMesh, LandmarkerOptions
from facebalance.vision.pose import head_pose_from_matrix

__all__ = [
    "ACCEPTED_FORMATS",
    "FaceLandmarker",
    "FaceMesh",
    "HeadPose",
    "LandmarkerOptions",
    "LoadedImage",
    "head_pose_from_matrix",
    "load_image",
]
