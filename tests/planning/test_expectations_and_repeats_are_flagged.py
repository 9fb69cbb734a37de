"""Expectations the consultation can address, and repeated treatment, are flagged on the plan (the ones that
hold the plan are in test_patient_selection_holds_the_plan_until_a_clinician_overrides_it.py)."""

from __future__ import annotations

from tests.planning.planning_personas import LENA, intake, plan_for


def test_it_flags_an_expectation_to_discuss_before_consent_in_the_clinics_words() -> None:
    plan = plan_for(intake(**{**LENA, "expectations": ["permanent_result"]}))
    assert plan.status == "proposed"
    (flag,) = [f for f in plan.flags if f.id == "expectations"]
    assert flag.sentence.startswith("Unrealistic expectation: Expects a permanent result")


def test_it_flags_three_lip_sessions_in_a_year_as_diminishing_returns() -> None:
    history = [
        {"date": d, "modality": "ha", "area": "lips", "amount": 0.5} for d in ("2026-02-01", "2026-05-01", "2026-08-01")
    ]
    plan = plan_for(intake(**{**LENA, "history": history}))
    (flag,) = [f for f in plan.flags if f.id == "repeat_treatment"]
    assert flag.sentence.startswith("Repeated treatment: 3 filler sessions in the lips within 12 months")


def test_it_flags_repeated_dissatisfaction_in_one_area() -> None:
    history = [
        {"date": d, "modality": "ha", "area": "chin", "amount": 1.0, "satisfied": False}
        for d in ("2024-01-01", "2025-01-01")
    ]
    plan = plan_for(intake(**{**LENA, "history": history}))
    assert [f.sentence.split(":")[0] for f in plan.flags if f.id == "repeat_treatment"] == ["Repeated dissatisfaction"]
