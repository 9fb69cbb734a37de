"""`facebalance plan` prints a plan in phases, its optional services priced on consultation, and the date to see
the patient again; its JSON validates against the plan schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.planning import plan_schema
from tests.planning.test_plan_command_writes_the_plan import frontal_analysis, said

INTAKE = {
    "start_date": "2026-12-01",
    "patient": {"age_years": 36, "sex": "female"},
    "concerns": [{"area": "lips"}, {"area": "cheeks"}, {"area": "redness"}],
    "grades": {"chin_retrusion": 2, "lip_fullness": 1, "midface_volume_deficit": 3},
    "preferences": {"budget_usd": 4000, "max_visits": 2},
    "bddq_as": {"q1": False, "q2": False, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": False},
}


def test_it_prints_the_phases_the_services_and_the_reassessment(tmp_path: Path) -> None:
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps(frontal_analysis("chin_height_mm_below")))
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE))
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(assessment), "--intake", str(intake), "--json", str(out)])
    assert result.exit_code == 0, result.output
    text = said(result.output)
    assert "Phase 2, later (from 2027-02-09" in text and "on consultation" in text
    assert "See the patient again from 2027-02-09" in text
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(plan_schema()).validate(doc)
    assert [p["index"] for p in doc["phases"]] == [0, 1]
    assert {i["role"] for i in doc["items"]} == {"treatment", "optional"}
