"""From a traced profile outline to landmarks, measurements, norm comparisons and findings (pure).

The profile counterpart of :func:`facebalance.assessment.assess_face`: arrays and dataclasses in,
dataclasses out. Photos reach it through :func:`facebalance.profile.analysis.analyze_profile`;
cephalograms through :mod:`facebalance.evaluation.profile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facebalance.assessment import PatientContext
from facebalance.findings import NormComparison, compare_to_norm
from facebalance.norms import NormSet
from facebalance.profile.calibration import ProfileScale, ScaleSource, resolve_scale
from facebalance.profile.contour import TracedOutline
from facebalance.profile.findings import ProfileFinding, derive_profile_findings
from facebalance.profile.landmarks import CLINICAL_POINTS, MidlinePrior, NoseHint, ProfileLandmarks, locate_landmarks
from facebalance.profile.measurements import NO_SCALE_REASON, measure_profile
from facebalance.profile.yaw import YawEstimate
from facebalance.zones.base import Measurement

#: Landmarks below this confidence are reported with a warning.
LOW_CONFIDENCE = 0.3


@dataclass(frozen=True)
class ProfileAssessment:
    """Everything measured on one profile outline (canonical pixels of the analysed image)."""

    outline: TracedOutline
    landmarks: ProfileLandmarks
    scale: ProfileScale | None
    measurements: dict[str, Measurement]
    comparisons: dict[str, NormComparison]
    findings: list[ProfileFinding]
    patient: PatientContext
    warnings: list[str] = field(default_factory=list)
    yaw: YawEstimate | None = None


def definition_sigmas(norms: NormSet) -> dict[str, float]:
    """The frontal-to-profile definition uncertainties held as references in the norm set."""
    ids = ("profile_carry_over_nasion_subnasale_sigma_mm", "profile_carry_over_subnasale_menton_sigma_mm")
    return {i: norms.reference(i).value for i in ids if i in norms.references}


def assess_profile(
    outline: TracedOutline,
    *,
    norms: NormSet,
    patient: PatientContext | None = None,
    scale: ScaleSource | None = None,
    tilt_deg: float | None = 0.0,
    alar_crease_xy: np.ndarray | None = None,
    nose_hint: NoseHint | None = None,
    yaw: YawEstimate | None = None,
    midline_prior: MidlinePrior | None = None,
) -> ProfileAssessment:
    """Locate, measure and judge one profile outline.

    Parameters
    ----------
    outline : TracedOutline
        Canonical orientation (face toward +x), pixels of the analysed image.
    norms : NormSet
        Norms and the profile calibration constants (``profile_*`` references).
    patient : PatientContext, optional
        Selects sex- and population-specific norms (none given: sex-neutral norms only).
    scale : ScaleSource, optional
        How to get millimetres; without it only angles and ratios are measured.
    tilt_deg : float or None
        Head tilt of the frame (chin raised positive), when known; ``None`` to estimate it from the profile.
    alar_crease_xy : ndarray of shape (2,), optional
        Alar crease in canonical pixels (for the Goode ratio).
    nose_hint : NoseHint, optional
        Where the nose tip roughly is (from the face mesh or a face detector).
    yaw : YawEstimate, optional
        The head's turn: measurements are corrected for it and their uncertainty widened.
    midline_prior : MidlinePrior, optional
        The face mesh's midline points of a turned head (subnasale, lips, stomion placed on the midline).

    Raises
    ------
    ProfileNotReadable
        No nose or nasofrontal angle on the outline.
    CalibrationError
        The scale source cannot be used on this profile.
    """
    patient = patient or PatientContext()
    landmarks = locate_landmarks(
        outline.points_px,
        tilt_deg=tilt_deg,
        noise_px=outline.noise_px,
        nose_hint=nose_hint,
        midline_prior=midline_prior,
    )
    warnings: list[str] = []
    if landmarks.frame_estimated:
        warnings.append(
            f"The head's tilt was estimated from the profile ({landmarks.frame.tilt_deg:+.0f} deg, chin raised "
            "positive), taking N'-Pog' as vertical: the points are located in that frame."
        )
    if yaw is not None and yaw.yaw_deg < 90.0:
        warnings.append(
            f"Head turned about {yaw.yaw_deg:.0f} deg (+/- {yaw.sigma_deg:.0f}; {yaw.source}): anterior distances "
            f"were corrected by 1/sin(yaw) = {1.0 / yaw.foreshortening:.3f} and their uncertainty widened."
        )
    profile_scale = None
    if scale is not None:
        tilt_sigma = (
            norms.references["profile_head_tilt_sigma_deg"].value
            if ("profile_head_tilt_sigma_deg" in norms.references)
            else 5.0
        )
        profile_scale = resolve_scale(
            landmarks, scale, definition_sigma_mm=definition_sigmas(norms), tilt_sigma_deg=tilt_sigma
        )
    else:
        warnings.append(f"Millimetre measurements not made: {NO_SCALE_REASON}.")
    measured = measure_profile(
        landmarks,
        calibration=profile_scale.calibration if profile_scale else None,
        alar_crease_xy=alar_crease_xy,
        yaw=yaw,
    )
    by_id = {m.id: m for m in measured}
    comparisons = {
        mid: compare_to_norm(m, norms.select(mid, sex=patient.sex, ethnicity=patient.ethnicity))
        for mid, m in by_id.items()
    }
    findings = derive_profile_findings(by_id, comparisons, norms)
    for p in CLINICAL_POINTS:
        lp = landmarks.points.get(p)
        if lp is None:
            warnings.append(f"{p.value.replace('_', ' ').capitalize()} not located: {landmarks.missing.get(p, '')}.")
        elif lp.confidence < LOW_CONFIDENCE:
            warnings.append(
                f"{p.value.replace('_', ' ').capitalize()} located with low confidence "
                f"({lp.confidence:.2f}, {lp.method}); check it on the annotated image."
            )
    return ProfileAssessment(
        outline=outline,
        landmarks=landmarks,
        scale=profile_scale,
        measurements=by_id,
        comparisons=comparisons,
        findings=findings,
        patient=patient,
        warnings=warnings,
        yaw=yaw,
    )
