"""The Plan document is versioned and validates against its JSON Schema, whatever the plan's outcome."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from facebalance.planning import PLAN_SCHEMA, PLAN_SCHEMA_VERSION, plan_document, plan_schema
from facebalance.planning.catalog import REGION_ORDER, load_catalog
from tests.planning.planning_personas import LENA, MAYA, NORA, POSITIVE_BDDQ_AS, intake, plan_for

SCENARIOS: dict[str, dict[str, Any]] = {
    "proposed": NORA,
    "corrective": MAYA,
    "refer": {**LENA, "bddq_as": POSITIVE_BDDQ_AS},
    "deferred": {**NORA, "medical": {"pregnant": True}},
    "nothing_to_treat": {"grades": {"lip_fullness": 3}},
    "budget": {**NORA, "preferences": {"budget_usd": 2500}},
    "hold": {**LENA, "expectations": ["look_like_someone_else"]},
    "services": {"concerns": [{"area": "redness"}, {"area": "dark_circles"}], "grades": {"skin_laxity": 2}},
    "laxity": {"grades": {"skin_laxity": 3, "midface_volume_deficit": 3, "jawline": 3}},
    "free_text": {**LENA, "medical": {"allergies_other": ["a rash from a face cream"]}, "concerns_other": ["my smile"]},
    "no_hyaluronidase": {
        "grades": {"lip_fullness": 1},
        "medical": {"allergies": ["bee_venom"]},
        "overrides": {
            "ha_without_hyaluronidase": {"clinician": "Dr B", "reason": "Discussed and accepted in writing."}
        },
    },
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_plan_document_validates_against_the_schema(name: str) -> None:
    doc = plan_document(plan_for(intake(**SCENARIOS[name])))
    jsonschema.Draft202012Validator(plan_schema()).validate(doc)
    assert (doc["schema"], doc["schema_version"]) == (PLAN_SCHEMA, PLAN_SCHEMA_VERSION)
    assert json.loads(json.dumps(doc)) == doc


def test_the_schema_is_itself_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(plan_schema())


def test_the_document_carries_the_written_pricing_table() -> None:
    doc = plan_document(plan_for(intake(**NORA)))
    rows = doc["pricing"]["rows"]
    assert rows[0] == {
        "visit": None,
        "item": "Consultation (new patient)",
        "quantity": "1 visit",
        "unit_price": "$0",
        "price": {"low": 0.0, "high": 0.0},
    }
    assert rows[1]["unit_price"] == "$14-22 per U"
    assert doc["pricing"]["total"] == {"low": 4254.0, "high": 10568.0}
    assert [v["price"] for v in doc["visits"]] == doc["pricing"]["visit_totals"]


def test_the_schemas_modality_and_region_lists_are_the_catalogues() -> None:
    item = plan_schema()["properties"]["items"]["items"]["properties"]
    assert set(item["modality"]["enum"]) == set(load_catalog().modalities)
    assert set(item["region"]["enum"]) == set(REGION_ORDER)
