"""Patient selection holds: three unhappy lip treatments in a year, or wanting to look like someone else, give
no plan (like a positive BDDQ-AS) until a clinician overrides the hold in writing; the override is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from facebalance.planning import IntakeError, plan_document
from tests.planning.planning_personas import LENA, START, intake, plan_for

UNHAPPY_LIPS: list[dict[str, Any]] = [
    {"date": d, "modality": "ha", "area": "lips", "amount": 0.5, "satisfied": False}
    for d in ("2026-01-15", "2026-05-02", "2026-09-20")
]
OVERRIDE = {
    "clinician": "Dr A. Okafor",
    "reason": "Discussed at length; the goal is a modest lower-lip correction she agreed to in writing.",
}


def test_three_unhappy_lip_treatments_in_a_year_hold_the_plan_and_no_lip_filler_is_planned() -> None:
    plan = plan_for(intake(**{**LENA, "history": UNHAPPY_LIPS}))
    assert plan.status == "hold" and plan.items == ()
    (flag,) = [f for f in plan.flags if f.id == "repeat_unhappy:lips"]
    assert flag.level == "high" and flag.sentence.startswith("Repeated unhappy treatment: 3 treatments of the lips")


def test_wanting_to_look_like_someone_else_holds_the_plan() -> None:
    plan = plan_for(intake(**{**LENA, "expectations": ["look_like_someone_else"]}))
    assert plan.status == "hold" and plan.items == ()
    assert [f.id for f in plan.flags if f.level == "high"] == ["expectation:look_like_someone_else"]


def test_a_hold_names_a_date_to_see_the_patient_again_and_says_why_in_plain_words() -> None:
    plan = plan_for(intake(**{**LENA, "history": UNHAPPY_LIPS}))
    assert plan.reconsult is not None and plan.reconsult.on == START + timedelta(days=28)
    assert "You have had 3 treatments of your lips in the last 12 months" in plan.reconsult.patient


def test_two_unhappy_treatments_or_unhappy_ones_longer_ago_do_not_hold() -> None:
    two = plan_for(intake(**{**LENA, "history": UNHAPPY_LIPS[1:]}))
    older = [{**t, "date": "2025-06-01"} for t in UNHAPPY_LIPS[:1]] + UNHAPPY_LIPS[1:]
    assert two.status == plan_for(intake(**{**LENA, "history": older})).status == "proposed"


def test_a_clinician_override_with_a_reason_releases_the_plan_and_the_plan_records_it() -> None:
    plan = plan_for(intake(**{**LENA, "history": UNHAPPY_LIPS, "overrides": {"patient_selection": OVERRIDE}}))
    assert plan.status == "proposed" and "ha_chin" in plan.treatments
    (record,) = plan.overrides
    assert (record.gate, record.clinician, record.reason) == (
        "patient_selection",
        OVERRIDE["clinician"],
        OVERRIDE["reason"],
    )
    (flag,) = [f for f in plan.flags if f.id == "selection_override"]
    assert flag.level == "high" and OVERRIDE["reason"] in flag.sentence
    doc = plan_document(plan)
    assert doc["overrides"][0]["reason"] == OVERRIDE["reason"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"clinician": "Dr A. Okafor", "reason": "ok"}, "overrides.patient_selection.reason is too short"),
        ({"clinician": "", "reason": OVERRIDE["reason"]}, "overrides.patient_selection.clinician is empty"),
    ],
)
def test_an_override_without_a_name_or_a_written_reason_is_refused(override: dict[str, str], message: str) -> None:
    with pytest.raises(IntakeError, match=message):
        plan_for(intake(**{**LENA, "history": UNHAPPY_LIPS, "overrides": {"patient_selection": override}}))


def test_a_hold_outranks_nothing_clinical_a_positive_bddq_as_still_refers_first() -> None:
    from tests.planning.planning_personas import POSITIVE_BDDQ_AS

    plan = plan_for(intake(**{**LENA, "history": UNHAPPY_LIPS, "bddq_as": POSITIVE_BDDQ_AS}))
    assert plan.status == "refer" and plan.referrals[0].id == "bddq_as_positive"
