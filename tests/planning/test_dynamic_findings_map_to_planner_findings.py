"""Dynamic (movement) findings become the planner's ``dynamic`` findings, by the engine's rule id."""

from __future__ import annotations

from facebalance.planning import DynamicFindingRow, build_plan, findings_from_dynamics
from tests.planning.planning_personas import intake

DAO_PULL: DynamicFindingRow = {
    "id": "dynamic.dao_pull_strong",
    "kind": "movement",
    "expression": "eee",
    "side": "left",
    "severity": "marked",
    "measurements": ["commissure_depression_mm", "commissure_excursion_mm"],
    "value": 2.4,
    "sentence": "The left mouth corner is pulled down 2.4 mm on eee (strong DAO pull): DAO toxin candidate.",
}


def test_it_keeps_the_rule_id_severity_first_value_and_sentence() -> None:
    (f,) = findings_from_dynamics([DAO_PULL])
    assert (f.id, f.source, f.zone, f.severity) == ("dynamic.dao_pull_strong", "dynamic", "symmetry", "marked")
    assert dict(f.values) == {"commissure_depression_mm": 2.4} and f.sentence == DAO_PULL["sentence"]


def test_a_reviewed_row_is_read_by_its_rule_not_its_review_id() -> None:
    reviewed: DynamicFindingRow = {
        **DAO_PULL,
        "id": "dynamic-dao_pull_strong-eee-left",
        "rule": "dynamic.dao_pull_strong",
    }
    assert [f.id for f in findings_from_dynamics([reviewed])] == ["dynamic.dao_pull_strong"]


def test_rejected_rows_are_left_out_and_unknown_severities_read_as_mild() -> None:
    rejected: DynamicFindingRow = {**DAO_PULL, "status": "rejected"}
    odd: DynamicFindingRow = {**DAO_PULL, "severity": "severe", "value": None}
    (f,) = findings_from_dynamics([rejected, odd])
    assert f.severity == "mild" and dict(f.values) == {}


def test_a_strong_dao_pull_proposes_dao_toxin_and_nothing_without_it() -> None:
    patient = intake(patient={"age_years": 40})
    assert "toxin_dao" in build_plan(findings_from_dynamics([DAO_PULL]), patient).treatments
    assert "toxin_dao" not in build_plan([], patient).treatments
