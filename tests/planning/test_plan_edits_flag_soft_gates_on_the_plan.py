"""Soft gates (the patient's budget and number of visits, a rule's reduced dose) do not refuse an edit: the
edited plan carries each as a caution flag, said again by the edit's sentence."""

from __future__ import annotations

from facebalance.planning import plan_document
from tests.planning.plan_edit_personas import BEA, edit, planned
from tests.planning.planning_personas import LENA, NORA


def _caution_flags(result: object) -> dict[str, str]:
    plan = getattr(result, "plan", None)
    assert plan is not None
    return {f.id: f.sentence for f in plan.flags if f.level == "caution" and f.id.startswith("edit_")}


def test_going_over_the_budget_is_flagged_with_the_amounts() -> None:
    patient, doc = planned(BEA)
    result = edit(patient, doc, kind="add", key="ha_chin", visit=1)
    flags = _caution_flags(result)
    assert flags["edit_budget"] == (
        "Up to $2,840 (the high end of each price range): over the patient's budget of $1,000."
    )
    assert "Flagged: Up to $2,840" in result.sentence


def test_more_visits_than_the_patient_wants_is_flagged() -> None:
    patient, doc = planned({**NORA, "preferences": {"max_visits": 3}})
    result = edit(patient, doc, kind="move", key="ha_temple", visit=3)
    assert _caution_flags(result) == {"edit_visits": "4 visits: more than the 3 the patient wants."}


def test_raising_a_reduced_dose_is_flagged_with_the_rule_that_reduced_it() -> None:
    patient, doc = planned(LENA)
    result = edit(patient, doc, kind="dose", key="ha_lips@after_ha_chin", dose_low=0.5, dose_high=1.0)
    assert result.applied
    flag = _caution_flags(result)["edit_reduced_dose"]
    assert flag.startswith("Lips with soft HA: 0.5-1 mL is more than the 0.5 mL planned after the earlier step.")
    assert "Rule chin_before_lips" in flag


def test_a_flag_goes_when_the_edit_that_caused_it_is_undone() -> None:
    patient, doc = planned(BEA)
    added = edit(patient, doc, kind="add", key="ha_chin", visit=1)
    assert added.plan is not None
    dropped = edit(patient, plan_document(added.plan), kind="drop", key="ha_chin")
    assert dropped.applied and _caution_flags(dropped) == {}
    assert dropped.violations == ()
