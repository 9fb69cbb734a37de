"""Every malformed input to `facebalance plan` ends in exit code 2 with a message naming the field and the fix,
and no plan file is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from facebalance.cli import app
from tests.planning.test_plan_command_writes_the_plan import frontal_analysis, said

VALID: dict[str, Any] = {
    "start_date": "2026-12-01",
    "patient": {"age_years": 34, "sex": "female"},
    "grades": {"chin_retrusion": 2},
    "findings": [{"id": "profile.recessed_chin", "severity": "moderate", "values": {"x_mm": 1.0}}],
    "preferences": {"budget_usd": 4000},
    "bddq_as": {"q1": False, "q2": False, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": False},
}


def with_(path: str, value: Any) -> dict[str, Any]:
    """The valid intake with one field (a dotted path; ``findings.0.id``) replaced, or removed for ``...``."""
    doc = json.loads(json.dumps(VALID))
    *parents, last = path.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if value is ...:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


INTAKES: dict[str, tuple[Any, str]] = {
    "finding without an id": (with_("findings.0.id", ...), "findings[0] has no id"),
    "findings given as a string": (with_("findings", "profile.recessed_chin"), "findings"),
    "a finding that is not an object": (with_("findings", ["profile.recessed_chin"]), "findings[0]"),
    "age in words": (with_("patient.age_years", "thirty"), "patient.age_years"),
    "a negative age": (with_("patient.age_years", -5), "patient.age_years"),
    "an age of 250": (with_("patient.age_years", 250), "patient.age_years"),
    "sex as a letter": (with_("patient.sex", "M"), "patient.sex"),
    "a finding value in words": (with_("findings.0.values.x_mm", "big"), "findings[0].values.x_mm"),
    "a measurement in words": (with_("measurements", {"profile.lower_lip_to_e_line_mm": "-3"}), "measurements"),
    "a NaN budget": (with_("preferences.budget_usd", float("nan")), "preferences.budget_usd"),
    "an infinite budget": (with_("preferences.budget_usd", float("inf")), "preferences.budget_usd"),
    "a negative budget": (with_("preferences.budget_usd", -100), "preferences.budget_usd"),
    "a budget in words": (with_("preferences.budget_usd", "4k"), "preferences.budget_usd"),
    "half a visit": (with_("preferences.max_visits", 2.5), "preferences.max_visits"),
    "a lip share in words": (with_("preferences.lip_upper_share", "half"), "preferences.lip_upper_share"),
    "grades as a list": (with_("grades", ["chin_retrusion"]), "grades"),
    "a grade in words": (with_("grades.chin_retrusion", "moderate"), "grades.chin_retrusion"),
    "a BDDQ-AS rating in words": (with_("bddq_as.q3", "3"), "bddq_as.q3"),
    "a history amount in words": (
        with_("history", [{"date": "2026-01-01", "modality": "ha", "area": "lips", "amount": "two"}]),
        "history[0].amount",
    ),
    "a history without an area": (
        with_("history", [{"date": "2026-01-01", "modality": "ha", "amount": 1}]),
        "history[0].area",
    ),
    "an allergy misspelt": (with_("medical", {"allergies": ["hyaluronidaze"]}), "medical.allergies[0]"),
    "allergies as a string": (with_("medical", {"allergies": "latex"}), "medical.allergies"),
    "a concern tag the rules do not know": (with_("concerns", [{"area": "lipps"}]), "concerns[0].area"),
    "a misspelt section": (with_("alergies", ["latex"]), "alergies"),
    "medical given as a list": (with_("medical", ["pregnant"]), "medical"),
    "an override without a reason": (
        with_("overrides", {"patient_selection": {"clinician": "Dr A"}}),
        "overrides.patient_selection.reason",
    ),
    "an unknown override gate": (
        with_("overrides", {"bddq": {"clinician": "Dr A", "reason": "x" * 30}}),
        "overrides.bddq",
    ),
    "a start date in words": (with_("start_date", "next Monday"), "start_date"),
}


def run(tmp_path: Path, intake_text: str, assessment: Any = None) -> tuple[int, str, Path]:
    a = tmp_path / "assessment.json"
    a.write_text(json.dumps(frontal_analysis() if assessment is None else assessment))
    i = tmp_path / "intake.json"
    i.write_text(intake_text)
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(a), "--intake", str(i), "--json", str(out)])
    return result.exit_code, said(result.output), out


def test_the_valid_intake_gives_a_plan(tmp_path: Path) -> None:
    code, output, out = run(tmp_path, json.dumps(VALID))
    assert code == 0, output
    assert out.exists()


@pytest.mark.parametrize("case", sorted(INTAKES))
def test_a_malformed_intake_exits_2_naming_the_field_and_the_fix_without_writing(tmp_path: Path, case: str) -> None:
    doc, field = INTAKES[case]
    code, output, out = run(tmp_path, json.dumps(doc))
    assert code == 2, output
    assert output.startswith("error") and field in output and "fix:" in output, output
    assert not out.exists() and not list(tmp_path.glob(".*plan*"))


@pytest.mark.parametrize(
    ("text", "says"),
    [("{not json", "not valid JSON"), ("[1, 2]", "not an object"), ("\xff\xfe", "not valid JSON")],
)
def test_an_intake_that_is_not_an_object_exits_2(tmp_path: Path, text: str, says: str) -> None:
    code, output, out = run(tmp_path, text)
    assert code == 2 and says in output and "fix:" in output and not out.exists()


@pytest.mark.parametrize(
    ("assessment", "field"),
    [
        (
            {**frontal_analysis("chin_height_mm_below"), "findings": [{"zones": ["lower_face"]}]},
            "assessment findings[0] has no id",
        ),
        ({**frontal_analysis(), "findings": "chin_height_mm_below"}, "assessment findings"),
        ({**frontal_analysis(), "findings": [7]}, "assessment findings[0]"),
        ({**frontal_analysis(), "measurements": [1, 2]}, "assessment measurements"),
    ],
)
def test_a_malformed_assessment_exits_2_naming_the_field(tmp_path: Path, assessment: Any, field: str) -> None:
    code, output, out = run(tmp_path, json.dumps(VALID), assessment)
    assert code == 2 and field in output and "fix:" in output, output
    assert not out.exists()
