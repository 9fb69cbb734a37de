"""The versioned JSON documents of the frontal and profile analyses: one header, one measurement and
finding layout.

Frontal (schema ``facebalance.frontal_analysis``): stable ids ``measurements.<id>.value``,
``.uncertainty`` (one sigma), ``.unit``; ``left``/``right`` in ids are the patient's sides; coordinates of
named points are pixels of the original photo (upright).

Profile (schema ``facebalance.profile_analysis``): the same measurement entries (ids in
:data:`facebalance.profile.measurements.MEASUREMENT_IDS`); point coordinates are pixels of the original
photo as taken (upright, not mirrored).

Bump the schema's version (:data:`SCHEMA_VERSION`, :data:`PROFILE_SCHEMA_VERSION`) on any incompatible
change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.refine.alae import mesh_alare_indices
from facebalance.documents import (
    FindingDocument,
    FrontalDocument,
    HeaderDocument,
    MeasurementDocument,
    PointFoundDocument,
    ProfileDocument,
    ProfileLandmarkDocument,
)
from facebalance.profile.landmarks import DEFINITIONS
from facebalance.version import __version__

if TYPE_CHECKING:
    from facebalance.assessment import PatientContext
    from facebalance.findings import Finding, NormComparison
    from facebalance.norms import NormSet
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis
    from facebalance.vision import LoadedImage
    from facebalance.zones.base import Measurement

SCHEMA = "facebalance.frontal_analysis"
SCHEMA_VERSION = "1.0"
PROFILE_SCHEMA = "facebalance.profile_analysis"
PROFILE_SCHEMA_VERSION = "1.0"
#: The profile outline is written with at most this many points (enough to redraw it).
OUTLINE_POINTS = 400
DISCLAIMER = "Clinical decision support: every finding is a proposal for a clinician to confirm."


def rounded(x: float | None, digits: int = 4) -> float | None:
    """``x`` rounded for a document; ``None`` for a missing or non-finite value.

    >>> rounded(1.234567), rounded(float("nan")), rounded(None)
    (1.2346, None, None)
    """
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def document_header(
    schema: str, version: str, *, name: str, image: LoadedImage, view: str, patient: PatientContext
) -> HeaderDocument:
    """The opening keys every analysis document shares: schema, versions, the input photo, view, patient."""
    return {
        "schema": schema,
        "schema_version": version,
        "facebalance_version": __version__,
        "input": {
            "name": name,
            "format": image.format,
            "size_px": list(image.full_size_px),
            "analysed_size_px": list(image.size_px),
            "exif_orientation_applied": image.exif_orientation,
        },
        "view": view,
        "patient": {"sex": patient.sex, "ethnicity": patient.ethnicity},
    }


def finding_entry(f: Finding, *, intervention: str | None = None) -> FindingDocument:
    """One proposed finding.

    ``intervention`` is given for the profile's findings: the intervention order a relationship rule
    proposes (``""`` for none, written as ``null``); the frontal document has no such key.
    """
    entry: FindingDocument = {
        "id": f.id,
        "kind": f.kind,
        "zones": [z.value for z in f.zones],
        "measurements": list(f.measurements),
        "value": rounded(f.value),
        "uncertainty": rounded(f.uncertainty),
        "unit": f.unit,
        "norm": f.norm,
        "source": f.source,
        "deviation": rounded(f.deviation, 3),
        "severity": f.severity,
        "beyond_uncertainty": f.beyond_uncertainty,
        "sentence": f.sentence,
        "points": list(f.points),
        "status": "proposed",
    }
    if intervention is not None:
        entry["intervention"] = intervention or None
    return entry


def named_points_px(result: PhotoAnalysis) -> dict[str, list[float]]:
    """Named anatomical points in pixels of the original photo (upright): the points read from the photo
    where they were (:mod:`facebalance.anatomy.refine`), else the mesh's."""
    frame = result.assessment.frame
    scale = result.image.scale_to_full
    pts = result.mesh.landmarks_px[:, :2] * scale
    out = {lm.name.lower(): [round(float(pts[lm][0]), 1), round(float(pts[lm][1]), 1)] for lm in Landmark}
    right, left = mesh_alare_indices(frame)
    extra = {
        "alare_right": pts[right],
        "alare_left": pts[left],
        "stomion": (pts[Landmark.STOMION_UPPER] + pts[Landmark.STOMION_LOWER]) / 2,
    }
    for name, point in frame.refined.items():
        extra[name] = frame.to_image(point.xy, point.depth_px)[0] * scale
    for name, xy in extra.items():
        out[name] = [round(float(xy[0]), 1), round(float(xy[1]), 1)]
    hair = result.assessment.hairline.point_px
    if hair is not None:
        out["trichion"] = [round(float(hair[0] * scale), 1), round(float(hair[1] * scale), 1)]
    return out


