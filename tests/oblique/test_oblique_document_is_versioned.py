"""The oblique JSON document: schema, the far-side silhouette and its named points in pixels of the photo as
taken, measurements with units and uncertainty, proposed findings; and the comparison document."""

from __future__ import annotations

import json

import numpy as np

from facebalance.findings import load_finding_rules
from facebalance.norms import load_norm_set
from facebalance.oblique.analysis import ObliqueAnalysis
from facebalance.oblique.compare import compare_sides
from facebalance.oblique.measurements import MEASUREMENT_IDS
from facebalance.oblique.points import CLINICAL_POINTS
from facebalance.report.oblique import COMPARISON_SCHEMA, SCHEMA, SCHEMA_VERSION, comparison_document, oblique_document


def test_it_carries_schema_view_and_side(maria_read: ObliqueAnalysis) -> None:
    doc = json.loads(json.dumps(oblique_document(maria_read)))
    assert (doc["schema"], doc["schema_version"]) == (SCHEMA, SCHEMA_VERSION) == ("facebalance.oblique_analysis", "1.0")
    assert (doc["view"], doc["side_read"]) == ("oblique_left", "right")
    assert doc["pose"]["yaw_deg"] < 0  # the patient turned to their right
    assert doc["calibration"]["method"] == "iris_diameter" and doc["calibration"]["ruler"] == "iris"
    assert 0 < doc["calibration"]["relative_uncertainty"] < 0.2


def test_its_far_side_outline_is_in_pixels_of_the_photo(maria_read: ObliqueAnalysis) -> None:
    doc = oblique_document(maria_read)
    outline = np.array(doc["outline"]["far_side"])
    width, height = doc["input"]["size_px"]
    assert outline.ndim == 2 and outline.shape[1] == 2 and len(outline) > 50
    assert (outline[:, 0] >= 0).all() and (outline[:, 0] < width).all()
    assert (outline[:, 1] >= 0).all() and (outline[:, 1] < height).all()
    # From the temple down to the chin.
    assert outline[0, 1] < doc["mesh_references"]["lateral_canthus"][1] < outline[-1, 1]


def test_its_points_have_confidence_and_definition(maria_read: ObliqueAnalysis) -> None:
    doc = oblique_document(maria_read)
    named = set(doc["points"]) | set(doc["points_missing"])
    assert {p.value for p in CLINICAL_POINTS} <= named
    for name, entry in doc["points"].items():
        assert 0.0 <= entry["confidence"] <= 1.0 and entry["sigma_px"] > 0, name
        assert entry["definition"] and entry["kind"]


def test_its_measurements_carry_units_and_uncertainty(maria_read: ObliqueAnalysis) -> None:
    doc = oblique_document(maria_read)
    assert set(doc["measurements"]) == set(MEASUREMENT_IDS)
    for mid, entry in doc["measurements"].items():
        assert entry["unit"] == mid.rsplit("_", 1)[1], mid
        assert entry["value"] is None or entry["uncertainty"] > 0, mid
    norm = doc["measurements"]["cheek_apex_height_ratio"]["norm"]
    assert norm["review"] == "cited" and "Kaptein" in norm["source"]
    assert doc["measurements"]["ogee_convexity_mm"]["norm"] is None  # no population norm is claimed
    assert all(f["status"] == "proposed" and f["beyond_uncertainty"] for f in doc["findings"])


def test_the_comparison_document_is_versioned(
    maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis
) -> None:
    comparison = compare_sides(
        maria_read.assessment,
        maria_mirrored_read.assessment,
        norms=load_norm_set(),
        rules=load_finding_rules(),
        max_turn_difference_deg=10.0,
    )
    doc = json.loads(json.dumps(comparison_document(comparison)))
    assert doc["schema"] == COMPARISON_SCHEMA and doc["kind"] == "sides" and doc["compared"] is True
    assert doc["measurements"]["ogee_convexity_asymmetry_mm"]["unit"] == "mm"
