"""Charting toxin checks the same interval the plan states: the date a plan gives as "not before" is the first
day charting accepts, and the interval follows the rules file, not a number of its own."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from facebalance.planning import PlanningData
from facebalance.planning.charting import ChartedTreatment, check_charted_treatment
from tests.planning.planning_personas import START, intake, plan_for, weeks_before_start

#: The prior toxin six weeks before the start date, as recorded at intake.
PRIOR = {"date": weeks_before_start(6), "modality": "toxin", "area": "glabella", "amount": 20}


def _glabella(on: date) -> ChartedTreatment:
    return ChartedTreatment(on, "toxin", "glabella", 20)


def test_the_plans_not_before_date_is_the_first_day_charting_accepts() -> None:
    patient = intake(grades={"glabellar_lines": 2}, history=[PRIOR])
    plan = plan_for(patient)
    (item,) = [i for i in plan.items if i.treatment == "toxin_glabella"]
    not_before = date.fromisoformat(re.search(r"not before (\d{4}-\d\d-\d\d)", " ".join(item.flags)).group(1))
    assert not_before > START

    today = check_charted_treatment(_glabella(START), intake=patient)
    assert not today.allowed and [v.gate for v in today.hard] == ["toxin_interval"]
    assert not_before.isoformat() in today.hard[0].message
    assert not check_charted_treatment(_glabella(not_before - timedelta(days=1)), intake=patient).allowed
    assert check_charted_treatment(_glabella(not_before), intake=patient).allowed
    assert item.date >= not_before


def test_the_interval_comes_from_the_rules_file() -> None:
    data = PlanningData.default()
    patient = intake(history=[PRIOR])
    last = date.fromisoformat(PRIOR["date"])
    limit = data.rules.limits.toxin_min_interval_days
    assert not check_charted_treatment(_glabella(last + timedelta(days=limit - 1)), intake=patient).allowed
    assert check_charted_treatment(_glabella(last + timedelta(days=limit)), intake=patient).allowed
    shorter = replace(data, rules=replace(data.rules, limits=replace(data.rules.limits, toxin_min_interval_days=30)))
    assert check_charted_treatment(_glabella(last + timedelta(days=30)), intake=patient, data=shorter).allowed


def test_toxin_in_two_areas_on_one_day_is_one_session() -> None:
    same_day = {"date": START.isoformat(), "modality": "toxin", "area": "forehead", "amount": 10}
    patient = intake(history=[same_day])
    assert check_charted_treatment(_glabella(START), intake=patient).allowed


def test_sooner_than_the_learnt_cadence_is_flagged_but_allowed() -> None:
    slow = {**PRIOR, "date": weeks_before_start(13), "movement_returned_weeks": 20}
    check = check_charted_treatment(_glabella(START), intake=intake(history=[slow]))
    assert check.allowed and [v.gate for v in check.soft] == ["toxin_cadence"]
