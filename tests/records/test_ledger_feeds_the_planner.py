"""The charted history becomes the planner's history, and the planner's guard and cadence read it."""

from __future__ import annotations

from datetime import date

import pytest

from facebalance.planning import BddqAs, Intake, PlanningData, build_plan
from facebalance.planning.ledger import filler_ledger
from facebalance.records.ledger import history_documents, prior_treatments, treatment_ledger
from tests.records.personas import dana_history, eli_history

ML = 1e-9


@pytest.fixture(scope="module")
def data() -> PlanningData:
    return PlanningData.default()


def test_it_sums_each_record_over_its_sites() -> None:
    history = prior_treatments(dana_history())
    assert [t.amount for t in history if t.area == "lips"] == [1.0, 1.0, 1.0]
    assert [t.amount for t in history if t.modality == "toxin"] == [20.0, 20.0, 20.0]
    assert [t.movement_returned_weeks for t in history if t.modality == "toxin"] == [10, 11, 12]
    assert history == tuple(sorted(history, key=lambda t: t.date))


def test_it_counts_ha_over_the_years_as_the_planners_ledger_does(data: PlanningData) -> None:
    led = treatment_ledger(dana_history(), on=date(2026, 1, 15), data=data)
    assert led.filler_ml_by_year["lips"] == {2021: 1.0, 2023: 1.0, 2025: 1.0}
    assert led.filler_ml_by_year["chin"] == {2024: 1.5}
    persistence = data.rules.ledger_persistence_years
    same = filler_ledger(led.history, on=date(2026, 1, 15), persistence_years=persistence)
    assert led.filler.present_ml("lips") == pytest.approx(same.present_ml("lips"), abs=ML)
    # 2021 is within the persistence window (it is counted although its label expired long ago).
    assert led.filler.present_ml("lips") == pytest.approx(3.0 if persistence >= 5 else 2.0, abs=ML)


def test_it_forgets_ha_that_was_dissolved(data: PlanningData) -> None:
    led = treatment_ledger(eli_history(), on=date(2025, 1, 1), data=data)
    assert led.filler.present_ml("lips") == 0.0
    assert led.filler_ml_by_year["lips"] == {2022: 1.0}


def test_it_learns_the_toxin_cadence_from_the_follow_up_answers(data: PlanningData) -> None:
    led = treatment_ledger(dana_history(), on=date(2026, 1, 15), data=data)
    assert led.cadence is not None
    assert led.cadence.observed_weeks == (10.0, 11.0, 12.0)
    assert [e.movement_returned_weeks for e in led.toxin] == [10, 11, 12]
    assert led.cadence.weeks >= led.cadence.floor_weeks


def test_it_ignores_treatments_after_the_ledger_date(data: PlanningData) -> None:
    led = treatment_ledger(dana_history(), on=date(2024, 1, 1), data=data)
    assert led.filler_ml_by_year["lips"] == {2021: 1.0, 2023: 1.0}
    assert led.cadence is None


def test_the_planner_trims_lip_filler_against_the_charted_ledger(data: PlanningData) -> None:
    bddq = BddqAs(False, False, 1, 1, 1, 1, False)
    fresh = Intake(start_date=date(2026, 2, 1), grades={"lip_fullness": 1}, bddq_as=bddq)
    charted = Intake(
        start_date=date(2026, 2, 1), grades={"lip_fullness": 1}, bddq_as=bddq, history=prior_treatments(dana_history())
    )
    rows = {r.area: r for r in build_plan([], charted, data=data).ledger}
    assert rows["lips"].present_ml == pytest.approx(3.0 if data.rules.ledger_persistence_years >= 5 else 2.0)
    assert build_plan([], fresh, data=data).ledger != build_plan([], charted, data=data).ledger


def test_history_documents_parse_as_the_intakes_history() -> None:
    from facebalance.planning import parse_intake

    intake = parse_intake(
        {
            "schema": "facebalance.intake",
            "schema_version": "1.0",
            "start_date": "2026-02-01",
            "history": history_documents(dana_history()),
        }
    )
    assert intake.history == prior_treatments(dana_history())
