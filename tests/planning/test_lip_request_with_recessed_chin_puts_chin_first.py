"""Lena asks for lips; her chin is recessed. The plan treats the chin first and the lips later, with less filler."""

from __future__ import annotations

from datetime import timedelta

from tests.planning.planning_personas import LENA, START, intake, plan_for


def test_it_plans_the_chin_at_the_first_visit_and_the_lips_two_weeks_later() -> None:
    plan = plan_for(intake(**LENA))
    assert plan.status == "proposed"
    assert [(i.visit, i.treatment) for i in plan.items] == [(0, "ha_chin"), (1, "ha_lips")]
    assert [v.date for v in plan.visits] == [START, START + timedelta(days=14)]


def test_it_gives_the_lips_half_the_usual_filler_once_the_chin_is_projected() -> None:
    lips = plan_for(intake(**LENA)).item("ha_lips")
    assert (lips.dose_low, lips.dose_high) == (0.3, 0.5)
    assert "chin_before_lips" in lips.rules
    assert "Visit 2: after chin projection" in lips.when and "chin_before_lips" in lips.when


def test_it_explains_the_chin_by_its_evidence_and_the_lip_request() -> None:
    chin = plan_for(intake(**LENA)).item("ha_chin")
    assert chin.evidence == (
        "chin retrusion (Allergan Chin Retrusion Scale) grade 2 of 0-4 (moderate)",
        "profile finding profile.recessed_chin (moderate)",
    )
    assert chin.why.startswith("Chin projection with high-lift HA because chin retrusion")
    assert "structural" in chin.why


def test_it_gives_the_lips_their_full_dose_when_the_chin_is_in_balance() -> None:
    balanced = {**LENA, "grades": {"lip_fullness": 1}, "findings": []}
    plan = plan_for(intake(**balanced))
    assert plan.treatments == ("ha_lips",)
    assert (plan.item("ha_lips").dose_low, plan.item("ha_lips").dose_high) == (0.5, 1.0)


def test_with_a_single_visit_it_keeps_the_chin_and_says_the_lips_need_another_visit() -> None:
    plan = plan_for(intake(**{**LENA, "preferences": {"max_visits": 1}}))
    assert plan.treatments == ("ha_chin",)
    lips = plan.omission("ha_lips")
    assert lips.reason == "visits"
    assert lips.sentence.startswith("Lips with soft HA omitted: number of visits. With 1 visit(s)")
    assert "More visits would fit it." in lips.sentence
