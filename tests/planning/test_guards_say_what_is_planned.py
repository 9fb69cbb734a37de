"""The plan's cautions describe what is planned: the lip guard speaks of the volume finally planned (0.5 mL after
the chin, not the catalogue's 1 mL), and a visit's toxin total above the method's 20-50 U comes with a caution
naming what adds up."""

from __future__ import annotations

from tests.planning.planning_personas import LENA, intake, plan_for

HEIGHTS = {"upper_vermilion_height_mm": 6.0, "lower_vermilion_height_mm": 9.0}


def test_the_lip_guard_speaks_of_the_volume_planned_after_the_chin() -> None:
    plan = plan_for(intake(**{**LENA, "measurements": {**LENA["measurements"], **HEIGHTS}}))
    lips = plan.item("ha_lips")
    assert (lips.dose_low, lips.dose_high) == (0.3, 0.5)
    (ratio,) = [f for f in lips.flags if f.startswith("Lip ratio guard")]
    assert "after 0.5 mL" in ratio and "after 1 mL" not in ratio


def test_without_the_chin_the_lip_guard_speaks_of_the_full_volume() -> None:
    plan = plan_for(intake(grades={"lip_fullness": 1}, measurements=HEIGHTS))
    (ratio,) = [f for f in plan.item("ha_lips").flags if f.startswith("Lip ratio guard")]
    assert "after 1 mL" in ratio


def test_a_visit_above_the_methods_toxin_range_comes_with_a_caution_naming_the_units() -> None:
    plan = plan_for(intake(grades={"glabellar_lines": 3, "forehead_lines": 3, "crows_feet": 3}))
    (caution,) = [f for f in plan.flags if f.id == "toxin_total_above_typical"]
    assert caution.level == "caution"
    assert caution.sentence.startswith("Visit 1: up to 64 U of toxin (toxin to the glabellar complex")
    assert "above the 20-50 U typical of the method for one session" in caution.sentence
    assert "the clinic's method: 20-50 U" in caution.source


def test_a_visit_within_the_range_has_no_such_caution() -> None:
    plan = plan_for(intake(grades={"glabellar_lines": 3}))
    assert not [f for f in plan.flags if f.id == "toxin_total_above_typical"]
