"""The frontal engine's entry point: a photo file in, an :class:`PhotoAnalysis` out.

``analyze_photo`` is the Python API (``facebalance.analyze_photo``). It decodes the photo safely, finds
exactly one face, checks the face is whole, large enough and facing the camera, and hands the mesh to the
pure :func:`facebalance.assessment.assess_face`.

The face is found in the photo and in its mirror image and the two detections are averaged
(:func:`facebalance.vision.mirror.detect_mirror_averaged`): left and right are treated the same by
construction, a mirrored photo gives exactly the mirrored analysis, and the landmark model's own
left-right bias and part of its noise average out.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import BinaryIO

from facebalance.anatomy.calibration import IrisReference, Ruler, limbus_ruler_eyes
from facebalance.anatomy.landmarks import IRIS_DIAMETER_ENDS
from facebalance.assessment import (
    Assessment,
    PatientContext,
    assess_face,
    iris_reference,
    visible_iris_diameter_px,
)
from facebalance.errors import FaceCutOff, FaceTooSmall, MultipleFaces, NoFaceFound, PoseOutOfRange
from facebalance.findings import FindingRules, load_finding_rules
from facebalance.geometry.iris import mean_iris_diameter_px
from facebalance.geometry.pose import HeadPose
from facebalance.norms import NormSet, load_norm_set
from facebalance.photo import PhotoAnalysis
from facebalance.vision import FaceLandmarker, FaceMesh, LoadedImage, load_image
from facebalance.vision.image_io import read_bounded, reduction_for_iris
from facebalance.vision.marker import MarkerSpec, find_marker, focal_length_px, load_marker_spec
from facebalance.vision.mirror import detect_mirror_averaged
from facebalance.vision.pose import rotation_in_image_axes

#: Frontal analysis limits. Beyond them the head-frame correction (from the mesh's depth estimate) is
#: no longer trusted for millimetre work. Clinic photo protocols are stricter (|yaw| <= 5 deg).
MAX_FRONTAL_YAW_DEG = 12.0
MAX_FRONTAL_PITCH_DEG = 20.0
MAX_FRONTAL_ROLL_DEG = 30.0
#: Pose beyond which a warning is added: the standard frontal view asks for |yaw| <= 5, |roll| <= 3 deg.
WARN_YAW_DEG = 5.0
WARN_PITCH_DEG = 10.0
#: Smallest iris contour (pixels of the original photo) for mm-level measurement: at 15 px one pixel is
#: about 0.8 mm.
MIN_IRIS_DIAMETER_PX = 15.0
#: How far (as a fraction of face width) a mesh point may fall outside the frame before the face counts
#: as cut off; the mesh extrapolates slightly beyond visible skin at the jaw.
CUT_OFF_TOLERANCE = 0.01


def _turn_message(pose: HeadPose) -> str:
    parts = []
    if abs(pose.yaw_deg) > MAX_FRONTAL_YAW_DEG:
        side = "left" if pose.yaw_deg > 0 else "right"
        other = "right" if side == "left" else "left"
        parts.append(
            f"head turned {abs(pose.yaw_deg):.0f} deg to the patient's {side}; retake with the nose "
            f"toward the camera (turn the head {abs(pose.yaw_deg):.0f} deg to the patient's {other})"
        )
    if abs(pose.pitch_deg) > MAX_FRONTAL_PITCH_DEG:
        how = "raised" if pose.pitch_deg > 0 else "lowered"
        parts.append(
            f"chin {how} {abs(pose.pitch_deg):.0f} deg; retake with the head level (Frankfort plane horizontal)"
        )
    if abs(pose.roll_deg) > MAX_FRONTAL_ROLL_DEG:
        parts.append(f"head tilted {abs(pose.roll_deg):.0f} deg; retake with the head upright")
    return "; ".join(parts)


def check_face(faces: list[FaceMesh], image: LoadedImage) -> FaceMesh:
    """Exactly one whole, large enough, near-frontal face; otherwise a typed error saying what to fix."""
    if not faces:
        raise NoFaceFound(
            "No face was found in the photo.",
            hint="Use a photo of the patient's face, well lit, in focus and facing the camera.",
        )
    if len(faces) > 1:
        raise MultipleFaces(len(faces))
    face = faces[0]
    pts = face.landmarks_px
    h, w = image.rgb.shape[:2]
    width = float(pts[:, 0].max() - pts[:, 0].min())
    tol = CUT_OFF_TOLERANCE * width
    edges = []
    if pts[:, 0].min() < -tol:
        edges.append("left")
    if pts[:, 0].max() > w + tol:
        edges.append("right")
    if pts[:, 1].min() < -tol:
        edges.append("top")
    if pts[:, 1].max() > h + tol:
        edges.append("bottom")
    if edges:
        raise FaceCutOff(
            f"The face is cut off at the {' and '.join(edges)} edge of the photo.",
            hint="Retake the photo with the whole face, forehead to chin and ear to ear, in the frame.",
        )
    iris = mean_iris_diameter_px(pts, IRIS_DIAMETER_ENDS) * image.scale_to_full
    if iris < MIN_IRIS_DIAMETER_PX:
        raise FaceTooSmall(
            f"The face is too small to measure: the iris is {iris:.0f} px across, at least "
            f"{MIN_IRIS_DIAMETER_PX:.0f} px is needed (about 1 mm per pixel or better).",
            hint="Move the camera closer or use a longer lens so the face fills most of the frame.",
        )
    message = _turn_message(face.pose)
    if message:
        raise PoseOutOfRange(
            f"The photo is not a frontal view: {message}.",
            hint="The frontal analysis needs the patient facing the camera.",
        )
    return face


def _focal_px(image: LoadedImage) -> float | None:
    """The focal length in analysed pixels from the EXIF 35 mm-equivalent focal length, if the file has one."""
    if not image.focal_length_35mm_mm:
        return None
    return focal_length_px(image.focal_length_35mm_mm, image.full_size_px) / image.scale_to_full


def _limbus_missed(assessment: Assessment, reference: IrisReference) -> bool:
    """The iris ruler did not have both eyes' limbus (one eye or the face mesh instead)."""
    return assessment.limbus is not None and not all(limbus_ruler_eyes(*assessment.limbus, reference))


