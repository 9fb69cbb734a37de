"""From one face mesh to calibrated measurements, norm comparisons and findings (pure).

This is the frontal engine's core: arrays and dataclasses in, dataclasses out. Image decoding and the
landmark model live in :mod:`facebalance.vision`; :func:`facebalance.analysis.analyze_photo` wires the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facebalance.anatomy.brow import refine_brow_margin
from facebalance.anatomy.calibration import (
    Calibration,
    IrisReference,
    Ruler,
    calibrate_from_iris,
    calibrate_from_known_distance,
    calibrate_from_limbus,
    calibrate_from_marker,
    depth_behind_point_px,
    limbus_ruler_eyes,
)
from facebalance.anatomy.frame import HeadFrame, head_frame, image_to_head
from facebalance.anatomy.hairline import HairlineResult, find_hairline
from facebalance.anatomy.landmarks import BROW_UPPER_LEFT, BROW_UPPER_RIGHT, IRIS_DIAMETER_ENDS, Landmark
from facebalance.anatomy.limbus import (
    LimbusFit,
    LimbusLimits,
    LimbusSource,
    average_fits,
    eye_outline,
    fit_limbi,
    mirror_fit,
)
from facebalance.anatomy.refine import pupil_points, refine_face_points
from facebalance.findings import Finding, FindingRules, NormComparison, compare_to_norm, derive_findings
from facebalance.geometry.iris import iris_diameters_px, mean_iris_diameter_px
from facebalance.geometry.pose import HeadPose
from facebalance.norms import NormSet, PopulationChoice, load_populations
from facebalance.vision.marker import MarkerMeasurement
from facebalance.vision.mirror import mirror_landmarks
from facebalance.zones import (
    Measurement,
    Unit,
    Zone,
    measure_lower_face,
    measure_midface,
    measure_proportions,
    measure_symmetry,
    measure_upper_face,
)
from facebalance.zones.base import distance_px


@dataclass(frozen=True)
class PatientContext:
    """What selects the norms: the patient's sex and self-reported ancestry (``ethnicity``: an intake's
    free text or a norm population id, mapped by :func:`facebalance.norms.load_populations`)."""

    sex: str | None = None
    ethnicity: str | None = None


@dataclass(frozen=True)
class Assessment:
    """Everything measured on one frontal face, in the head frame of the analysed image."""

    pose: HeadPose
    calibration: Calibration
    iris_diameter_right_px: float
    iris_diameter_left_px: float
    measurements: dict[str, Measurement]
    comparisons: dict[str, NormComparison]
    findings: list[Finding]
    frame: HeadFrame
    hairline: HairlineResult
    patient: PatientContext
    warnings: list[str] = field(default_factory=list)
    limbus: tuple[LimbusFit, LimbusFit] | None = None
    marker: MarkerMeasurement | None = None
    #: The norm population the face was compared with (``facebalance.norms`` population id).
    population: str = ""


def visible_iris_diameter_px(landmarks_px: np.ndarray, reference: IrisReference) -> float:
    """The visible (white-to-white) iris diameter in pixels: the mean of both contours (3-D, so that yaw does
    not shrink them), corrected to what a person would mark (``reference.contour_to_visible_ratio``)."""
    return mean_iris_diameter_px(landmarks_px, IRIS_DIAMETER_ENDS) * reference.contour_to_visible_ratio


def iris_reference(norms: NormSet) -> IrisReference:
    iris = norms.reference("iris_visible_diameter_mm")
    limbus = norms.reference("limbus_fit_to_visible_ratio")
    centre = norms.reference("mediapipe_iris_centre_offset_radii")
    return IrisReference(
        diameter_mm=iris.value,
        sd_mm=iris.sd or 0.0,
        source=iris.source.split(".")[0],
        contour_to_visible_ratio=norms.reference("mediapipe_iris_contour_to_visible_ratio").value,
        contour_to_visible_sd=norms.reference("mediapipe_iris_contour_to_visible_ratio").sd or 0.0,
        contour_to_visible_sd_limbus_missed=norms.reference("mediapipe_iris_sd_where_limbus_missed").value,
        point_sigma_iris_diameters=norms.reference("landmark_sigma_iris_diameters").value,
        limbus_to_visible_ratio=limbus.value,
        limbus_sigma_fraction=(limbus.sd or 0.0) / limbus.value,
        limbus_limits=LimbusLimits(
            centre_offset_radii=centre.value,
            centre_sd_radii=centre.sd or 0.0,
            min_arc_deg=norms.reference("limbus_min_arc_deg").value,
            aspect=norms.reference("limbus_height_to_width_ratio").value,
        ),
        limbus_eye_agreement_sigmas=norms.reference("limbus_eye_agreement_sigmas").value,
        limbus_right_left_sd_fraction=norms.reference("limbus_right_left_sd_fraction").value,
        limbus_single_eye_sd_fraction=norms.reference("limbus_single_eye_sd_fraction").value,
        limbus_single_eye_max_relative_sigma=norms.reference("limbus_single_eye_max_relative_sigma").value,
    )


def _fit_limbi_once(rgb: np.ndarray, landmarks_px: np.ndarray, reference: IrisReference) -> tuple[LimbusFit, LimbusFit]:
    if reference.limbus_limits is None:
        raise ValueError("the iris reference has no limbus limits: read it from a norm set (iris_reference)")
    contour = iris_diameters_px(landmarks_px, IRIS_DIAMETER_ENDS)
    prior = tuple(d * reference.contour_to_visible_ratio for d in contour)
    spread = reference.contour_to_visible_sd / reference.contour_to_visible_ratio
    return fit_limbi(
        rgb,
        (eye_outline(landmarks_px, "right"), eye_outline(landmarks_px, "left")),
        prior_diameters_px=(prior[0], prior[1]),
        prior_sigmas_px=(prior[0] * spread, prior[1] * spread),
        limits=reference.limbus_limits,
    )


def fit_both_limbi(rgb: np.ndarray, landmarks_px: np.ndarray, reference: IrisReference) -> tuple[LimbusFit, LimbusFit]:
    """Both eyes' limbus fitted in the image, the mesh's visible-iris estimate as prior and fallback.

    The fit runs on the image and on its mirror image (mesh mirrored with it) and each eye's two fits are
    combined (:func:`facebalance.anatomy.limbus.average_fits`), so the ruler, like every point, is exactly
    the same for a photo and its mirror.
    """
    width = rgb.shape[1]
    right, left = _fit_limbi_once(rgb, landmarks_px, reference)
    mirrored = _fit_limbi_once(np.ascontiguousarray(rgb[:, ::-1]), mirror_landmarks(landmarks_px, width), reference)
    # The mirror image's right eye is the photo's left eye.
    return (
        average_fits(right, mirror_fit(mirrored[1], width)),
        average_fits(left, mirror_fit(mirrored[0], width)),
    )


def _marker_calibration(marker: MarkerMeasurement, landmarks_px: np.ndarray, point_sigma_px: float) -> Calibration:
    """The marker's scale brought to the irises' plane (depth from the mesh on the face, assumed off it)."""
    spec = marker.spec
    behind_px = depth_behind_point_px(landmarks_px, marker.centre_px)
    if behind_px is None:
        depth_mm, depth_sd_mm, where = 0.0, spec.off_face_depth_sd_mm, "off the face, taken in the irises' plane"
    else:
        depth_mm = behind_px / marker.px_per_mm
        depth_sd_mm = abs(depth_mm) * spec.mesh_depth_relative_sd
        where = "on the face"
    return calibrate_from_marker(
        marker.px_per_mm,
        marker.relative_sigma,
        depth_behind_mm=depth_mm,
        depth_sigma_mm=depth_sd_mm,
        camera_distance_mm=marker.camera_distance_mm,
        camera_distance_sd_mm=marker.camera_distance_sd_mm,
        detail=(
            f"printed marker {spec.dictionary} id {spec.marker_id}, {spec.side_mm} ± {spec.side_sigma_mm} mm, "
            f"{marker.side_px:.1f} px, tilt {marker.tilt_deg:.0f} deg, {where}; camera "
            f"{marker.camera_distance_mm:.0f} ± {marker.camera_distance_sd_mm:.0f} mm ({marker.focal_source})"
        ),
        point_sigma_px=point_sigma_px,
    )


#: Marker and iris scales further apart than this many combined sigmas are reported: a misprinted or
#: wrongly sized marker shows up against the patient's own irises.
RULER_DISAGREEMENT_SIGMAS = 3.0


def choose_calibration(
    rgb: np.ndarray,
    landmarks_px: np.ndarray,
    frame: HeadFrame,
    reference: IrisReference,
    *,
    known_ipd_mm: float | None = None,
    marker: MarkerMeasurement | None = None,
    limbus: tuple[LimbusFit, LimbusFit] | None = None,
) -> tuple[Calibration, tuple[LimbusFit, LimbusFit], list[str]]:
    """The photo's ruler: a clinic-measured IPD if given, else a printed marker if found, else the irises.

    The irises are always measured (limbus fitted in the image; the face mesh's iris where that fails),
    so that a marker's scale can be checked against them; ``limbus`` passes fits already made
    (:func:`fit_both_limbi`). A known IPD is taken between the frame's pupils (the limbus centres where
    the frame has them), the same points the interpupillary distance is measured between.

    Returns
    -------
    calibration : Calibration
        ``calibration.ruler`` says which ruler was used.
    limbus : tuple of LimbusFit
        Right and left eye.
    warnings : list of str
    """
    warnings: list[str] = []
    limbus = limbus or fit_both_limbi(rgb, landmarks_px, reference)
    visible_iris_px = visible_iris_diameter_px(landmarks_px, reference)
    use = limbus_ruler_eyes(*limbus, reference)
    if any(use):
        iris_calibration = calibrate_from_limbus(*limbus, reference)
        if not all(use) and known_ipd_mm is None and (marker is None or not marker.usable):
            warnings.append(
                "The iris ruler uses one eye's limbus only (the calibration detail says why), "
                f"±{iris_calibration.relative_uncertainty:.1%}."
            )
    else:
        iris_calibration = calibrate_from_iris(
            *iris_diameters_px(landmarks_px, IRIS_DIAMETER_ENDS), reference, limbus_missed=True
        )
        reasons = "; ".join(
            f"{side} eye: {fit.note}"
            for side, fit in zip(("right", "left"), limbus, strict=True)
            if fit.source is not LimbusSource.IMAGE
        )
        if known_ipd_mm is None and (marker is None or not marker.usable):
            warnings.append(
                f"The iris border (limbus) was not measured in the image ({reasons}); the scale uses the face "
                f"mesh's iris, ±{iris_calibration.relative_uncertainty:.1%}."
            )
    if known_ipd_mm is not None:
        calibration = calibrate_from_known_distance(
            distance_px(frame.point(Landmark.PUPIL_RIGHT), frame.point(Landmark.PUPIL_LEFT)),
            known_ipd_mm,
            sigma_mm=0.5,
            point_sigma_px=reference.point_sigma_iris_diameters * visible_iris_px,
            ruler=Ruler.KNOWN_IPD,
        )
        return calibration, limbus, warnings
    if marker is not None and not marker.usable:
        warnings.append(f"A calibration marker was seen but not used: {marker.problem}. The iris ruler was used.")
    if marker is None or not marker.usable:
        return iris_calibration, limbus, warnings
    calibration = _marker_calibration(
        marker, landmarks_px, point_sigma_px=reference.point_sigma_iris_diameters * visible_iris_px
    )
    ratio = iris_calibration.mm_per_px / calibration.mm_per_px
    combined = np.hypot(iris_calibration.relative_uncertainty, calibration.relative_uncertainty)
    if abs(ratio - 1.0) > RULER_DISAGREEMENT_SIGMAS * combined:
        warnings.append(
            f"The calibration marker and the irises disagree on the scale by {ratio - 1.0:+.1%} (expected within "
            f"±{RULER_DISAGREEMENT_SIGMAS * combined:.1%}): check the printed marker measures "
            f"{marker.spec.side_mm:g} mm. The marker was used."
        )
    return calibration, limbus, warnings


def population_warnings(
    choice: PopulationChoice,
    measurements: dict[str, Measurement],
    comparisons: dict[str, NormComparison],
    norms: NormSet,
) -> list[str]:
    """What the report must say about the population the face was compared with: an ancestry that selects
    no population, and the measurements left unjudged because only another population's norms exist."""
    out = [choice.note] if choice.note else []
    unjudged = [
        measurements[mid].label
        for mid, c in comparisons.items()
        if c.norm is None and measurements[mid].value is not None and norms.other_populations(mid, choice.population)
    ]
    if unjudged:
        out.append(
            f"No norm for {choice.label}: {'; '.join(unjudged)} reported without a norm comparison (only other "
            "populations' ranges are in the norm set, and a face is judged only against its own)."
        )
    return out


