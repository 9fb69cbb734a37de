"""`facebalance plan ASSESSMENT.json --intake F`: reads a frontal analysis and an intake, writes the plan JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.planning import plan_schema

EXAMPLE_INTAKE = Path(__file__).parents[2] / "src/facebalance/planning/data/example_intake.json"


def said(output: str) -> str:
    """The terminal output with Rich's line wrapping undone."""
    return " ".join(output.split())


def frontal_analysis(*finding_ids: str) -> dict[str, Any]:
    """The smallest document `facebalance analyze --json` could write, with these findings."""
    return {
        "schema": "facebalance.frontal_analysis",
        "schema_version": "1.0",
        "measurements": {"chin_height_mm": {"value": 21.0, "uncertainty": 2.1, "unit": "mm"}},
        "findings": [
            {
                "id": f,
                "kind": "norm",
                "zones": ["lower_face"],
                "measurements": ["chin_height_mm"],
                "severity": "moderate",
                "sentence": f"{f} sentence",
                "status": "proposed",
            }
            for f in finding_ids
        ],
    }


def test_it_writes_a_schema_valid_plan_from_the_bundled_example_intake(tmp_path: Path) -> None:
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps(frontal_analysis("chin_height_mm_below")))
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(assessment), "--intake", str(EXAMPLE_INTAKE), "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(plan_schema()).validate(doc)
    assert doc["status"] == "proposed"
    assert [(i["visit"], i["treatment"]) for i in doc["items"]] == [
        (0, "toxin_glabella"),
        (0, "ha_chin"),
        (1, "ha_lips"),
    ]
    assert "frontal finding chin_height_mm_below (moderate)" in doc["items"][1]["evidence"]
    assert "Plan (proposed)" in result.output


def test_it_reads_a_toml_intake_and_a_clinic_price_list(tmp_path: Path) -> None:
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps(frontal_analysis()))
    patient = tmp_path / "intake.toml"
    patient.write_text(
        'start_date = "2026-12-01"\n[grades]\nchin_retrusion = 2\n'
        "[bddq_as]\nq1 = false\nq2 = false\nq3 = 1\nq4 = 1\nq5 = 1\nq6 = 1\nq7 = false\n"
    )
    prices = tmp_path / "prices.toml"
    prices.write_text(
        '[[price]]\nkey = "ha_syringe"\nlabel = "HA"\nper = "syringe"\nlow = 600\nhigh = 900\n'
        'source = "our 2027 list"\nreview = "clinic"\n'
    )
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        app, ["plan", str(assessment), "--intake", str(patient), "--prices", str(prices), "--json", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["pricing"]["total"] == {"low": 600.0, "high": 1800.0}


def test_it_exits_2_with_the_fix_when_the_intake_is_wrong(tmp_path: Path) -> None:
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps(frontal_analysis()))
    patient = tmp_path / "intake.json"
    patient.write_text(json.dumps({"start_date": "2026-12-01", "grades": {"chin_retrusion": 7}}))
    result = CliRunner().invoke(app, ["plan", str(assessment), "--intake", str(patient)])
    assert result.exit_code == 2
    assert "chin_retrusion = 7 is outside its scale 0-4" in said(result.output)


def test_it_refuses_a_document_that_is_not_a_frontal_analysis(tmp_path: Path) -> None:
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps({"schema": "facebalance.treatment_plan"}))
    result = CliRunner().invoke(app, ["plan", str(assessment), "--intake", str(EXAMPLE_INTAKE)])
    assert result.exit_code == 2 and "not a frontal analysis" in said(result.output)
