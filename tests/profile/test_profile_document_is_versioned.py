"""The profile JSON document: schema, stable measurement ids, points on the photo, findings with interventions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from facebalance.profile.analysis import ProfileAnalysis
from facebalance.profile.measurements import MEASUREMENT_IDS
from facebalance.report.annotate_profile import render_profile_annotated
from facebalance.report.document import PROFILE_SCHEMA as SCHEMA
from facebalance.report.document import PROFILE_SCHEMA_VERSION as SCHEMA_VERSION
from facebalance.report.document import profile_document


def test_it_carries_schema_and_measurements(dana_right: ProfileAnalysis) -> None:
    doc = json.loads(json.dumps(profile_document(dana_right)))
    assert (doc["schema"], doc["schema_version"]) == (SCHEMA, SCHEMA_VERSION) == ("facebalance.profile_analysis", "1.0")
    assert doc["view"] == "profile_right"
    assert set(doc["measurements"]) == set(MEASUREMENT_IDS)
    for mid, entry in doc["measurements"].items():
        assert {"value", "uncertainty", "unit", "norm"} <= entry.keys(), mid
    assert doc["measurements"]["e_line_upper_lip_mm"]["unit"] == "mm"
    assert doc["measurements"]["goode_ratio"]["value"] is None
    assert "alar crease" in doc["measurements"]["goode_ratio"]["not_measurable_reason"]
    assert doc["calibration"]["method"] == "known_distance"


def test_it_gives_each_landmark_a_confidence_and_definition(dana_right: ProfileAnalysis) -> None:
    doc = profile_document(dana_right)
    for name, entry in doc["landmarks"].items():
        assert 0.0 <= entry["confidence"] <= 1.0 and entry["sigma_px"] > 0, name
        assert entry["definition"] and entry["kind"]


def test_it_draws_the_annotated_profile(dana_left: ProfileAnalysis, tmp_path: Path) -> None:
    png = tmp_path / "dana.png"
    png.write_bytes(render_profile_annotated(dana_left, max_side_px=800))
    with Image.open(png) as im:
        assert im.format == "PNG" and max(im.size) == 800


def test_it_keeps_findings_with_their_intervention(dana_right: ProfileAnalysis) -> None:
    doc = profile_document(dana_right)
    for f in doc["findings"]:
        assert f["status"] == "proposed" and f["sentence"]
        if f["kind"] == "relationship":
            assert f["intervention"]
    assert doc["disclaimer"].startswith("Clinical decision support")
    assert doc["outline"]["edge_found_fraction"] == pytest.approx(1.0, abs=0.05)
