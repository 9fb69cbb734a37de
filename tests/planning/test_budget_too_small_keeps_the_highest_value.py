"""A budget too small for everything: the solver keeps the highest-value items and says what it dropped."""

from __future__ import annotations

from tests.planning.planning_personas import intake, plan_for

WANTS_IT_ALL: dict[str, object] = {
    "concerns": [{"area": "lips", "text": "thin lips"}],
    "grades": {"chin_retrusion": 3, "midface_volume_deficit": 2, "lip_fullness": 1, "glabellar_lines": 2},
    "preferences": {"budget_usd": 3000, "budget_basis": "high", "max_visits": 3},
}


def test_it_keeps_chin_support_and_frown_toxin_within_3000_dollars_at_the_high_end() -> None:
    plan = plan_for(intake(**WANTS_IT_ALL))
    assert plan.treatments == ("toxin_glabella", "ha_chin")
    assert plan.pricing is not None and plan.pricing.total.high == 2840 <= 3000
    assert len(plan.visits) == 1


def test_it_says_lip_filler_was_dropped_for_the_budget_and_why_the_chin_ranked_higher() -> None:
    lips = plan_for(intake(**WANTS_IT_ALL)).omission("ha_lips")
    assert lips.reason == "budget"
    assert lips.sentence.startswith(
        "Lips with soft HA omitted: budget. Within $3,000 (checked at the high end of each price range), adding it "
        "($750-1,200) would mean dropping chin projection with high-lift HA."
    )
    assert "Chin projection with high-lift HA ranked higher (14.6 vs 7.8 points) because the chin is" in lips.sentence


def test_it_says_cheek_support_was_dropped_for_the_budget() -> None:
    cheek = plan_for(intake(**WANTS_IT_ALL)).omission("ha_cheek")
    assert cheek.reason == "budget" and "dropping chin projection" in cheek.sentence


def test_it_checks_the_mid_point_when_asked_and_then_fits_more() -> None:
    mid = {**WANTS_IT_ALL, "preferences": {"budget_usd": 3000, "budget_basis": "mid", "max_visits": 3}}
    plan = plan_for(intake(**mid))
    assert plan.treatments == ("toxin_glabella", "ha_chin", "ha_lips")
    assert plan.solver is not None and plan.solver.cost_on_basis <= 3000
