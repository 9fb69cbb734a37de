"""A positive BDDQ-AS means no aesthetic plan and a referral; only a clinician's written reason overrides it."""

from __future__ import annotations

import pytest

from facebalance.planning import BddqAs, IntakeError
from facebalance.planning.safety import bddq_as_positive, load_safety_rules
from tests.planning.planning_personas import LENA, POSITIVE_BDDQ_AS, intake, plan_for

RULE = load_safety_rules().bddq_as


@pytest.mark.parametrize(
    ("answers", "positive"),
    [
        (BddqAs(True, True, 3, 1, 1, 1, False), True),  # moderate distress
        (BddqAs(True, True, 1, 1, 1, 4, False), True),  # avoidance
        (BddqAs(True, True, 1, 1, 1, 1, True), True),  # item 7
        (BddqAs(True, True, 2, 2, 2, 2, False), False),  # only slight distress and impairment
        (BddqAs(True, False, 5, 5, 5, 5, True), False),  # not preoccupied
        (BddqAs(False, True, 5, 5, 5, 5, True), False),  # not concerned
    ],
)
def test_it_scores_the_bddq_as_by_its_published_rule(answers: BddqAs, positive: bool) -> None:
    assert bddq_as_positive(answers, RULE) is positive


def test_it_gives_no_plan_and_refers_when_the_screen_is_positive() -> None:
    plan = plan_for(intake(**{**LENA, "bddq_as": POSITIVE_BDDQ_AS}))
    assert plan.status == "refer"
    assert plan.items == () and plan.visits == () and plan.pricing is None
    (referral,) = plan.referrals
    assert "body dysmorphic disorder" in referral.to
    assert plan.summary.startswith("BDDQ-AS positive: no aesthetic plan.")


def test_it_plans_when_a_clinician_overrides_with_a_written_reason() -> None:
    override = {"clinician": "Dr A. Reyes", "reason": "Assessed by Dr Lim (psychiatry) on 2026-11-20: no BDD."}
    plan = plan_for(intake(**{**LENA, "bddq_as": POSITIVE_BDDQ_AS, "bddq_as_override": override}))
    assert plan.status == "proposed" and plan.treatments == ("ha_chin", "ha_lips")
    (flag,) = [f for f in plan.flags if f.id == "bddq_as_override"]
    assert flag.level == "high" and "Dr A. Reyes" in flag.sentence and "psychiatry" in flag.sentence


def test_it_refuses_an_override_without_a_written_reason() -> None:
    override = {"clinician": "Dr A. Reyes", "reason": "fine"}
    with pytest.raises(IntakeError, match="written reason"):
        plan_for(intake(**{**LENA, "bddq_as": POSITIVE_BDDQ_AS, "bddq_as_override": override}))


def test_it_flags_a_plan_made_without_a_screen() -> None:
    plan = plan_for(intake(**{**LENA, "bddq_as": None}))
    assert plan.status == "proposed"
    assert [f.id for f in plan.flags if f.level == "high"] == ["bddq_as_missing"]
