"""Lip filler is checked against Ricketts' E-line and the upper:lower vermilion ratio before it is planned."""

from __future__ import annotations

from facebalance.planning.ledger import LOWER_LIP_E_LINE, LOWER_VERMILION, UPPER_VERMILION, lip_guard
from facebalance.planning.rules import load_planning_rules
from tests.planning.planning_personas import intake, plan_for

LIPS = load_planning_rules().lips


def test_it_refuses_lip_filler_that_would_push_the_lower_lip_past_the_e_line() -> None:
    plan = plan_for(intake(grades={"lip_fullness": 1}, measurements={LOWER_LIP_E_LINE: 0.2}))
    assert plan.status == "nothing_to_treat"
    omission = plan.omission("ha_lips")
    assert omission.reason == "over_projection" and "E-line guard" in omission.sentence


def test_it_trims_lip_filler_to_what_keeps_the_lips_behind_the_e_line() -> None:
    decision = lip_guard({LOWER_LIP_E_LINE: -0.8}, dose_low_ml=0.5, dose_high_ml=1.0, upper_share=0.4, rules=LIPS)
    assert decision.dose_high_ml == 0.8  # 0.8 mm / (1.5 mm per mL x 60% to the lower lip) = 0.89 mL, down to 0.8


def test_it_moves_filler_to_the_lower_lip_when_the_upper_would_outgrow_it() -> None:
    decision = lip_guard(
        {UPPER_VERMILION: 7.5, LOWER_VERMILION: 8.0}, dose_low_ml=0.5, dose_high_ml=1.0, upper_share=1.0, rules=LIPS
    )
    assert decision.upper_share == 0.0
    assert (
        "would be 1.19 (inverted" in decision.sentences[0]
        and "lower lip only (predicted 0.75)" in decision.sentences[0]
    )


def test_it_keeps_the_planned_share_when_the_ratio_stays_upright() -> None:
    plan = plan_for(intake(grades={"lip_fullness": 1}, measurements={UPPER_VERMILION: 6.0, LOWER_VERMILION: 9.5}))
    lips = plan.item("ha_lips")
    assert lips.dose_text == "0.5-1 mL (40% upper lip, 60% lower)"
    assert any("not inverted" in f for f in lips.flags)


def test_it_says_when_the_e_line_was_not_measured() -> None:
    lips = plan_for(intake(grades={"lip_fullness": 1})).item("ha_lips")
    assert any("E-line guard: lip position to the E-line not measured" in f for f in lips.flags)
