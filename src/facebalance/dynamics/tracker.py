"""Face landmarks and blendshapes per video frame (MediaPipe Face Landmarker in VIDEO mode) or per photo.

An adapter in the pattern of :mod:`facebalance.vision.landmarker`: an options dataclass, a constructor, a
context manager, the model read from the vendored sha256-checked bundle when the adapter is entered (never
at import), the native graph's log chatter kept off the terminal, and MediaPipe objects turned into numpy
arrays here, once.

VIDEO mode tracks the face from frame to frame (the face detector runs only when the track is lost), which
is several times faster than detecting in every frame and steadier. Timestamps must increase strictly.

With ``symmetrise`` (the default) every frame is also given, mirrored, to a second landmarker, and the two
results are averaged after mirroring the second back (:mod:`facebalance.vision.mirror`). The result is
exactly mirror-equivariant: a mirrored recording gives the same points with left and right swapped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import numpy as np

from facebalance.errors import MultipleFaces
from facebalance.geometry.pose import HeadPose, head_pose_from_rotation, nearest_rotation
from facebalance.vision.landmarker import MESH_POINT_COUNT, native_stderr_silenced
from facebalance.vision.mirror import mirror_blendshape_names, mirror_landmarks, mirror_rotation
from facebalance.vision.models import FACE_LANDMARKER, read_verified
from facebalance.vision.pose import rotation_in_image_axes

#: The 52 blendshape scores of the Face Landmarker, in the model's output order (ARKit names; ``Left`` and
#: ``Right`` as the model names them).
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral",
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawOpen",
    "jawRight",
    "mouthClose",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthFunnel",
    "mouthLeft",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthPucker",
    "mouthRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "noseSneerLeft",
    "noseSneerRight",
)
_BLENDSHAPE_INDEX = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}
#: Extra runs on the frame where a face is (re)acquired in VIDEO mode, for the tracked box to settle.
SETTLE_RUNS = 6
#: Time between those runs, milliseconds (a frame interval at 10 fps).
SETTLE_STEP_MS = 100


@dataclass(frozen=True)
class TrackerOptions:
    """How faces are tracked.

    Attributes
    ----------
    min_face_detection_confidence, min_face_presence_confidence, min_tracking_confidence : float
        MediaPipe thresholds (its defaults).
    symmetrise : bool
        Also run on the mirrored frame and average (exact mirror symmetry, twice the inference time).
    """

    min_face_detection_confidence: float = 0.5
    min_face_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    symmetrise: bool = True


@dataclass(frozen=True)
class Observation:
    """The face found in one frame or photo.

    Attributes
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Mesh points in pixels of the frame (x right, y down, z on the x scale).
    blendshapes : ndarray of shape (52,)
        Scores in [0, 1], in :data:`BLENDSHAPE_NAMES` order.
    rotation : ndarray of shape (3, 3)
        Head rotation in image axes (:func:`facebalance.vision.pose.rotation_in_image_axes`).
    """

    landmarks_px: np.ndarray
    blendshapes: np.ndarray
    rotation: np.ndarray

    @property
    def pose(self) -> HeadPose:
        return head_pose_from_rotation(self.rotation)

    def blendshape(self, name: str) -> float:
        return float(self.blendshapes[_BLENDSHAPE_INDEX[name]])


def blendshape_index(name: str) -> int:
    """Position of a blendshape in :data:`BLENDSHAPE_NAMES`; ``KeyError`` names the unknown one."""
    try:
        return _BLENDSHAPE_INDEX[name]
    except KeyError:
        raise KeyError(f"unknown blendshape {name!r}; known: {', '.join(BLENDSHAPE_NAMES)}") from None


def combine_mirrored(direct: Observation | None, mirrored: Observation | None, width_px: float) -> Observation | None:
    """Average an observation with one made on the mirrored image (given in the mirrored image's pixels).

    When only one of the two found a face, that one is used alone.

    Parameters
    ----------
    direct : Observation or None
        Found in the image.
    mirrored : Observation or None
        Found in ``image[:, ::-1]``, in that image's own pixels and vertex numbering.
    width_px : float
        Image width.
    """
    back = None
    if mirrored is not None:
        back = Observation(
            landmarks_px=mirror_landmarks(mirrored.landmarks_px, width_px),
            blendshapes=mirrored.blendshapes[mirror_blendshape_names(BLENDSHAPE_NAMES)],
            rotation=mirror_rotation(mirrored.rotation),
        )
    if direct is None or back is None:
        return direct if back is None else back
    return Observation(
        landmarks_px=(direct.landmarks_px + back.landmarks_px) / 2.0,
        blendshapes=(direct.blendshapes + back.blendshapes) / 2.0,
        rotation=nearest_rotation((direct.rotation + back.rotation) / 2.0),
    )


def _observations(result: Any, width: int, height: int) -> list[Observation]:
    found: list[Observation] = []
    for index, points in enumerate(result.face_landmarks):
        landmarks = np.array([(p.x * width, p.y * height, p.z * width) for p in points], dtype=np.float64)
        if landmarks.shape != (MESH_POINT_COUNT, 3):
            continue
        scores = np.zeros(len(BLENDSHAPE_NAMES))
        if result.face_blendshapes:
            for category in result.face_blendshapes[index]:
                i = _BLENDSHAPE_INDEX.get(category.category_name)
                if i is not None:
                    scores[i] = float(category.score)
        matrix = (
            np.array(result.facial_transformation_matrixes[index], dtype=np.float64)
            if result.facial_transformation_matrixes
            else np.eye(4)
        )
        found.append(Observation(landmarks, scores, rotation_in_image_axes(matrix)))
    return found


class _Task:
    """One MediaPipe Face Landmarker task (VIDEO or IMAGE mode)."""

    def __init__(self, options: TrackerOptions, *, video: bool, max_faces: int) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
        task_options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=read_verified(FACE_LANDMARKER)),
            running_mode=mode,
            num_faces=max_faces,
            min_face_detection_confidence=options.min_face_detection_confidence,
            min_face_presence_confidence=options.min_face_presence_confidence,
            min_tracking_confidence=options.min_tracking_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        self.video = video
        self.task: Any = vision.FaceLandmarker.create_from_options(task_options)

    def run(self, rgb: np.ndarray, timestamp_ms: int) -> list[Observation]:
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        result = self.task.detect_for_video(image, timestamp_ms) if self.video else self.task.detect(image)
        return _observations(result, rgb.shape[1], rgb.shape[0])

    def close(self) -> None:
        self.task.close()


class _Adapter:
    """Shared open/close and mirroring of :class:`VideoFaceTracker` and :class:`PhotoFaceObserver`."""

    _video = False
    _max_faces = 1

    def __init__(self, options: TrackerOptions | None = None) -> None:
        self.options = options or TrackerOptions()
        self._tasks: list[_Task] = []

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        if self._tasks:
            return
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        count = 2 if self.options.symmetrise else 1
        with native_stderr_silenced():
            self._tasks = [_Task(self.options, video=self._video, max_faces=self._max_faces) for _ in range(count)]
            # The first inference initialises the XNNPACK delegate, which logs; do it here, silenced. In VIDEO
            # mode it uses timestamp 0, so real frames start at 1 ms.
            for task in self._tasks:
                task.run(np.zeros((64, 64, 3), dtype=np.uint8), 0)

    def close(self) -> None:
        if not self._tasks:
            return
        with native_stderr_silenced():
            for task in self._tasks:
                task.close()
        self._tasks = []

    def _both(self, rgb: np.ndarray, timestamp_ms: int) -> tuple[list[Observation], list[Observation]]:
        if not self._tasks:
            raise RuntimeError(f"{type(self).__name__} is not open; use it as a context manager.")
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {rgb.shape} {rgb.dtype}")
        direct = self._tasks[0].run(rgb, timestamp_ms)
        mirrored = self._tasks[1].run(rgb[:, ::-1], timestamp_ms) if len(self._tasks) > 1 else []
        return direct, mirrored


class VideoFaceTracker(_Adapter):
    """Track one face through the frames of a video (MediaPipe VIDEO mode).

    Use as a context manager::

        with VideoFaceTracker() as tracker:
            observation = tracker.observe(rgb, timestamp_ms)
    """

    _video = True
    _max_faces = 1

    def __init__(self, options: TrackerOptions | None = None) -> None:
        super().__init__(options)
        self._last_ms = 0
        self._offset_ms = 0
        self._tracking: list[bool] = []

    def observe(self, rgb: np.ndarray, timestamp_ms: int) -> Observation | None:
        """The face in this frame, or ``None``.

        Parameters
        ----------
        rgb : ndarray of shape (H, W, 3), uint8
        timestamp_ms : int
            The frame's time. Raised to one past the previous frame's when it does not increase (MediaPipe
            requires strictly increasing timestamps; variable-frame-rate files can repeat a rounded value).
        """
        if not self._tasks:
            raise RuntimeError("VideoFaceTracker is not open; use it as a context manager.")
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {rgb.shape} {rgb.dtype}")
        if len(self._tracking) != len(self._tasks):
            self._tracking = [False] * len(self._tasks)
        stamp = max(int(timestamp_ms) + self._offset_ms, self._last_ms + 1)
        images = [rgb, rgb[:, ::-1]]
        results: list[list[Observation]] = []
        settled = 0
        for i, task in enumerate(self._tasks):
            found = task.run(images[i], stamp)
            if found and not self._tracking[i]:
                # A face just (re)acquired: the landmarks then settle over several frames (the graph smooths them
                # over time; about 0.4 mm on the brow at first, halving each frame). The same frame is run again
                # at later times so that it has settled before it is used; later frames keep their spacing.
                for k in range(1, SETTLE_RUNS + 1):
                    found = task.run(images[i], stamp + k * SETTLE_STEP_MS) or found
                settled = SETTLE_RUNS * SETTLE_STEP_MS
            self._tracking[i] = bool(found)
            results.append(found)
        self._offset_ms += settled
        self._last_ms = stamp + settled
        direct = results[0]
        mirrored = results[1] if len(results) > 1 else []
        return combine_mirrored(direct[0] if direct else None, mirrored[0] if mirrored else None, rgb.shape[1])


class PhotoFaceObserver(_Adapter):
    """Find the one face in each photo of an expression series (MediaPipe IMAGE mode).

    Raises
    ------
    MultipleFaces
        From :meth:`observe`, when a photo shows more than one face.
    """

    _video = False
    _max_faces = 2

    def observe(self, rgb: np.ndarray) -> Observation | None:
        direct, mirrored = self._both(rgb, 0)
        if len(direct) > 1 or len(mirrored) > 1:
            raise MultipleFaces(max(len(direct), len(mirrored)))
        return combine_mirrored(direct[0] if direct else None, mirrored[0] if mirrored else None, rgb.shape[1])
