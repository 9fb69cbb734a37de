"""The versioned JSON document of one profile analysis (schema ``facebalance.profile_analysis``).

Stable ids: ``measurements.<id>.value``, ``.uncertainty`` (one sigma), ``.unit`` (ids in
:data:`facebalance.profile.measurements.MEASUREMENT_IDS`). Point coordinates are pixels of the original
photo as taken (upright, not mirrored). Bump :data:`SCHEMA_VERSION` on any incompatible change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from facebalance import __version__
from facebalance.profile.analysis import ProfileAnalysis
from facebalance.profile.landmarks import DEFINITIONS
from facebalance.report.document import measurements_document

SCHEMA = "facebalance.profile_analysis"
SCHEMA_VERSION = "1.0"
#: The outline is written with at most this many points (enough to redraw it).
OUTLINE_POINTS = 400


def _num(x: float | None, digits: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def profile_document(result: ProfileAnalysis) -> dict[str, Any]:
    """The JSON-ready dict for one profile analysis."""
    a = result.assessment
    lm = a.landmarks
    to_full = result.image.scale_to_full
    measurements = measurements_document(a.measurements, a.comparisons, result.norms)
    landmarks: dict[str, Any] = {}
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
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "facebalance_version": __version__,
        "input": {
            "name": result.source_name,
            "format": result.image.format,
            "size_px": list(result.image.full_size_px),
            "analysed_size_px": list(result.image.size_px),
            "exif_orientation_applied": result.image.exif_orientation,
        },
        "view": result.view,
        "patient": {"sex": a.patient.sex, "ethnicity": a.patient.ethnicity},
        "frame": {
            "tilt_deg": lm.frame.tilt_deg,
            "axes": "u anterior (the way the face looks), v inferior; image axes when tilt_deg = 0 "
            "(photo in natural head position, Frankfort plane level)",
            "scale_px": _num(lm.scale_px * to_full, 1),
        },
        "calibration": None
        if scale is None
        else {
            "method": scale.method.value,
            "mm_per_px_original": _num(scale.calibration.mm_per_px / to_full, 6),
            "relative_uncertainty": _num(scale.calibration.relative_uncertainty, 5),
            "detail": scale.detail,
        },
        "norm_set": {"name": result.norms.name, "version": result.norms.version},
        "outline": {
            "points_px": np.round(outline, 1).tolist(),
            "noise_px": _num(a.outline.noise_px * to_full, 2),
            "edge_found_fraction": _num(a.outline.edge_found_fraction, 3),
            "backdrop_texture": _num(result.backdrop_texture, 2),
        },
        "landmarks": landmarks,
        "landmarks_missing": {p.value: reason for p, reason in lm.missing.items()},
        "measurements": measurements,
        "findings": [
            {
                "id": f.finding.id,
                "kind": f.finding.kind,
                "zones": [z.value for z in f.finding.zones],
                "measurements": list(f.finding.measurements),
                "value": _num(f.finding.value),
                "uncertainty": _num(f.finding.uncertainty),
                "unit": f.finding.unit,
                "norm": f.finding.norm,
                "source": f.finding.source,
                "deviation": _num(f.finding.deviation, 3),
                "severity": f.finding.severity,
                "beyond_uncertainty": f.finding.beyond_uncertainty,
                "sentence": f.finding.sentence,
                "intervention": f.intervention or None,
                "points": list(f.finding.points),
                "status": "proposed",
            }
            for f in a.findings
        ],
        "warnings": list(a.warnings),
        "disclaimer": "Clinical decision support: every finding is a proposal for a clinician to confirm.",
    }
