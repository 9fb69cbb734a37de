"""A patient's record as a FHIR Bundle: valid against the R4B models, coded in UCUM, and read back equal."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from facebalance.planning import BddqAs, Intake, build_plan, plan_document
from facebalance.records.fhir import FhirError, patient_bundle, record_from_bundle, validate_bundle
from facebalance.records.record import (
    Demographics,
    DocumentRecord,
    PatientRecord,
    PhotoRecord,
    PlanRecord,
    analysis_record,
)
from tests.records.personas import DANA, dana_history

pytest.importorskip("fhir.resources", reason="FHIR validation needs fhir.resources")

PHOTO = "5f0e8a52-1111-4000-8000-000000000001"
ANALYSIS = "5f0e8a52-2222-4000-8000-000000000002"
PLAN = "5f0e8a52-3333-4000-8000-000000000003"
PDF = "5f0e8a52-4444-4000-8000-000000000004"
TAKEN = datetime(2025, 11, 3, 10, 15, 30, 123456, tzinfo=UTC)

ANALYSIS_DOC: dict[str, Any] = {
    "measurements": {
        "lower_third_mm": {
            "value": 68.25,
            "uncertainty": 1.1,
            "unit": "mm",
            "zone": "proportions",
            "label": "Lower third",
            "norm": {
                "mean": 64.0,
                "sd": 3.0,
                "low": None,
                "high": None,
                "sex": "female",
                "population": "adult",
                "source": "Farkas 1994",
                "review": "cited",
                "status": "above",
                "deviation": 1.417,
            },
        },
        "canthal_tilt_left_deg": {
            "value": 5.5,
            "uncertainty": 0.8,
            "unit": "deg",
            "zone": "upper_face",
            "label": "Canthal tilt, left",
            "norm": None,
        },
        "lip_ratio_upper_lower": {
            "value": 0.61,
            "uncertainty": 0.05,
            "unit": "ratio",
            "zone": "lower_face",
            "label": "Upper:lower lip",
            "norm": {
                "mean": None,
                "sd": None,
                "low": 0.5,
                "high": 0.8,
                "sex": "female",
                "population": "",
                "source": "Penna 2015",
                "review": "working",
                "status": "within",
                "deviation": None,
            },
        },
        "trichion_height_mm": {
            "value": None,
            "uncertainty": None,
            "unit": "mm",
            "zone": "proportions",
            "label": "Upper third",
            "norm": None,
            "not_measurable_reason": "hairline not found",
        },
    },
}


def dana_record() -> PatientRecord:
    intake = Intake(
        start_date=date(2025, 11, 3), grades={"chin_retrusion": 2}, bddq_as=BddqAs(False, False, 1, 1, 1, 1, False)
    )
    plan = plan_document(build_plan([], intake))
    treatments = tuple(replace(t, plan_id=PLAN, plan_item="ha_chin") if t.area == "chin" else t for t in dana_history())
    return PatientRecord(
        Demographics(DANA, "Dana", "Reed", date(1988, 7, 14), "female"),
        analyses=(analysis_record(ANALYSIS, TAKEN, PHOTO, ANALYSIS_DOC),),
        plans=(PlanRecord(PLAN, TAKEN, "accepted", plan),),
        treatments=treatments,
        photos=(PhotoRecord(PHOTO, "frontal_rest", TAKEN, "image/jpeg", "ab" * 32, 5, 64, 48, b"\xff\xd8\xff\xe0x"),),
        documents=(
            DocumentRecord(PDF, "treatment_plan", "Written treatment plan", TAKEN, "application/pdf", b"%PDF-1.7 test"),
        ),
    )


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_it_validates_as_fhir_and_round_trips_without_loss() -> None:
    record = dana_record()
    bundle = validate_bundle(patient_bundle(record, timestamp=TAKEN))
    # Through JSON text, as a file or an HTTP body would carry it.
    again = record_from_bundle(json.loads(json.dumps(bundle)))
    assert again == record


def test_it_writes_one_resource_of_the_right_kind_per_record() -> None:
    record = dana_record()
    bundle = validate_bundle(patient_bundle(record, timestamp=TAKEN))
    counts = {
        k: len(_resources(bundle, k))
        for k in ("Patient", "Observation", "CarePlan", "Procedure", "Media", "DocumentReference")
    }
    assert counts == {
        "Patient": 1,
        "Observation": 4,
        "CarePlan": 1,
        "Procedure": len(record.treatments),
        "Media": 1,
        "DocumentReference": 1,
    }


def test_measurements_carry_ucum_units_uncertainty_and_the_norm() -> None:
    bundle = validate_bundle(patient_bundle(dana_record(), timestamp=TAKEN))
    obs = {o["code"]["coding"][0]["code"]: o for o in _resources(bundle, "Observation")}
    units = {
        k: (o["valueQuantity"]["system"], o["valueQuantity"]["code"]) for k, o in obs.items() if "valueQuantity" in o
    }
    assert units == {
        "lower_third_mm": ("http://unitsofmeasure.org", "mm"),
        "canthal_tilt_left_deg": ("http://unitsofmeasure.org", "deg"),
        "lip_ratio_upper_lower": ("http://unitsofmeasure.org", "1"),
    }
    lower = obs["lower_third_mm"]
    assert lower["valueQuantity"]["extension"][0]["valueDecimal"] == pytest.approx(1.1)
    assert lower["interpretation"][0]["coding"][0]["code"] == "H"
    assert lower["referenceRange"][0]["low"]["value"] == pytest.approx(58.0)
    assert obs["trichion_height_mm"]["dataAbsentReason"]["text"] == "hairline not found"
    assert lower["derivedFrom"][0]["reference"] == f"urn:uuid:{PHOTO}"


def test_a_procedure_names_its_sites_and_the_plan_it_fulfils() -> None:
    bundle = validate_bundle(patient_bundle(dana_record(), timestamp=TAKEN))
    chin = next(p for p in _resources(bundle, "Procedure") if "chin" in p["code"]["text"])
    assert chin["basedOn"] == [{"reference": f"urn:uuid:{PLAN}"}]
    assert chin["bodySite"][0]["coding"][0]["code"] == "pogonion"
    toxin = next(p for p in _resources(bundle, "Procedure") if p["code"]["coding"][0]["code"] == "toxin")
    assert any("movement returned after 10 weeks" in f["text"] for f in toxin["followUp"])
    assert toxin["complication"][0]["text"].startswith("bruising (mild)")


def test_an_invalid_bundle_is_refused_with_the_reason() -> None:
    bad = patient_bundle(dana_record(), timestamp=TAKEN)
    bad["entry"][0]["resource"]["birthDate"] = "14 July 1988"
    with pytest.raises(FhirError, match="not valid FHIR"):
        validate_bundle(bad)
    with pytest.raises(FhirError, match="Not a FHIR Bundle"):
        record_from_bundle({"resourceType": "Patient"})
