"""Toxin requested 8 weeks after the last session: the plan waits until the 12-week mark."""

from __future__ import annotations

from datetime import date, timedelta

from tests.planning.planning_personas import START, intake, plan_for, weeks_before_start

LAST_SESSION = weeks_before_start(8)
EIGHT_WEEKS_ON: dict[str, object] = {
    "concerns": [{"area": "frown_lines", "text": "My frown lines are back already"}],
    "requested_treatments": ["toxin_glabella"],
    "grades": {"glabellar_lines": 2},
    "history": [{"date": LAST_SESSION, "modality": "toxin", "area": "glabella", "amount": 20}],
}


def test_it_schedules_the_toxin_exactly_12_weeks_after_the_last_session() -> None:
    plan = plan_for(intake(**EIGHT_WEEKS_ON))
    toxin = plan.item("toxin_glabella")
    assert toxin.date == date.fromisoformat(LAST_SESSION) + timedelta(weeks=12) == START + timedelta(weeks=4)
    assert "not before 2026-12-29: toxin never sooner than 12 weeks after the last session" in toxin.when


def test_it_moves_the_single_visit_to_the_12_week_mark_rather_than_add_a_visit() -> None:
    plan = plan_for(intake(**{**EIGHT_WEEKS_ON, "grades": {"glabellar_lines": 2, "chin_retrusion": 3}}))
    assert [(i.visit, i.treatment) for i in plan.items] == [(0, "toxin_glabella"), (0, "ha_chin")]
    assert [v.date for v in plan.visits] == [START + timedelta(weeks=4)]


def test_it_leaves_the_toxin_to_the_maintenance_calendar_when_it_cannot_fit_the_window() -> None:
    last = weeks_before_start(-20)  # a session booked elsewhere 20 weeks from now
    patient = intake(
        **{**EIGHT_WEEKS_ON, "history": [{"date": last, "modality": "toxin", "area": "glabella", "amount": 20}]}
    )
    plan = plan_for(patient)
    omission = plan.omission("toxin_glabella")
    assert omission.reason == "timing"
    assert "not given before 2027-07-13 (12 weeks after the last session)" in omission.sentence
