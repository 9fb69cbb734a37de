"""Toxin cadence learns the patient's own time to return of movement, shrunk to the prior, never below 12 weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facebalance.planning import PriorTreatment
from facebalance.planning.cadence import toxin_cadence
from facebalance.planning.rules import load_planning_rules
from tests.planning.planning_personas import START, intake, plan_for

RULES = load_planning_rules().cadence


def sessions(*weeks: float) -> list[PriorTreatment]:
    return [
        PriorTreatment(date(2026, 1, 1) + timedelta(weeks=16 * n), "toxin", "glabella", 20, movement_returned_weeks=w)
        for n, w in enumerate(weeks)
    ]


@pytest.mark.parametrize(
    ("observed", "adjust", "estimate", "interval"),
    [
        ((), {}, 15.0, 15.0),  # no history: the 3-4 month prior
        ((10, 10, 10), {}, 12.0, 12.0),  # (2 x 15 + 30) / 5
        ((18, 18, 18), {}, 16.8, 16.8),  # lasts longer: (30 + 54) / 5
        ((6, 6, 6), {}, 9.6, 12.0),  # wears off early: never below 12 weeks
        ((), {"high_exercise": True}, 13.5, 13.5),
        ((), {"high_exercise": True, "low_dose": True, "large_muscle": True}, 10.9, 12.0),
    ],
)
def test_it_shrinks_the_observed_interval_toward_the_prior(
    observed: tuple[float, ...], adjust: dict[str, bool], estimate: float, interval: float
) -> None:
    c = toxin_cadence(sessions(*observed), rules=RULES, **adjust)
    assert (c.estimate_weeks, c.weeks) == (estimate, interval)
    assert c.weeks >= 12


def test_a_patient_whose_toxin_wears_off_at_10_weeks_three_times_is_seen_every_12_weeks() -> None:
    history = [
        {
            "date": (START - timedelta(weeks=w)).isoformat(),
            "modality": "toxin",
            "area": "glabella",
            "amount": 20,
            "movement_returned_weeks": 10,
        }
        for w in (40, 27, 14)
    ]
    plan = plan_for(intake(grades={"glabellar_lines": 2}, history=history))
    toxin = plan.item("toxin_glabella")
    assert toxin.date == START
    assert plan.toxin_cadence is not None and plan.toxin_cadence.weeks == 12.0
    assert plan.toxin_cadence.observed_weeks == (10.0, 10.0, 10.0)
    assert "review the dose" in plan.toxin_cadence.sentence
    (next_toxin,) = [m for m in plan.maintenance if m.treatment == "toxin"]
    assert next_toxin.due_from == START + timedelta(weeks=12)


@given(
    st.lists(st.floats(1, 40), max_size=6),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_the_cadence_is_never_shorter_than_12_weeks(
    observed: list[float], high_exercise: bool, low_dose: bool, large_muscle: bool
) -> None:
    c = toxin_cadence(
        sessions(*observed), rules=RULES, high_exercise=high_exercise, low_dose=low_dose, large_muscle=large_muscle
    )
    assert c.weeks >= 12 and c.weeks == max(12.0, c.estimate_weeks)
