"""A clinician's edit (drop, add, change dose or product, move) gives a new plan, priced again, with its
visits re-dated under the same intervals, the change written on the plan, and the same document schema."""

from __future__ import annotations

import itertools
from datetime import date

import jsonschema

from facebalance.planning import plan_document, plan_schema
from facebalance.planning.edit import EDIT_FLAG
from facebalance.planning.rules import load_planning_rules
from tests.planning.plan_edit_personas import BEA, JADE, TESS, edit, item_keys, planned
from tests.planning.planning_personas import LENA, NORA

LIMITS = load_planning_rules().limits
TOXIN_UNIT_USD = (14.0, 22.0)


def test_it_drops_an_item_and_takes_its_price_off_the_total() -> None:
    patient, doc = planned(NORA)
    dropped = next(i for i in doc["items"] if i["key"] == "toxin_glabella")
    result = edit(patient, doc, kind="drop", key="toxin_glabella")
    assert result.applied and result.plan is not None
    new = plan_document(result.plan)
    assert "toxin_glabella" not in item_keys(new)
    before, after = doc["pricing"]["total"], new["pricing"]["total"]
    assert after["low"] == before["low"] - dropped["price"]["low"]
    assert after["high"] == before["high"] - dropped["price"]["high"]
    assert result.sentence.startswith("Dropped toxin to the glabellar complex (frown lines) (visit 1).")
    assert [f["sentence"] for f in new["flags"] if f["id"] == EDIT_FLAG] == [result.sentence.split(" Total")[0]]


def test_it_changes_a_toxin_dose_within_the_catalogue_range_and_prices_the_units() -> None:
    patient, doc = planned(NORA)
    result = edit(patient, doc, kind="dose", key="toxin_crows_feet", dose_low=16, dose_high=20)
    assert result.applied and result.plan is not None
    item = result.plan.item("toxin_crows_feet")
    assert (item.dose_low, item.dose_high, item.dose_text) == (16.0, 20.0, "16-20 U")
    assert (item.price.low, item.price.high) == (16 * TOXIN_UNIT_USD[0], 20 * TOXIN_UNIT_USD[1])


def test_it_moves_an_item_to_a_new_visit_at_least_two_weeks_after_the_last() -> None:
    patient, doc = planned({**NORA, "preferences": {"max_visits": 3}})
    result = edit(patient, doc, kind="move", key="ha_temple", visit=len(doc["visits"]))
    assert result.applied and result.plan is not None
    visits = result.plan.visits
    assert visits[-1].items == ("ha_temple",) and len(visits) == 4
    gaps = [(b.date - a.date).days for a, b in itertools.pairwise(visits)]
    assert min(gaps) >= LIMITS.min_visit_gap_days
    assert [v.gate for v in result.violations] == ["visits"]  # she wants at most 3 visits


def test_it_refuses_to_move_an_item_before_what_must_come_first() -> None:
    patient, doc = planned(LENA)
    result = edit(patient, doc, kind="move", key="ha_lips@after_ha_chin", visit=0)
    assert not result.applied and result.plan is None
    assert result.violations[0].gate == "precedence" and "Rule chin_before_lips" in result.sentence


def test_it_adds_a_candidate_the_engine_left_out_for_the_budget_and_flags_the_budget() -> None:
    patient, doc = planned(BEA)
    assert item_keys(doc) == {"toxin_glabella": 1}
    result = edit(patient, doc, kind="add", key="ha_chin", visit=1)
    assert result.applied and result.plan is not None
    assert item_keys(plan_document(result.plan)) == {"toxin_glabella": 1, "ha_chin": 2}
    assert [v.gate for v in result.violations] == ["budget"]
    assert "ha_chin" not in {o.treatment for o in result.plan.omissions}


def test_it_swaps_the_product_for_the_other_one_the_rules_propose_for_the_area() -> None:
    patient, doc = planned(JADE)
    assert item_keys(doc) == {"caha_jawline": 1}
    assert doc["items"][0]["price"]["low"] == 800.0  # one 1.5 mL syringe of calcium hydroxylapatite at the low price
    result = edit(patient, doc, kind="product", key="caha_jawline", treatment="ha_jawline")
    assert result.applied and result.plan is not None
    item = result.plan.item("ha_jawline")
    assert item.visit == 0 and item.reversible is True


def test_a_moved_toxin_keeps_twelve_weeks_from_the_last_toxin_by_moving_the_visit() -> None:
    patient, doc = planned(TESS)
    last_toxin = max(t.date for t in patient.history if t.modality == "toxin")
    result = edit(patient, doc, kind="move", key="toxin_glabella", visit=1)
    assert result.applied and result.plan is not None
    moved = plan_document(result.plan)
    assert moved["visits"][0]["date"] == "2026-12-01"  # the chin no longer waits for the toxin
    back = edit(patient, moved, kind="move", key="toxin_glabella", visit=0)
    assert back.applied and back.plan is not None
    toxin = back.plan.item("toxin_glabella")
    assert (toxin.date - last_toxin).days >= LIMITS.toxin_min_interval_days
    assert "visit 1 now on 2027-01-12" in back.sentence


def test_edits_accumulate_on_the_written_plan_and_it_stays_a_valid_document() -> None:
    patient, doc = planned(NORA)
    for op in (
        {"kind": "drop", "key": "toxin_glabella"},
        {"kind": "dose", "key": "ha_cheek", "dose_low": 1.0, "dose_high": 1.5},
        {"kind": "move", "key": "ha_temple", "visit": 2},
    ):
        result = edit(patient, doc, **op)
        assert result.applied and result.plan is not None, result.sentence
        doc = plan_document(result.plan)
        jsonschema.Draft202012Validator(plan_schema()).validate(doc)
    notes = [f["sentence"] for f in doc["flags"] if f["id"] == EDIT_FLAG]
    assert [n.split(" ")[0] for n in notes] == ["Dropped", "Changed", "Moved"]
    assert doc["solver"]["status"] == "feasible" and doc["start_date"] == date(2026, 12, 1).isoformat()
    assert (item_keys(doc)["ha_temple"], item_keys(doc)["ha_chin"]) == (3, 2)
