"""The intake and the frontal analysis map into the planner's inputs; a wrong field is refused with its fix."""

from __future__ import annotations

from typing import Any

import pytest

from facebalance.planning import IntakeError, findings_from_frontal, parse_intake
from tests.planning.planning_personas import intake, plan_for


def test_it_maps_frontal_findings_with_their_values_and_skips_rejected_ones() -> None:
    doc: dict[str, Any] = {
        "schema": "facebalance.frontal_analysis",
        "measurements": {"chin_height_mm": {"value": 21.0}, "upper_vermilion_height_mm": {"value": 6.1}},
        "findings": [
            {
                "id": "chin_height_mm_below",
                "zones": ["lower_face"],
                "measurements": ["chin_height_mm"],
                "severity": "moderate",
                "sentence": "short chin",
                "status": "proposed",
            },
            {
                "id": "bigonial_to_bizygomatic_ratio_above",
                "zones": ["lower_face"],
                "measurements": [],
                "severity": "mild",
                "status": "rejected",
            },
        ],
    }
    findings, measured = findings_from_frontal(doc)
    (chin,) = findings
    assert (chin.id, chin.zone, chin.severity, chin.source, dict(chin.values)) == (
        "chin_height_mm_below",
        "lower_face",
        "moderate",
        "frontal",
        {"chin_height_mm": 21.0},
    )
    assert measured == {"chin_height_mm": 21.0, "upper_vermilion_height_mm": 6.1}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"grades": {"chin_retrusion": 5}}, "outside its scale 0-4"),
        ({"grades": {"chin_size": 2}}, "Unknown clinician grade"),
        (
            {"history": [{"date": "2026-01-01", "modality": "ha", "area": "lips", "amount": 1, "unit": "syringe"}]},
            "ha is recorded in mL",
        ),
        ({"history": [{"date": "01/02/2026", "modality": "toxin", "area": "glabella", "amount": 20}]}, "not a date"),
        (
            {"bddq_as": {"q1": True, "q2": True, "q3": 7, "q4": 1, "q5": 1, "q6": 1, "q7": False}},
            r"must be 1 \(not at all\) to 5",
        ),
        ({"bddq_as": {"q1": True}}, "BDDQ-AS item q2 is missing"),
        ({"preferences": {"budget_basis": "low"}}, "budget_basis"),
        ({"preferences": {"max_visits": 0}}, "max_visits"),
        ({"expectations": ["instant_youth"]}, "Unknown expectation"),
    ],
)
def test_it_refuses_a_wrong_field_and_says_what_is_wrong(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(IntakeError, match=message):
        plan_for(intake(**fields))


def test_it_needs_a_start_date_because_the_planner_never_reads_the_clock() -> None:
    with pytest.raises(IntakeError, match="start_date"):
        parse_intake({"grades": {}})
