"""Adapter around MediaPipe's Face Landmarker (Tasks API, IMAGE mode).

MediaPipe objects are turned into numpy arrays once, here, and never leave this module. The model is
loaded when the adapter is entered, not at import, and the native graph's log chatter (glog/TFLite on
file descriptor 2) is kept out of the user's terminal while it starts and stops.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import numpy as np

from facebalance.geometry.pose import HeadPose
from facebalance.vision.models import FACE_LANDMARKER, VendoredModel, read_verified
from facebalance.vision.pose import head_pose_from_matrix

#: Number of points in the face mesh with iris refinement.
MESH_POINT_COUNT = 478


@dataclass(frozen=True)
class LandmarkerOptions:
    """How the Face Landmarker is run.

    ``max_faces`` is above one on purpose: a photo with two people must be refused *saying* how many
    faces it has, which needs the detector to look for more than one.
    """

    max_faces: int = 4
    min_face_detection_confidence: float = 0.5
    min_face_presence_confidence: float = 0.5


@dataclass(frozen=True)
class FaceMesh:
    """One detected face.

    Attributes
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Mesh points in pixels of the image given to :meth:`FaceLandmarker.detect`: x to image right,
        y down, z (relative depth, toward the scene) on the same pixel scale as x.
    blendshapes : dict of str to float
        The 52 ARKit-style blendshape scores in [0, 1], e.g. ``"mouthSmileLeft"``.
    transformation : ndarray of shape (4, 4)
        Canonical face model -> camera transform from the geometry pipeline.
    pose : HeadPose
        Yaw, pitch and roll derived from ``transformation``.
    """

    landmarks_px: np.ndarray
    blendshapes: dict[str, float] = field(repr=False)
    transformation: np.ndarray = field(repr=False)
    pose: HeadPose


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while the native graph starts or stops.

    MediaPipe's native code logs to the process's stderr directly (not through Python), so every adapter
    that starts or stops a graph (this landmarker, the dynamics tracker) wraps that in this context.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class MediaPipeTask:
    """Open/close life cycle shared by the MediaPipe Tasks adapters (landmarker, segmenter, video).

    Subclasses name their vendored model (:attr:`model`) and implement :meth:`_create` (build the task from
    the verified model bytes) and :meth:`_warm_up` (one inference on a blank image, so that the delegate's
    start-up logging happens here, silenced). The model is read and checked when the adapter is entered.
    """

    model: VendoredModel

    def __init__(self) -> None:
        self._task: Any = None

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _create(self, model: bytes) -> Any:
        raise NotImplementedError

    def _warm_up(self) -> None:
        """Run once on a blank image after creation (override when the task needs it)."""

    def _require_open(self) -> None:
        if self._task is None:
            raise RuntimeError(f"{type(self).__name__} is not open; use it as a context manager.")

    def open(self) -> None:
        if self._task is not None:
            return
        model = read_verified(self.model)
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with native_stderr_silenced():
            self._task = self._create(model)
            self._warm_up()

    def close(self) -> None:
        if self._task is None:
            return
        with native_stderr_silenced():
            self._task.close()
        self._task = None


class FaceLandmarker(MediaPipeTask):
    """Find faces and their 478-point meshes in RGB images.

    Use as a context manager::

        with FaceLandmarker() as landmarker:
            faces = landmarker.detect(rgb)
    """

    model = FACE_LANDMARKER

    def __init__(self, options: LandmarkerOptions | None = None) -> None:
        super().__init__()
        self.options = options or LandmarkerOptions()

    def _create(self, model: bytes) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=self.options.max_faces,
            min_face_detection_confidence=self.options.min_face_detection_confidence,
            min_face_presence_confidence=self.options.min_face_presence_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        return vision.FaceLandmarker.create_from_options(options)

    def _warm_up(self) -> None:
        # The first inference initialises the XNNPACK delegate, which logs; do it here, silenced.
        self._detect_raw(np.zeros((64, 64, 3), dtype=np.uint8))

    def _detect_raw(self, rgb: np.ndarray) -> Any:
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        return self._task.detect(image)

    def detect(self, rgb: np.ndarray) -> list[FaceMesh]:
        """Detect every face in an RGB image.

        Parameters
        ----------
        rgb : ndarray of shape (H, W, 3), uint8

        Returns
        -------
        list of FaceMesh
            In the detector's order; empty when there is no face.
        """
        self._require_open()
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {rgb.shape} {rgb.dtype}")
        height, width = rgb.shape[:2]
        result = self._detect_raw(rgb)
        faces: list[FaceMesh] = []
        for index, points in enumerate(result.face_landmarks):
            landmarks = np.array([(p.x * width, p.y * height, p.z * width) for p in points], dtype=np.float64)
            blendshapes = (
                {c.category_name: float(c.score) for c in result.face_blendshapes[index]}
                if result.face_blendshapes
                else {}
            )
            matrix = (
                np.array(result.facial_transformation_matrixes[index], dtype=np.float64)
                if result.facial_transformation_matrixes
                else np.eye(4)
            )
            faces.append(
                FaceMesh(
                    landmarks_px=landmarks,
                    blendshapes=blendshapes,
                    transformation=matrix,
                    pose=head_pose_from_matrix(matrix),
                )
            )
        return faces