def analyze_photo(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms: NormSet | None = None,
    norms_path: str | os.PathLike[str] | None = None,
    rules: FindingRules | None = None,
    rules_path: str | os.PathLike[str] | None = None,
    known_ipd_mm: float | None = None,
    landmarker: FaceLandmarker | None = None,
    marker_spec: MarkerSpec | None = None,
) -> PhotoAnalysis:
    """Analyse one frontal clinical photo.

    Parameters
    ----------
    source : path, bytes or binary file
        JPEG, PNG, WebP or HEIC photo.
    sex : {"female", "male"}, optional
        Selects sex-specific norms.
    ethnicity : str, optional
        Selects population-specific norms where the norm set has them.
    norms, norms_path
        A loaded norm set, or a clinic TOML file layered over the default.
    rules, rules_path
        Loaded finding rules, or a clinic rule file (TOML) layered over the default
        (:func:`facebalance.findings.load_finding_rules`).
    known_ipd_mm : float, optional
        Interpupillary distance measured in clinic; replaces the marker and the iris calibration.
    landmarker : FaceLandmarker, optional
        An open landmarker to reuse across photos (batch work); one is opened and closed otherwise.
    marker_spec : MarkerSpec, optional
        The printed calibration marker to look for (the packaged one by default). A marker found in the
        photo is the preferred ruler; the document says which ruler was used.

    Raises
    ------
    facebalance.errors.FacebalanceError
        A subclass saying what is wrong with the input and how to fix it.
    """
    if sex not in (None, "female", "male"):
        raise ValueError(f"sex must be 'female', 'male' or None, not {sex!r}")
    data = read_bounded(source)
    norm_set = norms or load_norm_set(norms_path)
    rules = rules or load_finding_rules(rules_path)
    spec = marker_spec or load_marker_spec()
    reference = iris_reference(norm_set)
    patient = PatientContext(sex=sex, ethnicity=ethnicity)
    with contextlib.ExitStack() as stack:
        model = landmarker if landmarker is not None else stack.enter_context(FaceLandmarker())
        reduction: float | None = None  # the decode sized for a clinically framed face first
        while True:
            image = load_image(data, reduction=reduction)
            face = check_face(detect_mirror_averaged(model, image.rgb), image)
            # A face smaller than that framing gets the pixels the image-refined points need.
            iris_px = mean_iris_diameter_px(face.landmarks_px, IRIS_DIAMETER_ENDS)
            finer = reduction_for_iris(iris_px, image.scale_to_full)
            if finer < image.scale_to_full:
                reduction = finer
                continue
            marker = find_marker(
                image.rgb,
                spec,
                focal_px=_focal_px(image),
                expected_side_px=spec.side_mm
                / reference.diameter_mm
                * visible_iris_diameter_px(face.landmarks_px, reference),
            )
            assessment = assess_face(
                image.rgb,
                face.landmarks_px,
                rotation_in_image_axes(face.transformation),
                face.pose,
                norms=norm_set,
                rules=rules,
                patient=patient,
                known_ipd_mm=known_ipd_mm,
                marker=marker,
                px_scale_to_full=image.scale_to_full,
            )
            if (
                assessment.calibration.ruler is Ruler.IRIS
                and _limbus_missed(assessment, reference)
                and image.scale_to_full > 1
            ):
                # The iris ruler fell back to the face mesh (4-5 % worse) on a reduced decode: the limbus
                # may be found with twice the pixels (a rare second decode).
                reduction = image.scale_to_full / 2
                continue
            break
    if abs(face.pose.yaw_deg) > WARN_YAW_DEG or abs(face.pose.pitch_deg) > WARN_PITCH_DEG:
        assessment.warnings.append(
            f"Pose yaw {face.pose.yaw_deg:+.1f} deg, pitch {face.pose.pitch_deg:+.1f} deg is outside the standard "
            "frontal view (|yaw| <= 5, |pitch| <= 10); measurements are corrected to the head frame but "
            "a retake is better."
        )
    name = Path(source).name if isinstance(source, str | os.PathLike) else "<upload>"
    return PhotoAnalysis(source_name=name, image=image, mesh=face, assessment=assessment, norms=norm_set, rules=rules)
