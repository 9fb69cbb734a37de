"""A budget never breaks a sequencing rule: under a budget the plan comes in phases ("phase 1 now: cheeks and
chin; phase 2 later: lips, reassessed"), each within the budget and priced; a dose may be lowered to the low end
of its catalogue range to fit; lips never come without the chin they wait for."""

from __future__ import annotations

from typing import Any

import pytest

from facebalance.planning import Plan, plan_document
from tests.planning.planning_personas import START, intake, plan_for

#: Zoe, 36: wants fuller lips and fuller cheeks; her chin is retruded (ACRS 2) and her midface flat (grade 3).
ZOE: dict[str, Any] = {
    "patient": {"age_years": 36, "sex": "female"},
    "concerns": [{"area": "lips", "text": "thin lips"}, {"area": "cheeks", "text": "flat cheeks"}],
    "grades": {"chin_retrusion": 2, "lip_fullness": 1, "midface_volume_deficit": 3},
}


def zoe(budget: float | None, **preferences: Any) -> Plan:
    return plan_for(intake(**ZOE, preferences={"budget_usd": budget, "max_visits": 2, **preferences}))


def phase_of(plan: Plan, treatment: str) -> int:
    return plan.item(treatment).phase


def test_with_4000_dollars_the_chin_is_not_dropped_and_the_lips_wait_for_a_later_phase() -> None:
    plan = zoe(4000)
    assert plan.status == "proposed" and set(plan.treatments) == {"ha_cheek", "ha_chin", "ha_lips"}
    assert phase_of(plan, "ha_cheek") == phase_of(plan, "ha_chin") == 0
    assert phase_of(plan, "ha_lips") == 1
    assert plan.item("ha_lips").key == "ha_lips@after_ha_chin"  # the reduced dose that follows the chin


def test_each_phase_is_priced_and_within_the_budget_at_the_high_end() -> None:
    plan = zoe(4000)
    assert plan.pricing is not None and len(plan.pricing.phase_totals) == len(plan.phases) == 2
    for phase in plan.phases:
        assert phase.price.high <= 4000
        assert phase.price == sum(
            (i.price for i in plan.items if i.phase == phase.index and i.price), type(phase.price)(0, 0)
        )
    assert "In 2 phases within the budget: phase 1" in plan.summary


def test_the_later_phase_starts_after_a_reassessment_and_says_so() -> None:
    plan = zoe(4000)
    first, later = plan.phases
    assert (later.starts_on - plan.visits[first.visits[-1]].date).days >= 56
    assert later.sentence.startswith("Phase 2, later") and "Reassessed before it starts" in later.sentence
    assert plan.reconsult is not None and plan.reconsult.on == later.starts_on


def test_a_dose_may_be_lowered_within_the_catalogue_range_to_fit_and_the_item_says_so() -> None:
    plan = zoe(4000)
    chin = plan.item("ha_chin")
    assert (chin.dose_low, chin.dose_high) == (1.0, 1.0)  # the low end of the chin's 1-2 mL
    assert any(f.startswith("Dose at the low end of its range (1 mL) to fit the budget") for f in chin.flags)


@pytest.mark.parametrize("budget", [1500, 2000, 2500, 3000, 4000, 6000, 9000])
def test_whatever_the_budget_lips_never_come_without_or_before_the_chin(budget: int) -> None:
    plan = zoe(budget)
    if "ha_lips" in plan.treatments:
        chin, lips = plan.item("ha_chin"), plan.item("ha_lips")
        assert (lips.date - chin.date).days >= 14 and lips.phase >= chin.phase
    if "ha_chin" in plan.treatments:
        assert plan.item("ha_cheek").date < plan.item("ha_chin").date  # midface before lower face


def test_with_no_budget_there_is_one_phase_at_full_doses() -> None:
    plan = zoe(None, max_visits=3)
    assert [p.index for p in plan.phases] == [0] and {i.phase for i in plan.items} == {0}
    assert (plan.item("ha_chin").dose_low, plan.item("ha_chin").dose_high) == (1.0, 2.0)


def test_checking_the_mid_point_fits_more_into_phase_1() -> None:
    high, mid = zoe(4000), zoe(4000, budget_basis="mid")
    assert (mid.item("ha_chin").dose_low, mid.item("ha_chin").dose_high) == (1.0, 2.0)
    assert mid.solver is not None and mid.solver.budget_basis == "mid"
    assert sum(i.dose_high for i in mid.items if i.phase == 0) > sum(i.dose_high for i in high.items if i.phase == 0)


def test_what_does_not_fit_any_phase_is_quoted_at_its_lowest_dose() -> None:
    plan = zoe(1000)
    assert plan.status == "nothing_to_treat"
    chin = plan.omission("ha_chin")
    assert chin.reason == "budget"
    assert chin.sentence == (
        "Chin projection with high-lift HA omitted: budget. Even at its lowest dose ($750-1,200) it does not fit "
        "within $1,000 (high end of each price range) in any of the 3 phases a plan may have."
    )


def test_the_document_carries_the_phases_and_each_visit_and_item_its_phase() -> None:
    doc = plan_document(zoe(4000))
    assert [p["index"] for p in doc["phases"]] == [0, 1]
    assert doc["phases"][1]["starts_on"] > START.isoformat()
    assert {v["phase"] for v in doc["visits"]} == {0, 1} and {i["phase"] for i in doc["items"]} == {0, 1}
