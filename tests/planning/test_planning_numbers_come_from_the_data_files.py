"""The planner's clinical numbers are rows of its data files: change a row and the plan follows it.

Each test edits one value of the packaged ``rules.toml`` or ``catalog.toml`` (parsed, so every other row
stays as shipped) and checks that the plan, the edit choices or the sentences change with it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from facebalance.planning import build_plan, plan_document
from facebalance.planning.catalog import load_catalog, parse_catalog
from facebalance.planning.content import PlanningData
from facebalance.planning.datafiles import packaged_toml
from facebalance.planning.edit import edit_choices
from facebalance.planning.errors import ClinicalDataError
from facebalance.planning.rules import parse_planning_rules
from facebalance.planning.timeline import DAYS_PER_MONTH, item_timeline
from tests.planning.planning_personas import MAYA, NORA, intake

TREATMENTS = frozenset(load_catalog().treatments)


def data_with(**rules_tables: dict[str, Any]) -> PlanningData:
    """The packaged planning data with some ``rules.toml`` tables changed (keys merged into the table)."""
    doc = packaged_toml("rules.toml")
    for table, values in rules_tables.items():
        doc[table] = {**doc[table], **values}
    return replace(PlanningData.default(), rules=parse_planning_rules(doc, TREATMENTS))


def test_it_values_the_dissolve_first_item_with_the_corrective_row() -> None:
    shipped = build_plan([], intake(**MAYA)).item("hyaluronidase")
    lower = build_plan([], intake(**MAYA), data=data_with(corrective={"priority": 8})).item("hyaluronidase")
    assert shipped.value == 10 * 1.5 and lower.value == 8 * 1.5


def test_it_offers_filler_doses_in_the_rules_step() -> None:
    patient = intake(**NORA)
    doc = plan_document(build_plan([], patient))
    fine = data_with(doses={"step_ml": 0.05})
    shipped = {i.key: i for i in edit_choices(doc, findings=[], intake=patient).items}
    finer = {i.key: i for i in edit_choices(doc, findings=[], intake=patient, data=fine).items}
    assert shipped["ha_cheek"].dose_step == 0.1 and finer["ha_cheek"].dose_step == 0.05
    assert shipped["toxin_glabella"].dose_step == finer["toxin_glabella"].dose_step == 1.0


def test_it_values_each_later_session_of_a_course_by_the_rules_factor() -> None:
    gradual = intake(
        patient={"age_years": 52},
        grades={"midface_volume_deficit": 4, "temple_hollowing": 3},
        concerns=[{"area": "gaunt"}],
        preferences={"prefers_gradual": True},
    )
    for factor in (0.5, 0.8):
        plan = build_plan([], gradual, data=data_with(value={"later_session_factor": factor}))
        first, second = plan.item("plla_course").value, next(i for i in plan.items if i.key == "plla_course#2").value
        assert second == pytest.approx(first * factor)


def test_it_opens_the_toxin_maintenance_window_for_the_rules_days() -> None:
    for days in (28, 10):
        plan = build_plan([], intake(**NORA), data=data_with(toxin_cadence={"due_window_days": days}))
        toxin = next(m for m in plan.maintenance if m.treatment == "toxin")
        assert toxin.due_until - toxin.due_from == timedelta(days=days)


def test_it_uses_the_rules_visit_limit_when_the_patient_states_none() -> None:
    plan = build_plan([], intake(**NORA), data=data_with(limits={"max_visits": 1}))
    assert plan.solver is not None and plan.solver.max_visits == 1 and len(plan.visits) == 1
    wanted = build_plan([], intake(**NORA, preferences={"max_visits": 2}), data=data_with(limits={"max_visits": 1}))
    assert wanted.solver is not None and wanted.solver.max_visits == 2


def test_it_delays_a_courses_result_by_the_catalogue_months_per_session() -> None:
    t = load_catalog().treatments["plla_course"]
    doc = packaged_toml("catalog.toml")
    plla = next(m for m in doc["modality"] if m["id"] == "plla")
    plla["visible_delay_per_session_months"] = 0
    shipped = item_timeline(t, load_catalog().modalities["plla"], date(2026, 1, 5), sessions_left=2)
    none = item_timeline(t, parse_catalog(doc).modalities["plla"], date(2026, 1, 5), sessions_left=2)
    assert (shipped.result_visible_on - none.result_visible_on).days == round(2 * 1.5 * DAYS_PER_MONTH)


@pytest.mark.parametrize("change", [{"step_ml": 0.3}, {"step_ml": 0}, {"step_units": -1}])
def test_it_refuses_a_dose_step_that_does_not_divide_a_millilitre(change: dict[str, Any]) -> None:
    with pytest.raises(ClinicalDataError, match=r"\[doses\]"):
        data_with(doses=change)


def test_it_refuses_a_lip_filler_without_its_upper_lip_share() -> None:
    doc = packaged_toml("catalog.toml")
    lips = next(t for t in doc["treatment"] if t["id"] == "ha_lips")
    del lips["lip_upper_share"]
    with pytest.raises(ClinicalDataError, match="lip_upper_share"):
        parse_catalog(doc)