#: Prefix of the norm set's reference ids holding the measured one-sigma errors of the refined points
#: (``point_sigma_iris_diameters.<kind>.image`` / ``.mesh``).
POINT_SIGMA_PREFIX = "point_sigma_iris_diameters."


def point_sigmas_iris_diameters(norms: NormSet) -> dict[str, float]:
    """The refined points' measured one-sigma errors from the norm set, by ``"<kind>.image|mesh"``."""
    return {
        rid.removeprefix(POINT_SIGMA_PREFIX): ref.value
        for rid, ref in norms.references.items()
        if rid.startswith(POINT_SIGMA_PREFIX)
    }


def assess_face(
    rgb: np.ndarray,
    landmarks_px: np.ndarray,
    rotation: np.ndarray,
    pose: HeadPose,
    *,
    norms: NormSet,
    rules: FindingRules,
    patient: PatientContext = PatientContext(),
    known_ipd_mm: float | None = None,
    marker: MarkerMeasurement | None = None,
    px_scale_to_full: float = 1.0,
) -> Assessment:
    """Measure one frontal face and judge it against the norms.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image (only the hairline search reads pixels).
    landmarks_px : ndarray of shape (478, 3)
        Mesh points in pixels of ``rgb``.
    rotation : ndarray of shape (3, 3)
        Head rotation in image axes.
    pose : HeadPose
    norms, rules
        Norm set and findings rules.
    patient : PatientContext
        Selects sex- (and ethnicity-) specific norms; ``None`` sex uses only sex-neutral norms.
    known_ipd_mm : float, optional
        The patient's interpupillary distance measured in clinic (pupillometer); replaces the other rulers.
    marker : MarkerMeasurement, optional
        A printed calibration marker found in ``rgb`` (:func:`facebalance.vision.marker.find_marker`);
        preferred to the iris ruler when usable.
    px_scale_to_full : float
        Full-resolution pixels per analysed pixel; ``iris_diameter_px`` is reported in full-resolution
        pixels of the original photo.
    """
    frame = head_frame(landmarks_px, rotation, pose)
    right_px, left_px = iris_diameters_px(landmarks_px, IRIS_DIAMETER_ENDS)
    reference = iris_reference(norms)
    visible_iris_px = visible_iris_diameter_px(landmarks_px, reference)
    point_sigmas = point_sigmas_iris_diameters(norms)
    frame = frame.with_refined(
        refine_face_points(rgb, frame, iris_diameter_px=visible_iris_px, sigma_iris_diameters=point_sigmas)
    )
    limbus = fit_both_limbi(rgb, landmarks_px, reference)
    centres = tuple(np.array(fit.centre_px) if fit.source is LimbusSource.IMAGE else None for fit in limbus)
    frame = frame.with_refined(
        pupil_points(
            frame, (centres[0], centres[1]), iris_diameter_px=visible_iris_px, sigma_iris_diameters=point_sigmas
        )
    )
    calibration, limbus, warnings = choose_calibration(
        rgb, landmarks_px, frame, reference, known_ipd_mm=known_ipd_mm, marker=marker, limbus=limbus
    )

    middle_third_px = distance_px(frame.point(Landmark.GLABELLA), frame.point(Landmark.SUBNASALE))
    hairline = find_hairline(rgb, frame, iris_diameter_px=visible_iris_px, middle_third_px=middle_third_px)
    trichion = None
    if hairline.point_px is not None:
        trichion = image_to_head(frame, hairline.point_px, float(landmarks_px[Landmark.FOREHEAD_MESH_TOP, 2]))
    else:
        warnings.append(f"Upper third not measured: {hairline.reason}.")

    measured: list[Measurement] = []
    measured += measure_proportions(
        frame,
        calibration=calibration,
        trichion_xy=trichion,
        hairline_reason=hairline.reason,
        trichion_sigma_px=norms.reference("hairline_sigma_iris_diameters").value * visible_iris_px,
    )
    brows = {
        side: refine_brow_margin(rgb, frame, idx, iris_diameter_px=visible_iris_px)
        for side, idx in (("right", BROW_UPPER_RIGHT), ("left", BROW_UPPER_LEFT))
    }
    for side, brow in brows.items():
        if not brow.refined.all():
            warnings.append(
                f"The {side} brow's upper edge was faint at {int((~brow.refined).sum())} of "
                f"{len(brow.refined)} points; the face-mesh position was used there."
            )
    measured += measure_upper_face(
        frame, calibration=calibration, brow_margins={side: b.points_xy for side, b in brows.items()}
    )
    measured += measure_midface(frame, calibration=calibration)
    measured += measure_lower_face(frame, calibration=calibration)
    by_id: dict[str, Measurement] = {}
    for m in measured:
        by_id.setdefault(m.id, m)  # alar and bizygomatic widths appear in two zones; keep the first
    measured_sym = measure_symmetry(frame, calibration=calibration, paired=by_id)
    for m in measured_sym:
        by_id[m.id] = m
    by_id["iris_diameter_px"] = Measurement(
        "iris_diameter_px",
        Zone.MIDFACE,
        (right_px + left_px) / 2 * px_scale_to_full,
        abs(right_px - left_px) / 2 * px_scale_to_full,
        Unit.PX,
        "Iris contour diameter, mean of both eyes (pixels of the original photo)",
        ("iris_right", "iris_left"),
    )

    choice = load_populations().resolve(patient.ethnicity)
    comparisons = {
        mid: compare_to_norm(m, norms.select(mid, sex=patient.sex, ethnicity=choice.population))
        for mid, m in by_id.items()
    }
    warnings += population_warnings(choice, by_id, comparisons, norms)
    findings = derive_findings(by_id, comparisons, norms, rules)
    return Assessment(
        pose=pose,
        calibration=calibration,
        iris_diameter_right_px=right_px,
        iris_diameter_left_px=left_px,
        measurements=by_id,
        comparisons=comparisons,
        findings=findings,
        frame=frame,
        hairline=hairline,
        patient=patient,
        warnings=warnings,
        limbus=limbus,
        marker=marker,
        population=choice.population,
    )
