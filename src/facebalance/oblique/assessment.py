"""From a refined far-side silhouette to points, measurements, norm comparisons and findings (pure).

The oblique counterpart of :func:`facebalance.profile.assessment.assess_profile`: arrays and dataclasses in,
dataclasses out. Photos reach it through :func:`facebalance.oblique.analysis.analyze_oblique`.

Findings are conservative. A measurement is compared with a population norm only where the norm set has a
cited one (``norms/data/oblique_default.toml``: today the cheek apex's height); the silhouette's depths and
convexities have no published population values, so a single oblique gives no population finding for them.
They are judged side to side and against the patient's own earlier sessions
(:mod:`facebalance.oblique.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.assessment import PatientContext
from facebalance.findings import Finding, FindingRules, NormComparison, compare_to_norm, derive_findings
from facebalance.norms import NormSet
from facebalance.oblique.frame import ObliqueFrame, ObliqueView, Side, far_side
from facebalance.oblique.measurements import NO_SCALE_REASON, measure_oblique
from facebalance.oblique.points import CLINICAL_POINTS, FLAT, MeshReferences, ObliquePoints, locate_points
from facebalance.oblique.silhouette import FarOutline
from facebalance.zones.base import Measurement

#: Points below this confidence are reported with a warning.
LOW_CONFIDENCE = 0.3


@dataclass(frozen=True)
class ObliqueAssessment:
    """Everything measured on one three-quarter photo (canonical pixels of the analysed image).

    Attributes
    ----------
    view : {"oblique_left", "oblique_right"}
    side : {"left", "right"}
        The patient's side whose silhouette was read (the far side).
    yaw_deg : float
        The head's turn as taken (positive: the patient turned to their left).
    """

    view: ObliqueView
    side: Side
    yaw_deg: float
    frame: ObliqueFrame
    outline: FarOutline
    references: MeshReferences
    points: ObliquePoints
    calibration: Calibration | None
    measurements: dict[str, Measurement]
    comparisons: dict[str, NormComparison]
    findings: list[Finding]
    patient: PatientContext
    warnings: list[str] = field(default_factory=list)


def blocked_reasons(outline: FarOutline, hidden_by: np.ndarray | None = None) -> np.ndarray:
    """Why each silhouette point may not carry a point of the cheek ("" where it may).

    >>> import numpy as np
    >>> o = FarOutline(np.zeros((3, 2)), np.zeros((3, 2)), np.ones(3, bool), np.array([True, False, True]), 1.0)
    >>> blocked_reasons(o, np.array(["", "", "nose"])).tolist()
    ['', 'outside the photo', 'hidden behind the nose at this turn of the head']
    """
    why = np.full(len(outline.points_px), "", dtype=object)
    if hidden_by is not None:
        for feature in ("nose", "lips"):
            why[np.asarray(hidden_by) == feature] = f"hidden behind the {feature} at this turn of the head"
    why[~outline.in_frame] = "outside the photo"
    return why


def assess_oblique(
    outline: FarOutline,
    frame: ObliqueFrame,
    references: MeshReferences,
    *,
    view: ObliqueView,
    yaw_deg: float,
    scale_px: float,
    calibration: Calibration | None,
    norms: NormSet,
    rules: FindingRules,
    patient: PatientContext | None = None,
    warnings: list[str] | None = None,
    outline_sigma_px: float = 0.0,
    hidden_by: np.ndarray | None = None,
    apex_sigma_along_px: float = 0.0,
) -> ObliqueAssessment:
    """Locate, measure and judge one far-side silhouette.

    Parameters
    ----------
    outline : FarOutline
        Canonical pixels (nose toward +x), temple to chin.
    frame : ObliqueFrame
    references : MeshReferences
    view : {"oblique_left", "oblique_right"}
    yaw_deg : float
        As taken.
    scale_px : float
        The face's length (nasion to menton on the mesh), pixels.
    calibration : Calibration or None
        Millimetres per canonical pixel; ``None`` leaves millimetre quantities unmeasured.
    norms : NormSet
    rules : FindingRules
        Severity bands (their frontal relations are not used).
    patient : PatientContext, optional
    warnings : list of str, optional
        Warnings of the earlier steps, carried into the assessment.
    outline_sigma_px : float
        One-sigma accuracy of the silhouette across itself, pixels; the outline's own noise is used when larger.
    hidden_by : ndarray of shape (N,), str, optional
        Per silhouette point, the feature standing in front of the cheek there ("nose", "lips") or "".
    apex_sigma_along_px : float
        Least one-sigma uncertainty of the malar prominence along the silhouette, pixels.

    Raises
    ------
    ObliqueNotReadable
        The silhouette does not run from the temple to the jaw.
    """
    patient = patient or PatientContext()
    notes = list(warnings or [])
    points = locate_points(
        outline.points_px,
        frame,
        references,
        scale_px=scale_px,
        noise_px=max(outline.noise_px, outline_sigma_px),
        blocked=blocked_reasons(outline, hidden_by),
        apex_sigma_along_px=apex_sigma_along_px,
    )
    # A point where the photo showed no edge follows its neighbours or the mesh: trust it half as much.
    off_edge = {
        p: replace(lp, confidence=round(lp.confidence * 0.5, 3))
        for p, lp in points.points.items()
        if p in CLINICAL_POINTS and not outline.on_edge[lp.index]
    }
    points = replace(points, points={**points.points, **off_edge})
    measured = measure_oblique(points, references, frame, calibration=calibration)
    by_id = {m.id: m for m in measured}
    comparisons = {
        mid: compare_to_norm(m, norms.select(mid, sex=patient.sex, ethnicity=patient.ethnicity))
        for mid, m in by_id.items()
    }
    bands_only = replace(rules, relations=())
    # Conservative: a population finding only where the deviation is beyond twice the measurement's
    # uncertainty (the cited norm's landmark is placed by hand, ours on the silhouette).
    findings = [f for f in derive_findings(by_id, comparisons, norms, bands_only) if f.beyond_uncertainty]
    if calibration is None:
        notes.append(f"Millimetre measurements not made: {NO_SCALE_REASON}.")
    for p in CLINICAL_POINTS:
        lp = points.points.get(p)
        name = p.value.replace("_", " ").capitalize()
        if lp is None:
            notes.append(f"{name} not located: {points.missing.get(p, '')}.")
        elif lp.confidence < LOW_CONFIDENCE and lp.method != FLAT:
            notes.append(f"{name} located with low confidence ({lp.confidence:.2f}); check it on the annotated image.")
    return ObliqueAssessment(
        view=view,
        side=far_side(view),
        yaw_deg=yaw_deg,
        frame=frame,
        outline=outline,
        references=references,
        points=points,
        calibration=calibration,
        measurements=by_id,
        comparisons=comparisons,
        findings=findings,
        patient=patient,
        warnings=notes,
    )