def points_found(result: PhotoAnalysis) -> dict[str, PointFoundDocument]:
    """How each measured point was placed: read from the photo or taken from the mesh, and its one-sigma
    error per coordinate (pixels of the original photo and mm)."""
    a = result.assessment
    scale = result.image.scale_to_full
    out: dict[str, PointFoundDocument] = {}
    for name, point in sorted(a.frame.refined.items()):
        sigma_px = a.calibration.point_sigma_px if point.sigma_px is None else point.sigma_px
        out[name] = {
            "from_image": point.refined,
            "method": point.method,
            "sigma_px": rounded(sigma_px * scale, 2),
            "sigma_mm": rounded(sigma_px * a.calibration.mm_per_px, 2),
        }
    return out


def measurements_document(
    measurements: Mapping[str, Measurement], comparisons: Mapping[str, NormComparison], norms: NormSet
) -> dict[str, MeasurementDocument]:
    """``measurements.<id>`` entries: value, uncertainty, unit, zone, label, points, norm comparison and, for
    asymmetries, the noticed threshold. Shared by the frontal and profile documents."""
    out: dict[str, MeasurementDocument] = {}
    for mid, m in measurements.items():
        c = comparisons[mid]
        entry: MeasurementDocument = {
            "value": rounded(m.value),
            "uncertainty": rounded(m.uncertainty),
            "unit": m.unit.value,
            "zone": m.zone.value,
            "label": m.label,
            "points": list(m.points),
            "norm": None,
        }
        if m.reason:
            entry["not_measurable_reason"] = m.reason
        threshold = norms.thresholds.get(mid)
        if threshold is not None:
            entry["threshold"] = {"noticed_at_mm": threshold.noticed_at, "source": threshold.source}
        entry["norm"] = (
            None
            if c.norm is None
            else {
                "mean": c.norm.mean,
                "sd": c.norm.sd,
                "low": c.norm.low,
                "high": c.norm.high,
                "sex": c.norm.sex,
                "population": c.norm.population,
                "source": c.norm.source,
                "review": c.norm.review,
                "status": c.status,
                "deviation": rounded(c.deviation, 3),
                "beyond_uncertainty": c.beyond_uncertainty,
            }
        )
        out[mid] = entry
    return out


