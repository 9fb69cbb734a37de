"""The oblique path's entry point: a three-quarter photo in, an :class:`ObliqueAnalysis` out.

``analyze_oblique`` mirrors :func:`facebalance.analysis.analyze_photo`: it decodes the photo safely, finds the
face, refuses a frontal view or a profile, turns the photo into the canonical orientation (nose toward +x;
an ``oblique_left`` photo is mirrored here, once) and runs the face mesh on that canonical image, takes the
mesh's far-side silhouette as the prior, refines it on the photo, reads the iris ruler, and hands everything
to the pure :func:`facebalance.oblique.assessment.assess_oblique`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from facebalance.analysis import CUT_OFF_TOLERANCE, MAX_FRONTAL_YAW_DEG, MIN_IRIS_DIAMETER_PX
from facebalance.anatomy.calibration import Calibration, Ruler
from facebalance.anatomy.frame import head_frame
from facebalance.anatomy.landmarks import ALAR_RIM_LEFT, BROW_UPPER_LEFT, Landmark
from facebalance.assessment import PatientContext, iris_reference, visible_iris_diameter_px
from facebalance.errors import CalibrationError, FaceCutOff, FaceTooSmall, MultipleFaces, NoFaceFound
from facebalance.findings import FindingRules, load_finding_rules
from facebalance.geometry.pose import HeadPose
from facebalance.norms import NormSet, load_norm_set
from facebalance.oblique.assessment import ObliqueAssessment, assess_oblique
from facebalance.oblique.calibration import (
    FrontalScale,
    TurnedIrisRuler,
    calibrate_turned_iris,
    carry_frontal_scale,
    combine_with_carried,
    vertical_iris_diameters_px,
)
from facebalance.oblique.constants import load_oblique_constants
from facebalance.oblique.errors import FarSideCutOff, NotAnObliqueView
from facebalance.oblique.frame import ObliqueFrame, ObliqueView, frame_from_rotation, view_from_yaw
from facebalance.oblique.points import MeshReferences
from facebalance.oblique.prior import far_run, feature_region, inside_region, mesh_silhouette
from facebalance.oblique.silhouette import refine_far_outline
from facebalance.photo import PhotoAnalysis
from facebalance.profile.frame import mirror_x
from facebalance.vision import FaceLandmarker, FaceMesh, LoadedImage, load_image
from facebalance.vision.mesh_topology import mesh_feature_contour, mesh_triangles
from facebalance.vision.pose import rotation_in_image_axes

#: A face mesh turned at least this far (and less than the profile limit) is a three-quarter view; below it
#: the photo is the frontal analysis's (which refuses more than this turn).
OBLIQUE_MIN_YAW_DEG = MAX_FRONTAL_YAW_DEG
#: A face mesh turned this far or more is a profile (the profile path's own limit).
OBLIQUE_MAX_YAW_DEG = 60.0
#: A second face counts as a bystander (and is ignored) when the dominant face is at least this many times
#: its area; otherwise the photo is refused as showing several people.
DOMINANT_FACE_AREA_RATIO = 4.0
#: The silhouette's top lies this many brow-to-canthus heights above the top of the brow.
TEMPLE_TOP_BROW_HEIGHTS = 0.5
#: The silhouette goes on past the chin's lowest point by this fraction of the face's length.
CHIN_EXTRA_FRACTION = 0.1
#: Points of the silhouette per face length (the outline's sampling, independent of the photo's size).
POINTS_PER_FACE_LENGTH = 300
#: A silhouette point this close (fraction of the face's length) to the mesh's nose or lips is theirs.
FEATURE_MARGIN_FRACTION = 0.01
#: A photo whose far cheek (lateral canthus to mouth corner) is more than this fraction the nose's or the lips'
#: silhouette is a profile, not a three-quarter view: the cheek is hidden behind them. (On the development
#: photos the obliques stay below a fifth; most of the mesh-holding profile photos are above a half.)
MAX_HIDDEN_CHEEK_FRACTION = 1.0 / 3.0
#: Least fraction of the silhouette on an edge of the photo before a warning says the mesh was relied on.
MIN_EDGE_FOUND_FRACTION = 0.6


@dataclass(frozen=True)
class ObliqueAnalysis:
    """One analysed three-quarter photo.

    ``assessment`` holds canonical pixel coordinates of the analysed image (nose toward +x);
    :meth:`to_original_px` maps them to pixels of the original photo as taken (upright, full resolution).

    Attributes
    ----------
    pose : HeadPose
        The head pose as taken (for an ``oblique_left`` photo: the canonical image's pose, mirrored).
    scale_method : {"own_ruler", "frontal_carry_over", "own_ruler_and_frontal_carry_over", "none"}
        Where the millimetre scale came from: the turned-head iris ruler, the session's frontal scale carried
        over, or both combined (:mod:`facebalance.oblique.calibration`).
    """

    source_name: str
    image: LoadedImage
    view: ObliqueView
    pose: HeadPose
    assessment: ObliqueAssessment
    norms: NormSet
    scale_method: str = "own_ruler"

    @property
    def mirrored(self) -> bool:
        return self.view == "oblique_left"

    def to_analysed_px(self, xy: np.ndarray) -> np.ndarray:
        """Canonical points (N, 2) to pixels of the analysed image (un-mirrored)."""
        pts = np.atleast_2d(np.asarray(xy, dtype=np.float64))
        return mirror_x(pts, self.image.rgb.shape[1]) if self.mirrored else pts

    def to_original_px(self, xy: np.ndarray) -> np.ndarray:
        """Canonical points (N, 2) to pixels of the original photo (full resolution, upright)."""
        return self.to_analysed_px(xy) * self.image.scale_to_full


def _face_area(face: FaceMesh) -> float:
    pts = face.landmarks_px[:, :2]
    return float(np.ptp(pts[:, 0]) * np.ptp(pts[:, 1]))


def dominant_face(faces: list[FaceMesh]) -> tuple[FaceMesh, list[str]]:
    """The one face to read: the only face, or one much larger than every other (a bystander behind).

    Raises
    ------
    NoFaceFound, MultipleFaces
    """
    if not faces:
        raise NoFaceFound(
            "No face was found in the photo (a 90-degree profile has no face mesh: use `facebalance profile`).",
            hint="Use a three-quarter photo of the patient's face, the head turned about 45 degrees, well lit.",
        )
    ranked = sorted(faces, key=_face_area, reverse=True)
    if len(ranked) > 1 and _face_area(ranked[0]) < DOMINANT_FACE_AREA_RATIO * _face_area(ranked[1]):
        raise MultipleFaces(len(faces))
    notes = []
    if len(ranked) > 1:
        notes.append(f"{len(ranked) - 1} smaller face(s) in the background were ignored.")
    return ranked[0], notes


def check_oblique_pose(pose: HeadPose) -> ObliqueView:
    """The oblique view of a face mesh's pose, or :class:`NotAnObliqueView` for a frontal view or a profile."""
    yaw = pose.yaw_deg
    if abs(yaw) <= OBLIQUE_MIN_YAW_DEG:
        raise NotAnObliqueView(
            f"The photo is a frontal view (head turned {abs(yaw):.0f} deg), not a three-quarter view.",
            hint="Analyse it as a frontal photo (`facebalance analyze`), or retake the oblique with the head "
            "turned about 45 degrees.",
        )
    if abs(yaw) >= OBLIQUE_MAX_YAW_DEG:
        raise NotAnObliqueView(
            f"The photo is a profile (head turned {abs(yaw):.0f} deg), not a three-quarter view.",
            hint="Analyse it as a profile (`facebalance profile`), or retake the oblique with the head turned "
            "about 45 degrees.",
        )
    return view_from_yaw(yaw)


def _check_whole_face(face: FaceMesh, image: LoadedImage) -> None:
    """The eyes, nose and mouth in the frame (the near ear and jaw may leave it) and the iris large enough."""
    pts = face.landmarks_px
    h, w = image.rgb.shape[:2]
    tol = CUT_OFF_TOLERANCE * float(np.ptp(pts[:, 0]))
    core = pts[
        [Landmark.LATERAL_CANTHUS_RIGHT, Landmark.LATERAL_CANTHUS_LEFT, Landmark.PRONASALE, Landmark.CHEILION_LEFT]
    ]
    outside = (core[:, 0] < -tol) | (core[:, 0] > w + tol) | (core[:, 1] < -tol) | (core[:, 1] > h + tol)
    if outside.any():
        raise FaceCutOff(
            "The face is cut off at the edge of the photo.",
            hint="Retake the three-quarter view with the whole face, forehead to chin, in the frame.",
        )
    # The near iris's vertical diameter is not foreshortened by the turn (see oblique.calibration).
    iris = vertical_iris_diameters_px(pts)[0] * image.scale_to_full
    if iris < MIN_IRIS_DIAMETER_PX:
        raise FaceTooSmall(
            f"The face is too small to measure: the iris is {iris:.0f} px tall, at least "
            f"{MIN_IRIS_DIAMETER_PX:.0f} px is needed.",
            hint="Move the camera closer or use a longer lens so the face fills most of the frame.",
        )


def mesh_references(landmarks_px: np.ndarray, frame: ObliqueFrame, *, sigma_px: float) -> MeshReferences:
    """The far-side mesh landmarks the silhouette's stretches are bounded by (canonical image)."""
    pts = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    uv = frame.to_frame(pts)
    brow = pts[BROW_UPPER_LEFT[int(np.argmin(uv[list(BROW_UPPER_LEFT), 1]))]]
    alar = pts[ALAR_RIM_LEFT[int(np.argmax(uv[list(ALAR_RIM_LEFT), 1]))]]
    return MeshReferences(
        brow_top=brow.copy(),
        lateral_canthus=pts[Landmark.LATERAL_CANTHUS_LEFT].copy(),
        lateral_canthus_near=pts[Landmark.LATERAL_CANTHUS_RIGHT].copy(),
        alar_base=alar.copy(),
        cheilion=pts[Landmark.CHEILION_LEFT].copy(),
        menton=pts[Landmark.MENTON].copy(),
        pogonion=pts[Landmark.SOFT_TISSUE_POGONION].copy(),
        sigma_px=sigma_px,
    )


def _cut_off_edge(points_px: np.ndarray, width: int, height: int, mirrored: bool) -> str:
    x, y = points_px[:, 0], points_px[:, 1]
    edges = []
    if (x < 0).any():
        edges.append("right" if mirrored else "left")
    if (x > width - 1).any():
        edges.append("left" if mirrored else "right")
    if (y < 0).any():
        edges.append("top")
    if (y > height - 1).any():
        edges.append("bottom")
    return " and ".join(edges)


def analyze_oblique(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms: NormSet | None = None,
    norms_path: str | os.PathLike[str] | None = None,
    rules: FindingRules | None = None,
    landmarker: FaceLandmarker | None = None,
    frontal: PhotoAnalysis | None = None,
) -> ObliqueAnalysis:
    """Analyse one three-quarter (oblique) photo.

    Parameters
    ----------
    source : path, bytes or binary file
        JPEG, PNG, WebP or HEIC photo, the head turned roughly 30-60 degrees.
    sex, ethnicity : str, optional
        Select sex- and population-specific norms.
    norms, norms_path
        A loaded norm set, or a clinic TOML file layered over the default.
    rules : FindingRules, optional
        Finding rules (a clinic's layered over the default); the packaged rules otherwise. Only their
        severity bands are used.
    landmarker : FaceLandmarker, optional
        An open landmarker to reuse across photos.
    frontal : PhotoAnalysis, optional
        The same session's frontal analysis: its ruler is carried over through the midline distances seen on
        both photos and combined with the oblique's own turned-iris ruler
        (:func:`facebalance.oblique.calibration.carry_frontal_scale`).

    Raises
    ------
    facebalance.errors.FacebalanceError
        ``NotAnObliqueView`` (a frontal view or a profile), ``NoFaceFound``, ``MultipleFaces``,
        ``FaceTooSmall``, ``FaceCutOff``, ``FarSideCutOff``, ``ObliqueNotReadable``, ``CalibrationError``, or an
        image input error.
    """
    if sex not in (None, "female", "male"):
        raise ValueError(f"sex must be 'female', 'male' or None, not {sex!r}")
    image = load_image(source)
    norm_set = norms or load_norm_set(Path(norms_path) if norms_path is not None else None)
    own = None
    if landmarker is None:
        own = FaceLandmarker()
        own.open()
        landmarker = own
    try:
        taken_faces = landmarker.detect(image.rgb)
        taken, _ = dominant_face(taken_faces)
        view = check_oblique_pose(taken.pose)
        mirrored = view == "oblique_left"
        # The canonical image is analysed from scratch, so that a photo and its mirror image are read from
        # the same pixels.
        canonical = np.ascontiguousarray(image.rgb[:, ::-1]) if mirrored else image.rgb
        canonical_faces = landmarker.detect(canonical) if mirrored else taken_faces
    finally:
        if own is not None:
            own.close()
    face, notes = dominant_face(canonical_faces)
    if check_oblique_pose(face.pose) != "oblique_right":
        raise NotAnObliqueView(
            "The head's turn could not be read consistently (the face mesh disagrees with its mirror image).",
            hint="Retake the three-quarter view with the head turned about 45 degrees.",
        )
    _check_whole_face(face, image)
    result, scale_method = _assess(
        canonical,
        face,
        image,
        view,
        norm_set,
        rules or load_finding_rules(),
        sex=sex,
        ethnicity=ethnicity,
        notes=notes,
        frontal=frontal_scale(frontal, norm_set) if frontal is not None else None,
    )
    pose = face.pose
    if mirrored:
        pose = HeadPose(yaw_deg=-pose.yaw_deg, pitch_deg=pose.pitch_deg, roll_deg=-pose.roll_deg)
    name = Path(source).name if isinstance(source, str | os.PathLike) else "<upload>"
    return ObliqueAnalysis(
        source_name=name,
        image=image,
        view=view,
        pose=pose,
        assessment=result,
        norms=norm_set,
        scale_method=scale_method,
    )


def frontal_scale(frontal: PhotoAnalysis, norms: NormSet) -> FrontalScale:
    """What the oblique path carries over from the session's frontal analysis (its measurements and ruler)."""
    cal = frontal.assessment.calibration
    reference = iris_reference(norms)
    shared = reference.sd_mm / reference.diameter_mm if cal.ruler is Ruler.IRIS else 0.0
    return FrontalScale(frontal.assessment.measurements, cal.relative_uncertainty, shared)


def _oblique_scale(
    pts: np.ndarray,
    frame: ObliqueFrame,
    reference_sigma_px: float,
    frontal: FrontalScale | None,
    own: Calibration | None,
) -> tuple[Calibration | None, str, list[str]]:
    """The oblique's scale: its own ruler, the frontal one carried over, or both combined; with its method."""
    if frontal is None:
        return own, "own_ruler" if own is not None else "none", []
    constants = load_oblique_constants()
    carried = carry_frontal_scale(
        pts,
        frame,
        frontal,
        point_sigma_px=reference_sigma_px,
        definition_sigma_mm={
            c: constants[c].value
            for c in ("carry_over_nasion_subnasale_sigma_mm", "carry_over_subnasale_menton_sigma_mm")
        },
        tilt_sigma_deg=constants["carry_over_tilt_sigma_deg"].value,
    )
    if carried is None:
        note = "The frontal photo shares no measured midline distance with this one: its scale was not carried over."
        return own, "own_ruler" if own is not None else "none", [note]
    combined = combine_with_carried(
        own, carried, frontal_relative_uncertainty=frontal.relative_uncertainty, shared_relative=frontal.shared_relative
    )
    return combined, "own_ruler_and_frontal_carry_over" if own is not None else "frontal_carry_over", []


def _assess(
    canonical: np.ndarray,
    face: FaceMesh,
    image: LoadedImage,
    view: ObliqueView,
    norm_set: NormSet,
    rules: FindingRules,
    *,
    sex: str | None,
    ethnicity: str | None,
    notes: list[str],
    frontal: FrontalScale | None = None,
) -> tuple[ObliqueAssessment, str]:
    pts = face.landmarks_px
    rotation = rotation_in_image_axes(face.transformation)
    frame = frame_from_rotation(rotation)
    scale_px = float(np.hypot(*(pts[Landmark.SOFT_TISSUE_NASION, :2] - pts[Landmark.MENTON, :2])))
    reference = iris_reference(norm_set)
    iris_px = visible_iris_diameter_px(pts, reference)
    refs = mesh_references(pts, frame, sigma_px=reference.point_sigma_iris_diameters * iris_px)
    uv_brow = float(frame.to_frame(refs.brow_top)[1])
    uv_canthus = float(frame.to_frame(refs.lateral_canthus)[1])
    prior = far_run(
        mesh_silhouette(pts, mesh_triangles()),
        frame,
        start_v=uv_brow - TEMPLE_TOP_BROW_HEIGHTS * (uv_canthus - uv_brow),
        end_xy=pts[Landmark.MENTON, :2],
        spacing_px=scale_px / POINTS_PER_FACE_LENGTH,
        end_extra_px=CHIN_EXTRA_FRACTION * scale_px,
    )
    outline = refine_far_outline(canonical, prior, scale_px=scale_px)
    # Where the nose or the lips stand in front of the cheek (a well-turned head), the silhouette is theirs.
    head_xy = head_frame(pts, rotation, face.pose).points_px[:, :2]
    hidden_by = np.full(len(outline.points_px), "", dtype=object)
    for feature in ("lips", "nose"):
        region = feature_region(pts, head_xy, mesh_feature_contour(feature))
        hidden_by[inside_region(outline.points_px, region, margin_px=FEATURE_MARGIN_FRACTION * scale_px)] = feature
    uv = frame.to_frame(outline.points_px)
    uv_ex = float(frame.to_frame(refs.lateral_canthus)[1])
    cheek = (uv[:, 1] >= uv_ex) & (uv[:, 1] <= float(frame.to_frame(refs.cheilion)[1]))
    hidden = float((hidden_by[cheek] != "").mean()) if cheek.any() else 1.0
    if hidden > MAX_HIDDEN_CHEEK_FRACTION:
        raise NotAnObliqueView(
            f"The far cheek is hidden behind the nose or the lips over {hidden:.0%} of its silhouette: the photo is "
            "a profile (or nearly), not a three-quarter view.",
            hint="Analyse it as a profile (`facebalance profile`), or retake the oblique with the head turned about "
            "45 degrees so that the far cheek shows beyond the nose.",
        )
    h, w = canonical.shape[:2]
    warnings = list(notes)
    if not outline.in_frame.all():
        # The malar stretch (lateral canthus to alar base) must be in the photo; other parts may be cut off.
        uv_al = float(frame.to_frame(refs.alar_base)[1])
        malar = (uv[:, 1] >= uv_ex) & (uv[:, 1] <= uv_al)
        edge = _cut_off_edge(outline.points_px[~outline.in_frame], w, h, view == "oblique_left")
        if (~outline.in_frame[malar]).any():
            raise FarSideCutOff(
                f"The far cheek is cut off at the {edge} edge of the photo.",
                hint="Retake the three-quarter view with the whole far side of the face, temple to chin, in the frame.",
            )
        warnings.append(
            f"Part of the far-side silhouette is outside the photo ({edge} edge); points there are not read."
        )
    if outline.edge_found_fraction < MIN_EDGE_FOUND_FRACTION:
        warnings.append(
            f"The face's edge was found on only {outline.edge_found_fraction:.0%} of the far-side silhouette; "
            "elsewhere it follows the face mesh. Check the outline on the annotated image."
        )
    constants = load_oblique_constants()
    ratio = constants["iris_horizontal_to_vertical_ratio"]
    ruler = TurnedIrisRuler(ratio.value, ratio.sd or 0.0, constants["far_side_depth_relative_sigma"].value)
    own: Calibration | None
    try:
        own, cal_notes = calibrate_turned_iris(pts, reference, ruler)
    except CalibrationError:
        if frontal is None:
            raise
        own, cal_notes = None, ["The near iris could not be measured: the scale is the frontal photo's, carried over."]
    warnings += cal_notes
    calibration, scale_method, scale_notes = _oblique_scale(pts, frame, refs.sigma_px, frontal, own)
    warnings += scale_notes
    yaw_taken = -face.pose.yaw_deg if view == "oblique_left" else face.pose.yaw_deg
    return assess_oblique(
        outline,
        frame,
        refs,
        view=view,
        yaw_deg=yaw_taken,
        scale_px=scale_px,
        calibration=calibration,
        norms=norm_set,
        rules=rules,
        patient=PatientContext(sex=sex, ethnicity=ethnicity),
        warnings=warnings,
        outline_sigma_px=constants["outline_sigma_face_fraction"].value * scale_px,
        hidden_by=hidden_by,
        apex_sigma_along_px=constants["cheek_apex_height_sigma_face_fraction"].value * scale_px,
    ), scale_method
