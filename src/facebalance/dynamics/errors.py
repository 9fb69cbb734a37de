"""Errors of the dynamic assessment: unreadable or oversized recordings, and recordings without a usable face.

Each subclasses :class:`facebalance.errors.FacebalanceError`, so the CLI turns it into one message with a
fix and exit code 2. Problems that spoil only part of a recording (a face that leaves the frame for a
moment, an expression that is missing) are not errors: they are warnings on the result or on a segment.
"""

from __future__ import annotations

from facebalance.errors import FacebalanceError


class VideoInputError(FacebalanceError):
    """The recording cannot be read as a video facebalance accepts."""

    code = "video_input"


class NotAVideo(VideoInputError):
    code = "not_a_video"


class CorruptVideo(VideoInputError):
    code = "corrupt_video"


class EmptyVideo(VideoInputError):
    code = "empty_video"


class VideoTooLarge(VideoInputError):
    """Over a file-size, frame-size, duration or frame-count limit (see ``VideoLimits``)."""

    code = "video_too_large"


class VideoTooSmall(VideoInputError):
    code = "video_too_small"


class DynamicsError(FacebalanceError):
    """The recording was read but cannot be assessed."""

    code = "dynamics"


class NoFaceInRecording(DynamicsError):
    """Too few frames (or photos) show a face to assess movement."""

    code = "no_face_in_recording"


class PhotoSeriesError(DynamicsError):
    """A photo series is incomplete or inconsistent (e.g. only one photo, two photos named for one expression)."""

    code = "photo_series"


class ScriptError(DynamicsError):
    """A guided-script file is malformed."""

    code = "dynamics_script"


class PromptError(DynamicsError):
    """A guided recording's prompt times (labels) are malformed: an unknown expression, or a time outside it."""

    code = "dynamics_prompts"