def analysis_document(result: PhotoAnalysis) -> FrontalDocument:
    """The JSON-ready dict for one frontal analysis."""
    a = result.assessment
    scale = result.image.scale_to_full
    measurements = measurements_document(a.measurements, a.comparisons, result.norms)
    return {
        **document_header(
            SCHEMA, SCHEMA_VERSION, name=result.source_name, image=result.image, view="frontal", patient=a.patient
        ),
        "pose": a.pose.as_dict(),
        "calibration": {
            "method": a.calibration.method.value,
            "ruler": a.calibration.ruler.value,
            "iris": [
                {
                    "side": side,
                    "source": fit.source.value,
                    "diameter_px_original": rounded(fit.diameter_px * scale, 2),
                    "sigma_px_original": rounded(fit.sigma_px * scale, 2),
                    "note": fit.note,
                }
                for side, fit in zip(("right", "left"), a.limbus or (), strict=False)
            ],
            "mm_per_px_original": rounded(a.calibration.mm_per_px / result.image.scale_to_full, 6),
            "relative_uncertainty": rounded(a.calibration.relative_uncertainty, 5),
            "landmark_sigma_mm": rounded(a.calibration.point_sigma_px * a.calibration.mm_per_px, 3),
            "detail": a.calibration.detail,
        },
        "norm_set": {"name": result.norms.name, "version": result.norms.version, "population": a.population},
        "rules_version": result.rules.version,
        "measurements": measurements,
        "findings": [finding_entry(f) for f in a.findings],
        "hairline": {"found": a.hairline.point_px is not None, "reason": a.hairline.reason or None},
        "points_px": named_points_px(result),
        "points_found": points_found(result),
        "warnings": list(a.warnings),
        "disclaimer": DISCLAIMER,
    }


def profile_document(result: ProfileAnalysis) -> ProfileDocument:
    """The JSON-ready dict for one profile analysis."""
    a = result.assessment
    lm = a.landmarks
    to_full = result.image.scale_to_full
    measurements = measurements_document(a.measurements, a.comparisons, result.norms)
    landmarks: dict[str, ProfileLandmarkDocument] = {}
    for p, lp in lm.points.items():
        xy = result.to_original_px(lp.xy)[0]
        landmarks[p.value] = {
            "x": round(float(xy[0]), 1),
            "y": round(float(xy[1]), 1),
            "sigma_px": round(lp.sigma_px * to_full, 2),
            "confidence": lp.confidence,
            "method": lp.method,
            "kind": DEFINITIONS[p].kind,
            "definition": DEFINITIONS[p].definition,
        }
    step = max(1, math.ceil(len(a.outline.points_px) / OUTLINE_POINTS))
    outline = result.to_original_px(a.outline.points_px[::step])
    scale = a.scale
    return {
        **document_header(
            PROFILE_SCHEMA,
            PROFILE_SCHEMA_VERSION,
            name=result.source_name,
            image=result.image,
            view=result.view,
            patient=a.patient,
        ),
        "frame": {
            "tilt_deg": lm.frame.tilt_deg,
            "tilt_estimated": lm.frame_estimated,
            "axes": "u anterior (the way the face looks), v inferior; image axes when tilt_deg = 0 "
            "(photo in natural head position, Frankfort plane level)",
            "scale_px": rounded(lm.scale_px * to_full, 1),
            "yaw_deg": None if a.yaw is None else rounded(a.yaw.yaw_deg, 1),
            "yaw_sigma_deg": None if a.yaw is None else rounded(a.yaw.sigma_deg, 1),
            "yaw_source": None if a.yaw is None else a.yaw.source,
        },
        "calibration": None
        if scale is None
        else {
            "method": scale.method.value,
            "mm_per_px_original": rounded(scale.calibration.mm_per_px / to_full, 6),
            "relative_uncertainty": rounded(scale.calibration.relative_uncertainty, 5),
            "detail": scale.detail,
        },
        "norm_set": {"name": result.norms.name, "version": result.norms.version},
        "outline": {
            "points_px": np.round(outline, 1).tolist(),
            "noise_px": rounded(a.outline.noise_px * to_full, 2),
            "edge_found_fraction": rounded(a.outline.edge_found_fraction, 3),
            "backdrop_texture": rounded(result.backdrop_texture, 2),
            "method": result.method,
        },
        "landmarks": landmarks,
        "landmarks_missing": {p.value: reason for p, reason in lm.missing.items()},
        "measurements": measurements,
        "findings": [finding_entry(f.finding, intervention=f.intervention) for f in a.findings],
        "warnings": list(a.warnings),
        "disclaimer": DISCLAIMER,
    }
