"""Who is due, and when, from dated histories and accepted plans (the clock is always an argument)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from facebalance.planning import PlanningData
from facebalance.planning.timeline import add_months
from facebalance.records.ledger import treatment_ledger
from facebalance.records.recall import PatientHistory, due_entries, patient_recalls, recall_list
from tests.records.personas import DANA, ELI, dana_history, eli_history, glabella, lips

TODAY = date(2025, 12, 1)


@pytest.fixture(scope="module")
def data() -> PlanningData:
    return PlanningData.default()


def test_it_recalls_toxin_at_the_learnt_cadence_after_the_last_session(data: PlanningData) -> None:
    entries = patient_recalls(PatientHistory(DANA, "Dana Reed", dana_history()), on=TODAY, data=data)
    toxin = [e for e in entries if e.kind == "toxin"]
    assert len(toxin) == 1
    cadence = treatment_ledger(dana_history(), on=TODAY, data=data).cadence
    assert cadence is not None
    assert toxin[0].due_from == date(2025, 9, 8) + timedelta(days=round(cadence.weeks * 7))
    assert toxin[0].due_until - toxin[0].due_from == timedelta(days=28)
    assert "glabella" in toxin[0].label


def test_it_recalls_filler_maintenance_from_the_catalogue_durability(data: PlanningData) -> None:
    entries = patient_recalls(PatientHistory(DANA, "Dana Reed", dana_history()), on=TODAY, data=data)
    lip = next(e for e in entries if e.kind == "filler_maintenance" and "lip" in e.label.lower())
    low, high = data.catalog.treatments["ha_lips"].durability_months
    assert (lip.due_from, lip.due_until) == (add_months(date(2025, 5, 20), low), add_months(date(2025, 5, 20), high))
    chin = next(e for e in entries if e.kind == "filler_maintenance" and "chin" in e.label.lower())
    assert chin.due_from == add_months(date(2024, 9, 1), data.catalog.treatments["ha_chin"].durability_months[0])


def test_it_does_not_recall_dissolved_filler(data: PlanningData) -> None:
    assert patient_recalls(PatientHistory(ELI, "Eli Shaw", eli_history()), on=TODAY, data=data) == []


def test_it_recalls_the_next_uncharted_visit_of_an_accepted_plan(data: PlanningData) -> None:
    plan = {
        "items": [
            {"key": "ha_chin", "label": "Chin filler"},
            {"key": "ha_lips", "label": "Lip filler"},
            {"key": "toxin_glabella", "label": "Glabellar toxin"},
        ],
        "visits": [
            {"index": 0, "date": "2025-11-03", "items": ["ha_chin", "toxin_glabella"]},
            {"index": 1, "date": "2025-12-15", "items": ["ha_lips"]},
        ],
    }
    done = glabella(date(2025, 11, 3), None, patient="p9")
    chin_done = lips(date(2025, 11, 3), 1.0, patient="p9")
    history = PatientHistory("p9", "Fay Ode", (done,), plans=(("plan9", plan),))
    first = [e for e in patient_recalls(history, on=TODAY, data=data) if e.kind == "planned_visit"]
    assert [(e.label, e.due_from) for e in first] == [("Planned visit 1", date(2025, 11, 3))]
    assert first[0].overdue(TODAY)
    from dataclasses import replace

    charted = (
        replace(done, plan_id="plan9", plan_item="toxin_glabella"),
        replace(chin_done, plan_id="plan9", plan_item="ha_chin"),
    )
    second = [
        e for e in patient_recalls(replace(history, records=charted), on=TODAY, data=data) if e.kind == "planned_visit"
    ]
    assert [(e.label, e.due_from) for e in second] == [("Planned visit 2", date(2025, 12, 15))]
    assert "Lip filler" in second[0].sentence


def test_the_list_keeps_what_is_due_within_the_horizon_soonest_first(data: PlanningData) -> None:
    people = [PatientHistory(DANA, "Dana Reed", dana_history()), PatientHistory(ELI, "Eli Shaw", eli_history())]
    entries = recall_list(people, on=TODAY, data=data, horizon_days=60)
    assert entries == sorted(entries, key=lambda e: e.due_from)
    assert all(e.due_from <= TODAY + timedelta(days=60) for e in entries)
    everything = [e for p in people for e in patient_recalls(p, on=TODAY, data=data)]
    assert {e.key for e in entries} == {e.key for e in everything if e.due_from <= TODAY + timedelta(days=60)}
    assert {e.kind for e in entries} == {"toxin", "filler_maintenance"}
    assert recall_list(people, on=TODAY, data=data, horizon_days=0) == due_entries(entries, on=TODAY)
    assert len(recall_list(people, on=TODAY, data=data, horizon_days=0)) < len(entries)
