"""Pregnancy defers every elective injectable: no visits, and each considered treatment says why."""

from __future__ import annotations

from tests.planning.planning_personas import NORA, intake, plan_for


def test_it_defers_the_whole_plan_during_pregnancy() -> None:
    plan = plan_for(intake(**{**NORA, "medical": {"pregnant": True}}))
    assert plan.status == "deferred"
    assert plan.visits == () and plan.items == () and plan.pricing is None
    assert plan.summary.startswith("No treatment now: Pregnancy: elective injectables are deferred")


def test_it_lists_every_considered_treatment_as_deferred_with_the_reason() -> None:
    plan = plan_for(intake(**{**NORA, "medical": {"pregnant": True}}))
    deferred = sorted(o.treatment for o in plan.omissions if o.reason == "deferred")
    assert deferred == [
        "ha_cheek",
        "ha_chin",
        "ha_lips",
        "ha_tear_trough",
        "ha_temple",
        "plla_course",
        "toxin_crows_feet",
        "toxin_glabella",
    ]
    assert all("Pregnancy" in o.sentence for o in plan.omissions if o.reason == "deferred")


def test_it_defers_while_breast_feeding_too() -> None:
    plan = plan_for(intake(**{**NORA, "medical": {"breastfeeding": True}}))
    assert plan.status == "deferred" and "Breast-feeding" in plan.summary
