"""Charting meets the planner's per-visit caps, area caps after the filler ledger, contraindications, the
catalogue's dose range and the BDDQ-AS gate: the same data rows, the same verdicts as the plan."""

from __future__ import annotations

from datetime import date

import pytest

from facebalance.planning import PlanningData
from facebalance.planning.candidates import area_limit_of
from facebalance.planning.charting import ChartedTreatment, check_charted_treatment
from facebalance.planning.ledger import filler_ledger
from tests.planning.planning_personas import POSITIVE_BDDQ_AS, START, intake


def _gates(t: ChartedTreatment, **fields: object) -> list[tuple[str, str]]:
    return [(v.gate, v.level) for v in check_charted_treatment(t, intake=intake(**fields)).violations]


def test_a_days_toxin_over_the_visit_cap_is_refused() -> None:
    cap = PlanningData.default().rules.limits.visit_cap_toxin_units
    morning = {"date": START.isoformat(), "modality": "toxin", "area": "masseter", "amount": cap - 10}
    assert ("visit_cap", "hard") in _gates(ChartedTreatment(START, "toxin", "glabella", 20), history=[morning])
    assert _gates(ChartedTreatment(START, "toxin", "glabella", 10), history=[morning]) == []


def test_lip_filler_over_the_cumulative_cap_is_refused_as_the_planner_counts_it() -> None:
    data = PlanningData.default()
    history = [
        {"date": f"{year}-05-01", "modality": "ha", "area": "lips", "amount": 0.9} for year in (2023, 2024, 2025)
    ]
    patient = intake(history=history)
    ledger = filler_ledger(patient.history, on=START, persistence_years=data.rules.ledger_persistence_years)
    headroom = area_limit_of("lips", ledger, set(), data).headroom_ml
    assert headroom is not None and 0 < headroom < 1.0
    assert _gates(ChartedTreatment(START, "ha", "lips", headroom), history=history) == []
    over = check_charted_treatment(ChartedTreatment(START, "ha", "lips", headroom + 0.1), intake=patient)
    assert [v.gate for v in over.hard] == ["area_cap"] and f"leaves {headroom:g} mL" in over.hard[0].message


def test_dissolved_filler_no_longer_counts() -> None:
    history = [
        {"date": "2024-05-01", "modality": "ha", "area": "lips", "amount": 2.5},
        {"date": "2025-01-10", "modality": "hyaluronidase", "area": "lips", "amount": 30},
    ]
    assert _gates(ChartedTreatment(START, "ha", "lips", 1.0), history=history) == []


@pytest.mark.parametrize("modality", ["toxin", "ha"])
def test_pregnancy_defers_every_injectable(modality: str) -> None:
    area = "glabella" if modality == "toxin" else "chin"
    t = ChartedTreatment(START, modality, area, 20 if modality == "toxin" else 1.0)  # type: ignore[arg-type]
    assert ("contraindication", "hard") in _gates(t, medical={"pregnant": True})


def test_a_caution_is_shown_and_charted() -> None:
    check = check_charted_treatment(
        ChartedTreatment(START, "ha", "lips", 0.5), intake=intake(medical={"herpes_labialis_history": True})
    )
    assert check.allowed and [v.gate for v in check.soft] == ["contraindication"]
    assert "cold sores" in check.soft[0].message


def test_more_than_the_catalogue_dose_is_refused() -> None:
    high = PlanningData.default().catalog.treatments["toxin_glabella"].total_dose[1]
    assert ("dose_range", "hard") in _gates(ChartedTreatment(START, "toxin", "glabella", high + 10))


def test_a_positive_bddq_as_without_override_is_refused() -> None:
    gates = [
        (v.gate, v.level)
        for v in check_charted_treatment(
            ChartedTreatment(START, "ha", "chin", 1.0), intake=intake(bddq_as=POSITIVE_BDDQ_AS)
        ).violations
    ]
    assert gates == [("bddq_as", "hard")]


def test_entries_after_the_treatment_day_are_not_counted() -> None:
    later = {"date": date(2027, 3, 1).isoformat(), "modality": "toxin", "area": "glabella", "amount": 20}
    assert _gates(ChartedTreatment(START, "toxin", "glabella", 20), history=[later]) == []
