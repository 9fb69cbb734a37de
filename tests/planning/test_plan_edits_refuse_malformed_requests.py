"""A request that cannot be an edit (unknown item, no such visit, a plan that is not proposed, another start
date, a missing field) is a PlanEditError with a hint, not a clinical refusal."""

from __future__ import annotations

from typing import Any

import pytest

from facebalance.planning import PlanningError, plan_document
from facebalance.planning.edit import PlanEdit, PlanEditError, edit_plan
from tests.planning.plan_edit_personas import edit, planned
from tests.planning.planning_personas import LENA, NORA, POSITIVE_BDDQ_AS, intake, plan_for


@pytest.mark.parametrize(
    ("op", "words"),
    [
        ({"kind": "drop", "key": "ha_temple"}, "is not in the plan"),
        ({"kind": "move", "key": "ha_chin", "visit": 9}, "There is no visit 10"),
        ({"kind": "move", "key": "ha_chin", "visit": 0}, "already at visit 1"),
        ({"kind": "add", "key": "ha_chin", "visit": 0}, "already in the plan"),
        ({"kind": "add", "key": "no_such_treatment", "visit": 0}, "not a treatment of the catalogue"),
        ({"kind": "product", "key": "ha_chin", "treatment": "ha_lips"}, "not a product for the chin"),
        ({"kind": "dose", "key": "ha_chin", "dose_low": 1.0, "dose_high": 2.0}, "already at that dose"),
    ],
)
def test_it_raises_for_an_edit_that_names_nothing_editable(op: dict[str, Any], words: str) -> None:
    patient, doc = planned(LENA)
    with pytest.raises(PlanEditError, match=words) as info:
        edit(patient, doc, **op)
    assert isinstance(info.value, PlanningError) and info.value.hint


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"kind": "explode", "key": "ha_chin"}, "Unknown edit"),
        ({"kind": "drop"}, "names no item"),
        ({"kind": "move", "key": "ha_chin"}, "needs the visit"),
        ({"kind": "move", "key": "ha_chin", "visit": True}, "needs the visit"),
        ({"kind": "dose", "key": "ha_chin", "dose_low": "lots"}, "needs a number"),
        ({"kind": "dose", "key": "ha_chin", "dose_low": float("nan")}, "needs a number"),
        ({"kind": "product", "key": "ha_chin"}, "names the new treatment"),
    ],
)
def test_it_refuses_a_malformed_edit_document(doc: dict[str, Any], words: str) -> None:
    with pytest.raises(PlanEditError, match=words):
        PlanEdit.parse(doc)


def test_a_single_dose_means_low_and_high_alike() -> None:
    assert PlanEdit.parse({"kind": "dose", "key": "ha_chin", "dose_low": 1.5}).dose_high == 1.5


def test_only_a_proposed_plan_made_from_the_same_intake_is_edited() -> None:
    refer = intake(**LENA, bddq_as=POSITIVE_BDDQ_AS)
    with pytest.raises(PlanEditError, match="Only a proposed plan"):
        edit_plan(plan_document(plan_for(refer)), PlanEdit("drop", "ha_chin"), findings=[], intake=refer)
    patient, doc = planned(NORA)
    later = intake(**NORA, start_date="2027-01-05")
    with pytest.raises(PlanEditError, match="starts on 2026-12-01 but the intake on 2027-01-05"):
        edit_plan(doc, PlanEdit("drop", "ha_chin"), findings=[], intake=later)
    with pytest.raises(PlanEditError, match="not a treatment plan"):
        edit_plan({"schema": "x"}, PlanEdit("drop", "ha_chin"), findings=[], intake=patient)


def test_a_plan_whose_inputs_no_longer_propose_its_items_is_not_edited() -> None:
    patient, doc = planned(LENA)
    doc = dict(doc, items=[dict(doc["items"][0], key="ha_temple")])
    with pytest.raises(PlanEditError, match="no longer propose"):
        edit(patient, doc, kind="drop", key="ha_temple")
