"""Maya dislikes lip filler placed elsewhere: the plan dissolves it, waits, reassesses, and only then refills."""

from __future__ import annotations

from datetime import timedelta

from tests.planning.planning_personas import MAYA, START, intake, plan_for


def test_it_dissolves_at_the_first_visit_and_refills_no_sooner_than_two_weeks_later() -> None:
    plan = plan_for(intake(**MAYA))
    assert [(i.visit, i.key) for i in plan.items] == [(0, "hyaluronidase:lips"), (1, "ha_lips")]
    assert plan.visits[1].date - plan.visits[0].date == timedelta(days=14)
    assert plan.visits[0].purpose == "Corrective: dissolve the filler the patient dislikes."


def test_it_names_the_disliked_filler_and_the_reassessment_in_the_plan() -> None:
    plan = plan_for(intake(**MAYA))
    dissolve, refill = plan.items
    assert dissolve.evidence == ("the patient dislikes earlier filler: 1 mL HA lip filler on 2026-06-01 at elsewhere",)
    assert "dissolve_before_refill" in refill.rules and "dissolve_before_refill" in refill.when
    assert "reassessed" in dissolve.timeline.sentence


def test_it_does_not_count_dissolved_filler_against_the_lip_cap() -> None:
    plan = plan_for(intake(**MAYA))
    (lips,) = [row for row in plan.ledger if row.area == "lips"]
    assert (lips.present_ml, lips.planned_ml_high, lips.cap_ml) == (0.0, 1.0, 3.0)


def test_it_only_dissolves_when_nothing_supports_a_refill() -> None:
    content_with_size = {**MAYA, "grades": {"lip_fullness": 2}}
    plan = plan_for(intake(**content_with_size))
    assert [i.key for i in plan.items] == ["hyaluronidase:lips"]
    assert plan.visits[0].date == START


def test_it_refers_filler_that_cannot_be_dissolved() -> None:
    caha = {**MAYA, "history": [{**MAYA["history"][0], "modality": "caha", "area": "jawline"}], "grades": {}}
    plan = plan_for(intake(**caha))
    assert plan.status == "nothing_to_treat"
    (flag,) = [f for f in plan.flags if f.id == "not_dissolvable:jawline"]
    assert flag.level == "high" and "cannot be dissolved" in flag.sentence
