"""The JSON document of one before/after comparison (schema ``facebalance.before_after`` 1.0)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from facebalance.beforeafter.comparison import BeforeAfter

SCHEMA = "facebalance.before_after"
SCHEMA_VERSION = "1.0"


def _num(x: float | None, digits: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def comparison_document(result: BeforeAfter, *, before_scale_to_full: float = 1.0) -> dict[str, Any]:
    """The JSON-ready dict of one comparison (schema ``facebalance.before_after`` 1.0).

    ``before_scale_to_full`` turns the tracking's analysed pixels into the before photo's full-resolution
    pixels, like every other pixel figure in the document.
    """
    sim = result.alignment.similarity
    tracking = result.tracking
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "before": result.before_name,
        "after": result.after_name,
        "mode": result.mode.value,
        "requested_mode": result.requested_mode.value,
        "alignment": {
            "method": result.alignment.method.value,
            "points": list(result.alignment.points),
            "scale": _num(sim.scale, 6),
            "scale_relative_sigma": _num(result.alignment.scale_relative_sigma, 6),
            "rotation_deg": _num(sim.rotation_deg, 4),
            "translation_px": [_num(float(v), 3) for v in sim.translation],
            "matrix_after_to_before": [[_num(v, 6) for v in row] for row in sim.matrix.tolist()],
            "residual_rms_px": _num(result.alignment.residual_rms_px, 3),
            "landmark_residual_rms_px": _num(result.alignment.landmark_residual_rms_px, 3),
            "feature_inliers": result.alignment.feature_inliers,
            "note": result.alignment.note or None,
        },
        "tracking": None
        if tracking is None
        else {
            "reliable": tracking.reliable,
            "reason": tracking.reason or None,
            "sigma_px": _num(tracking.sigma_px * before_scale_to_full, 3),
            "stable_motion_rms_px": _num(tracking.stable_motion_rms_px * before_scale_to_full, 3),
            "forward_backward_p95_px": _num(
                float(np.percentile(tracking.forward_backward_px, 95)) * before_scale_to_full, 3
            ),
        },
        "change_sigmas": result.settings.change_sigmas,
        "changes": [
            {
                "id": c.id,
                "unit": c.unit,
                "label": c.label,
                "before": _num(c.before),
                "after": _num(c.after),
                "delta": _num(c.delta),
                "sigma_delta": _num(c.sigma_delta),
                "changed": c.changed,
                **({"reason": c.reason} if c.reason else {}),
            }
            for c in result.changes
        ],
        "warnings": list(result.warnings),
        "disclaimer": "Clinical decision support: changes are measured on photos; a clinician judges them.",
    }
