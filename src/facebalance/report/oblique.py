"""The versioned JSON document of one oblique analysis (schema ``facebalance.oblique_analysis``).

Stable ids: ``measurements.<id>.value``, ``.uncertainty`` (one sigma), ``.unit`` (ids in
:data:`facebalance.oblique.measurements.MEASUREMENT_IDS`); ``points.<name>`` (names of
:class:`facebalance.oblique.points.ObliquePoint`). Every coordinate is in pixels of the original photo as taken
(upright, full resolution, not mirrored). ``outline.far_side`` is the far-side silhouette, where it lies in the
photo, from the temple to the chin as ``[[x, y], ...]``. Bump :data:`SCHEMA_VERSION` on any incompatible change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from facebalance.oblique.analysis import ObliqueAnalysis
from facebalance.oblique.compare import ObliqueComparison
from facebalance.oblique.points import DEFINITIONS
from facebalance.report.document import (
    DISCLAIMER,
    OUTLINE_POINTS,
    document_header,
    finding_entry,
    measurements_document,
    rounded,
)

SCHEMA = "facebalance.oblique_analysis"
SCHEMA_VERSION = "1.0"
COMPARISON_SCHEMA = "facebalance.oblique_comparison"


def oblique_document(result: ObliqueAnalysis) -> dict[str, Any]:
    """The JSON-ready dict for one oblique analysis."""
    a = result.assessment
    to_full = result.image.scale_to_full

    def xy(p: np.ndarray) -> list[float]:
        q = result.to_original_px(p)[0]
        return [round(float(q[0]), 1), round(float(q[1]), 1)]

    points: dict[str, Any] = {}
    for p, lp in a.points.points.items():
        x, y = xy(lp.xy)
        points[p.value] = {
            "x": x,
            "y": y,
            "sigma_px": round(lp.sigma_px * to_full, 2),
            "sigma_along_px": round(lp.sigma_along_px * to_full, 2),
            "confidence": lp.confidence,
            "method": lp.method,
            "kind": DEFINITIONS[p].kind,
            "definition": DEFINITIONS[p].definition,
        }
    refs = a.references
    # The silhouette where it is in the photo (beyond the frame it would be the mesh's guess).
    seen = a.outline.points_px[a.outline.in_frame]
    step = max(1, math.ceil(len(seen) / OUTLINE_POINTS))
    outline = result.to_original_px(seen[::step]) if len(seen) else np.zeros((0, 2))
    cal = a.calibration
    return {
        **document_header(
            SCHEMA, SCHEMA_VERSION, name=result.source_name, image=result.image, view=result.view, patient=a.patient
        ),
        "side_read": a.side,
        "pose": result.pose.as_dict(),
        "frame": {
            "axes": "u along the head's horizontal toward the far side, v along the head's vertical (down), both "
            "in the plane of the photo; heights are read along v",
            "scale_px": rounded(a.points.scale_px * to_full, 1),
        },
        "calibration": None
        if cal is None
        else {
            "method": cal.method.value,
            "ruler": cal.ruler.value,
            "mm_per_px_original": rounded(cal.mm_per_px / to_full, 6),
            "relative_uncertainty": rounded(cal.relative_uncertainty, 5),
            "scale_method": result.scale_method,
            "detail": cal.detail,
        },
        "norm_set": {"name": result.norms.name, "version": result.norms.version},
        "outline": {
            "far_side": np.round(outline, 1).tolist(),
            "noise_px": rounded(a.outline.noise_px * to_full, 2),
            "edge_found_fraction": rounded(a.outline.edge_found_fraction, 3),
            "in_photo_fraction": rounded(float(a.outline.in_frame.mean()), 3),
        },
        "points": points,
        "points_missing": {p.value: reason for p, reason in a.points.missing.items()},
        "mesh_references": {
            "lateral_canthus": xy(refs.lateral_canthus),
            "lateral_canthus_near": xy(refs.lateral_canthus_near),
            "alar_base": xy(refs.alar_base),
            "cheilion": xy(refs.cheilion),
            "menton": xy(refs.menton),
            "sigma_px": round(refs.sigma_px * to_full, 2),
        },
        "measurements": measurements_document(a.measurements, a.comparisons, result.norms),
        "findings": [finding_entry(f) for f in a.findings],
        "warnings": list(a.warnings),
        "disclaimer": DISCLAIMER,
    }


def comparison_document(comparison: ObliqueComparison) -> dict[str, Any]:
    """The JSON-ready dict of a left/right or session comparison (schema ``facebalance.oblique_comparison``)."""
    return {
        "schema": COMPARISON_SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "kind": comparison.kind,
        "compared": comparison.compared,
        "reason": comparison.reason or None,
        "yaw_deg": [round(y, 2) for y in comparison.yaw_deg],
        "measurements": {
            mid: {
                "value": rounded(m.value),
                "uncertainty": rounded(m.uncertainty),
                "unit": m.unit.value,
                "zone": m.zone.value,
                "label": m.label,
                **({"not_measurable_reason": m.reason} if m.reason else {}),
            }
            for mid, m in comparison.measurements.items()
        },
        "findings": [finding_entry(f) for f in comparison.findings],
    }
