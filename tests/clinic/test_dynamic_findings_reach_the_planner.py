"""Reviewed dynamic findings reach the treatment planner: a confirmed strong DAO pull proposes DAO toxin,
a rejected one does not."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from facebalance.clinic import plans
from facebalance.report.document import analysis_document

LONDON = Path(__file__).parents[1] / "data" / "london"
DAO_PULL = {
    "id": "dynamic-dynamic-dao_pull_strong-eee-left",
    "rule": "dynamic.dao_pull_strong",
    "kind": "movement",
    "severity": "moderate",
    "measurements": ["commissure_depression_mm"],
    "value": 2.4,
    "sentence": "The left mouth corner is pulled down 2.4 mm on eee (strong DAO pull): DAO toxin candidate.",
}


@pytest.fixture(scope="module")
def frontal() -> dict[str, Any]:
    from facebalance.analysis import analyze_photo

    return json.loads(json.dumps(analysis_document(analyze_photo(LONDON / "001_03.jpg", sex="female"))))


@pytest.fixture(scope="module")
def intake() -> dict[str, Any]:
    text = resources.files("facebalance.planning").joinpath("data/example_intake.json").read_text("utf-8")
    return dict(json.loads(text))


def treatments(plan: dict[str, Any]) -> set[str]:
    """The treatments scheduled in the plan's visits (an item's key may name a variant: ``toxin_dao@low_dose``)."""
    treatment_of = {i["key"]: i["treatment"] for i in plan.get("items", [])}
    return {str(treatment_of[key]) for visit in plan.get("visits", []) for key in visit.get("items", [])}


def test_a_confirmed_dao_pull_proposes_dao_toxin(frontal: dict[str, Any], intake: dict[str, Any]) -> None:
    plan = plans.generate_plan(dict(frontal, dynamic_findings=[DAO_PULL]), intake)
    assert "toxin_dao" in treatments(plan), json.dumps(plan)[:2000]


def test_without_the_dynamic_finding_there_is_no_dao_toxin(frontal: dict[str, Any], intake: dict[str, Any]) -> None:
    plan = plans.generate_plan(dict(frontal, dynamic_findings=[]), intake)
    assert "toxin_dao" not in treatments(plan)


def test_dynamic_findings_become_dynamic_planner_findings() -> None:
    (finding,) = plans.dynamic_finding_inputs([DAO_PULL])
    assert finding.id == "dynamic.dao_pull_strong" and finding.source == "dynamic"
    assert finding.severity == "moderate" and finding.values == {"commissure_depression_mm": 2.4}


def _row(rule: str, metric: str, value: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": rule.replace(".", "-"),
        "rule": rule,
        "severity": "moderate",
        "measurements": [metric],
        "value": value,
        "sentence": rule,
        **extra,
    }


MOVEMENT_FINDINGS = [
    _row("dynamic.gummy_smile", "gum_show_mm", 3.1),
    _row("dynamic.brow_elevation_asymmetry", "brow_elevation_mm", -2.6),
    _row("dynamic.masseter_bulk_on_clench", "masseter_bulge_mm", 2.2),
    DAO_PULL,
]


def test_confirmed_movement_findings_place_toxin(frontal: dict[str, Any], intake: dict[str, Any]) -> None:
    """The issue's toxin placements: DAO pull, gummy smile, brow asymmetry, masseter bulk on clench."""
    plan = plans.generate_plan(dict(frontal, dynamic_findings=MOVEMENT_FINDINGS), intake)
    assert {"toxin_dao", "toxin_lip_elevators", "toxin_masseter"} <= treatments(plan)
    notes = " ".join(plan["notes"])
    assert "dosed asymmetrically" in notes and "placed low" in notes
    lips = next(i for i in plan["items"] if i["treatment"] == "ha_lips")
    assert lips["dose"]["text"].endswith("(0% upper lip, 100% lower)")  # a gummy smile: no upper-lip volume
    rejected = [dict(f, status="rejected") for f in MOVEMENT_FINDINGS]
    plan = plans.generate_plan(dict(frontal, dynamic_findings=rejected), intake)
    assert not {"toxin_dao", "toxin_lip_elevators", "toxin_masseter"} & treatments(plan)
    assert not any("asymmetrically" in n for n in plan["notes"])
