"""Nora: temples, midface, tear troughs, chin and lips, with frown lines and crow's feet, over three visits."""

from __future__ import annotations

from datetime import timedelta

from facebalance.planning.pricing import PriceRange
from tests.planning.planning_personas import NORA, START, intake, plan_for


def test_it_sequences_the_five_zones_over_three_visits_two_weeks_apart() -> None:
    plan = plan_for(intake(**NORA))
    assert [(i.visit, i.treatment) for i in plan.items] == [
        (0, "toxin_glabella"),
        (0, "toxin_crows_feet"),
        (0, "ha_cheek"),
        (1, "ha_temple"),
        (1, "ha_chin"),
        (2, "ha_tear_trough"),
        (2, "ha_lips"),
    ]
    assert [v.date for v in plan.visits] == [START + timedelta(days=d) for d in (0, 14, 28)]


def test_no_visit_takes_more_than_4_ml_of_filler_and_the_plan_no_more_than_8() -> None:
    plan = plan_for(intake(**NORA))
    fillers = [i for i in plan.items if i.modality in ("ha", "caha")]
    assert max(sum(i.dose_high for i in fillers if i.visit == v.index) for v in plan.visits) == 4.0
    assert sum(i.dose_high for i in fillers) == 7.5


def test_its_total_lands_in_the_clinics_typical_range() -> None:
    plan = plan_for(intake(**NORA))
    assert plan.pricing is not None
    assert plan.pricing.total == PriceRange(4254.0, 10568.0)
    assert plan.pricing.typical == PriceRange(4000.0, 15000.0) and plan.pricing.within_typical
    assert sum((v.price for v in plan.visits), PriceRange(0, 0)) == plan.pricing.total


def test_it_flags_the_tear_trough_as_high_risk_with_product_depth_volume_and_injector() -> None:
    (flag,) = [f for f in plan_for(intake(**NORA)).item("ha_tear_trough").flags if f.startswith("High-risk")]
    for must in ("Product: low-hydrophilic", "Depth: deep", "Volume: at most 0.5 mL per side", "Injector: experienced"):
        assert must in flag


def test_it_chooses_ha_cheek_support_over_a_plla_course_and_says_why() -> None:
    plla = plan_for(intake(**NORA)).omission("plla_course")
    assert plla.reason == "exclusive"
    assert "one volume strategy for the midface" in plla.sentence
    assert (
        "Cheek (midface) support with high-lift HA is kept instead: it comes first in the clinic's order"
        in plla.sentence
    )
    assert "points" not in plla.sentence


def test_it_gives_every_item_a_date_for_onset_review_and_how_long_it_lasts() -> None:
    plan = plan_for(intake(**NORA))
    for item in plan.items:
        t = item.timeline
        assert item.date <= t.onset_on <= t.review_on and t.lasts_until is not None and t.lasts_until > t.review_on
    assert [m.treatment for m in plan.maintenance][:1] == ["toxin"]
