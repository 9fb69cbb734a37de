"""The JSON carries every measurement id the issue names, with value, uncertainty and unit."""

from __future__ import annotations

import json
import math

from facebalance.analysis import PhotoAnalysis
from facebalance.report.document import analysis_document

REQUIRED = {
    "intercanthal_width_mm": "mm",
    "mouth_width_mm": "mm",
    "alar_width_mm": "mm",
    "upper_vermilion_height_mm": "mm",
    "lower_vermilion_height_mm": "mm",
    "upper_to_lower_lip_ratio": "ratio",
    "brow_height_left_mm": "mm",
    "brow_height_right_mm": "mm",
    "lower_face_ratio": "ratio",
    "iris_diameter_px": "px",
}


def test_it_reports_every_required_id_with_value_uncertainty_and_unit(ada: PhotoAnalysis) -> None:
    doc = json.loads(json.dumps(analysis_document(ada)))
    for key, unit in REQUIRED.items():
        entry = doc["measurements"][key]
        assert entry["unit"] == unit, key
        assert math.isfinite(entry["value"]) and entry["value"] > 0, key
        assert math.isfinite(entry["uncertainty"]) and entry["uncertainty"] >= 0, key


def test_it_gives_every_mm_value_a_positive_uncertainty(ada: PhotoAnalysis) -> None:
    for key, m in ada.assessment.measurements.items():
        if m.unit.value == "mm" and m.value is not None:
            assert m.uncertainty is not None and m.uncertainty > 0, key


def test_it_measures_an_adult_face_in_adult_ranges(ada: PhotoAnalysis) -> None:
    v = {k: m.value for k, m in ada.assessment.measurements.items()}
    assert 25 < v["intercanthal_width_mm"] < 40
    assert 52 < v["interpupillary_distance_mm"] < 72
    assert 38 < v["mouth_width_mm"] < 62
    assert 0.35 < v["lower_face_ratio"] < 0.7
    assert 15 < v["brow_height_left_mm"] < 35


def test_it_reports_the_pose_and_the_calibration(ada: PhotoAnalysis) -> None:
    doc = analysis_document(ada)
    assert set(doc["pose"]) == {"yaw_deg", "pitch_deg", "roll_deg"}
    assert doc["calibration"]["method"] == "iris_diameter"
    assert 0.02 < doc["calibration"]["relative_uncertainty"] < 0.1
    assert doc["schema_version"]


def test_it_writes_findings_as_proposals_with_sources(ada: PhotoAnalysis) -> None:
    doc = analysis_document(ada)
    for finding in doc["findings"]:
        assert finding["status"] == "proposed"
        assert finding["source"]
        assert finding["sentence"].endswith(".")
