"""``dynamics.json``: the dynamic assessment as a JSON document (schema ``facebalance.dynamics`` 1.0).

Shape (every length in mm unless the metric's ``unit`` says otherwise; ``left``/``right`` are the patient's)::

    {"schema": "facebalance.dynamics", "schema_version": "1.0", "source": ..., "input": "video" | "photos",
     "calibration": {...}, "rest": {<expression>}, "expressions": [<expression>, ...],
     "missing_expressions": [...], "findings": [...], "warnings": [...]}

    <expression> = {"name": "smile", "label": ..., "start_s": 0.63, "end_s": 2.37, "peak_s": 1.43,
                    "start_frame": 19, "end_frame": 71, "peak_frame": 43, "primary": true, "warnings": [...],
                    "metrics": {"commissure_excursion_mm": {"left": 17.2, "right": 14.4,
                                "asymmetry_index": 0.17, "unit": "mm", ...}},
                    "reading": {"candidate": "smile", "proposed_by": "blendshapes" | "prompt",
                                "verdict": "matched" | "weak" | "conflict" | "unmatched", "named": true,
                                "checks": [...], "signals": {...}}}

An expression whose movement did not show the pattern of the expression proposed for it has ``"name":
"unclassified"`` (its metrics are those of the proposed expression; it is never primary and never used for
findings). ``rest.at_rest`` says whether the rest period counted as at rest (rest findings need it).
Schema 1.1 adds ``reading``, ``prompted`` and ``rest.at_rest`` to 1.0.

For a photo series the times are the photo indices.
"""

from __future__ import annotations

from typing import Any

from facebalance.dynamics.asymmetry import Asymmetry
from facebalance.dynamics.metrics import MovementMetric
from facebalance.dynamics.patterns import Reading
from facebalance.dynamics.results import DynamicFinding, DynamicsResult, ExpressionResult
from facebalance.report.document import rounded

SCHEMA = "facebalance.dynamics"
SCHEMA_VERSION = "1.1"


def metric_entry(metric: MovementMetric, asymmetry: Asymmetry | None) -> dict[str, Any]:
    """One metric: the required ``left``, ``right``, ``asymmetry_index``, ``unit``, and the detail behind them."""

    def side(attr: str) -> dict[str, Any]:
        return {
            name: (None if metric.side(name) is None else getattr(metric.side(name), attr))
            for name in ("left", "right")
        }

    values = side("value")
    sigmas = side("sigma")
    entry: dict[str, Any] = {
        "left": rounded(values["left"], 3),
        "right": rounded(values["right"], 3),
        "asymmetry_index": rounded(asymmetry.index, 3) if asymmetry is not None else None,
        "unit": metric.unit,
        "label": metric.label,
        "uncertainty": {k: rounded(v, 3) for k, v in sigmas.items()},
        "source": side("source"),
    }
    if asymmetry is not None:
        entry.update(
            {
                "difference_left_minus_right": rounded(asymmetry.difference, 3),
                "difference_uncertainty": rounded(asymmetry.sigma, 3),
                "noticed_at": rounded(asymmetry.noticed_at, 3),
                "noticeable": asymmetry.noticeable,
                "noticeable_beyond_uncertainty": asymmetry.beyond_uncertainty,
            }
        )
    if metric.reason:
        entry["reason"] = metric.reason
    return entry


def reading_entry(reading: Reading) -> dict[str, Any]:
    """How a segment was read: the expression proposed, by what, the verdict and every pattern check."""
    return {
        "candidate": reading.candidate,
        "proposed_by": "prompt" if reading.prompted else "blendshapes",
        "verdict": reading.verdict.value,
        "named": reading.named,
        "sentence": reading.sentence(),
        "checks": [
            {"role": c.role, "says": c.says, "held": c.held, "signals": list(c.signals), "review": c.review}
            for c in reading.checks
        ],
        "signals": {
            k: {"right": rounded(r, 3), "left": rounded(lv, 3)} for k, (r, lv) in sorted(reading.values.items())
        },
    }


def expression_entry(expression: ExpressionResult) -> dict[str, Any]:
    entry = _expression_fields(expression)
    if expression.reading is not None:
        entry["reading"] = reading_entry(expression.reading)
    return entry


def _expression_fields(expression: ExpressionResult) -> dict[str, Any]:
    return {
        "name": expression.name,
        "label": expression.label,
        "kind": expression.kind.value,
        "start_s": rounded(expression.start_s, 3),
        "end_s": rounded(expression.end_s, 3),
        "peak_s": rounded(expression.peak_s, 3),
        "start_frame": expression.start_index,
        "end_frame": expression.end_index,
        "peak_frame": expression.peak_index,
        "peak_activation": rounded(expression.peak_activation, 3),
        "primary": expression.primary,
        "warnings": list(expression.warnings),
        "metrics": {m.id: metric_entry(m, expression.asymmetries.get(m.id)) for m in expression.metrics},
    }


def finding_entry(f: DynamicFinding) -> dict[str, Any]:
    return {
        "id": f.id,
        "kind": f.kind,
        "expression": f.expression,
        "side": f.side,
        "severity": f.severity,
        "sentence": f.sentence,
        "action": f.action,
        "value": rounded(f.value, 3),
        "uncertainty": rounded(f.uncertainty, 3),
        "unit": f.unit,
        "threshold": f.norm,
        "beyond_uncertainty": f.beyond_uncertainty,
        "measurements": list(f.measurements),
        "zones": [z.value for z in f.zones],
        "source": f.source,
        "review": f.review,
    }


def dynamics_document(result: DynamicsResult) -> dict[str, Any]:
    """The JSON-ready document of one assessment."""
    cal = result.calibration
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "source": result.source,
        "input": result.input_kind,
        "time_unit": "s" if result.input_kind == "video" else "photo_index",
        "script": {"name": result.script_name, "version": result.script_version},
        "frames": result.frame_count,
        "usable_frames": result.usable_frame_count,
        "fps": rounded(result.fps, 3),
        "duration_s": rounded(result.duration_s, 3),
        "frame_size_px": list(result.frame_size_px),
        "calibration": {
            "mm_per_px": rounded(cal.mm_per_px, 5),
            "relative_uncertainty": rounded(cal.relative_uncertainty, 4),
            "method": cal.method.value,
            "detail": cal.detail,
        },
        "prompted": result.prompted,
        "rest": {**expression_entry(result.rest), "at_rest": result.rest_at_rest},
        "rest_blendshapes": {k: rounded(v, 3) for k, v in result.rest_blendshapes.items()},
        "expressions": [expression_entry(e) for e in result.expressions],
        "missing_expressions": list(result.missing),
        "findings": [finding_entry(f) for f in result.findings],
        "warnings": list(result.warnings),
    }
