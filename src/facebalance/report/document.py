"""The versioned JSON document of one analysis.

Stable ids: ``measurements.<id>.value``, ``.uncertainty`` (one sigma), ``.unit``. ``left``/``right`` in
ids are the patient's sides. Coordinates of named points are pixels of the original photo (upright).
Bump :data:`SCHEMA_VERSION` on any incompatible change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from facebalance import __version__
from facebalance.analysis import PhotoAnalysis
from facebalance.anatomy.landmarks import Landmark
from facebalance.findings import NormComparison
from facebalance.norms import NormSet
from facebalance.zones.base import Measurement
from facebalance.zones.midface import alare_indices

SCHEMA_VERSION = "1.0"


def _num(x: float | None, digits: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def named_points_px(result: PhotoAnalysis) -> dict[str, list[float]]:
    """Named anatomical points in pixels of the original photo (upright)."""
    frame = result.assessment.frame
    scale = result.image.scale_to_full
    pts = result.mesh.landmarks_px[:, :2] * scale
    out = {lm.name.lower(): [round(float(pts[lm][0]), 1), round(float(pts[lm][1]), 1)] for lm in Landmark}
    right, left = alare_indices(frame)
    extra = {
        "alare_right": pts[right],
        "alare_left": pts[left],
        "stomion": (pts[Landmark.STOMION_UPPER] + pts[Landmark.STOMION_LOWER]) / 2,
    }
    for name, xy in extra.items():
        out[name] = [round(float(xy[0]), 1), round(float(xy[1]), 1)]
    hair = result.assessment.hairline.point_px
    if hair is not None:
        out["trichion"] = [round(float(hair[0] * scale), 1), round(float(hair[1] * scale), 1)]
    return out


def measurements_document(
    measurements: Mapping[str, Measurement], comparisons: Mapping[str, NormComparison], norms: NormSet
) -> dict[str, Any]:
    """``measurements.<id>`` entries: value, uncertainty, unit, zone, label, points, norm comparison and, for
    asymmetries, the noticed threshold. Shared by the frontal and profile documents."""
    out: dict[str, Any] = {}
    for mid, m in measurements.items():
        c = comparisons[mid]
        entry: dict[str, Any] = {
            "value": _num(m.value),
            "uncertainty": _num(m.uncertainty),
            "unit": m.unit.value,
            "zone": m.zone.value,
            "label": m.label,
            "points": list(m.points),
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
                "deviation": _num(c.deviation, 3),
                "beyond_uncertainty": c.beyond_uncertainty,
            }
        )
        out[mid] = entry
    return out


def analysis_document(result: PhotoAnalysis) -> dict[str, Any]:
    """The JSON-ready dict for one analysis."""
    a = result.assessment
    measurements = measurements_document(a.measurements, a.comparisons, result.norms)
    return {
        "schema": "facebalance.frontal_analysis",
        "schema_version": SCHEMA_VERSION,
        "facebalance_version": __version__,
        "input": {
            "name": result.source_name,
            "format": result.image.format,
            "size_px": list(result.image.full_size_px),
            "analysed_size_px": list(result.image.size_px),
            "exif_orientation_applied": result.image.exif_orientation,
        },
        "view": "frontal",
        "patient": {"sex": a.patient.sex, "ethnicity": a.patient.ethnicity},
        "pose": a.pose.as_dict(),
        "calibration": {
            "method": a.calibration.method.value,
            "mm_per_px_original": _num(a.calibration.mm_per_px / result.image.scale_to_full, 6),
            "relative_uncertainty": _num(a.calibration.relative_uncertainty, 5),
            "landmark_sigma_mm": _num(a.calibration.point_sigma_px * a.calibration.mm_per_px, 3),
            "detail": a.calibration.detail,
        },
        "norm_set": {"name": result.norms.name, "version": result.norms.version},
        "rules_version": result.rules.version,
        "measurements": measurements,
        "findings": [
            {
                "id": f.id,
                "kind": f.kind,
                "zones": [z.value for z in f.zones],
                "measurements": list(f.measurements),
                "value": _num(f.value),
                "uncertainty": _num(f.uncertainty),
                "unit": f.unit,
                "norm": f.norm,
                "source": f.source,
                "deviation": _num(f.deviation, 3),
                "severity": f.severity,
                "beyond_uncertainty": f.beyond_uncertainty,
                "sentence": f.sentence,
                "points": list(f.points),
                "status": "proposed",
            }
            for f in a.findings
        ],
        "hairline": {"found": a.hairline.point_px is not None, "reason": a.hairline.reason or None},
        "points_px": named_points_px(result),
        "warnings": list(a.warnings),
        "disclaimer": "Clinical decision support: every finding is a proposal for a clinician to confirm.",
    }
