"""Domain errors raised by the facebalance core.

Every error carries a ``message`` saying what is wrong and a ``hint`` saying how to fix it. The
boundaries (CLI, Python API callers, the clinic app) translate them; the core never prints or exits.
"""

from __future__ import annotations


class FacebalanceError(Exception):
    """Base class of every error the core raises on purpose."""

    #: Stable machine-readable code, used by the boundaries (CLI exit messages, HTTP bodies).
    code: str = "facebalance_error"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


# --- image input ---------------------------------------------------------------------------------


class ImageInputError(FacebalanceError):
    code = "image_input"


class NotAnImage(ImageInputError):
    code = "not_an_image"


class UnsupportedImageFormat(ImageInputError):
    code = "unsupported_format"


class CorruptImage(ImageInputError):
    code = "corrupt_image"


class ImageTooLarge(ImageInputError):
    code = "image_too_large"


class ImageTooSmall(ImageInputError):
    code = "image_too_small"


# --- face detection ------------------------------------------------------------------------------


class FaceDetectionError(FacebalanceError):
    code = "face_detection"


class NoFaceFound(FaceDetectionError):
    code = "no_face"


class MultipleFaces(FaceDetectionError):
    code = "multiple_faces"

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} faces were found in the photo; facebalance measures exactly one.",
            hint="Crop the photo to the patient alone or retake it with nobody else in the frame.",
        )
        self.count = count


class FaceCutOff(FaceDetectionError):
    code = "face_cut_off"


class FaceTooSmall(FaceDetectionError):
    code = "face_too_small"


class PoseOutOfRange(FaceDetectionError):
    code = "pose_out_of_range"


# --- models, calibration, norms ------------------------------------------------------------------


class ModelIntegrityError(FacebalanceError):
    code = "model_integrity"


class CalibrationError(FacebalanceError):
    code = "calibration"


class NormsError(FacebalanceError):
    code = "norms"
