"""The FHIR Bundle carries what the intake holds for other systems: allergies (AllergyIntolerance),
medications (MedicationStatement), the BDDQ-AS (QuestionnaireResponse) and the prior treatments the patient
reported (Procedure, category "reported"); valid R4B, and read back into equal records."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from facebalance.planning import BddqAs, PriorTreatment
from facebalance.records.fhir import patient_bundle, record_from_bundle, validate_bundle
from facebalance.records.record import Demographics, IntakeRecord, PatientRecord

pytest.importorskip("fhir.resources", reason="FHIR validation needs fhir.resources")

PATIENT = Demographics("0b1c2d3e-0000-4000-8000-0000000f0001", "Ines", "Rowe", date(1986, 2, 3), "female")
FIRST = IntakeRecord(
    "0b1c2d3e-0000-4000-8000-0000000f0002",
    datetime(2025, 3, 4, 9, 30, tzinfo=UTC),
    allergies=("Penicillin", "bee venom"),
    medications=("Levothyroxine 50 µg",),
    bddq_as=BddqAs(True, False, 2, 1, 1, 1, False),
    prior_treatments=(
        PriorTreatment(date(2024, 10, 1), "toxin", "glabella", 20.0, "Botox", "Elsewhere", True, False, 11.0),
        PriorTreatment(date(2023, 6, 1), "ha", "lips", 1.0, "Juvederm Volbella", "Elsewhere", False, True),
    ),
)
#: A later intake with only a reported treatment (no allergies, medications or screen).
LATER = IntakeRecord(
    "0b1c2d3e-0000-4000-8000-0000000f0003",
    datetime(2026, 1, 10, 15, 0, tzinfo=UTC),
    prior_treatments=(PriorTreatment(date(2025, 12, 1), "ha", "chin", 1.5),),
)


def test_the_intake_resources_are_valid_and_read_back_equal() -> None:
    record = PatientRecord(PATIENT, intakes=(FIRST, LATER))
    bundle = validate_bundle(patient_bundle(record, timestamp=datetime(2026, 2, 1, tzinfo=UTC)))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("AllergyIntolerance") == 2 and kinds.count("MedicationStatement") == 1
    assert kinds.count("QuestionnaireResponse") == 1 and kinds.count("Procedure") == 3
    (qr,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert [(i["linkId"], i["answer"][0]) for i in qr["item"]][:3] == [
        ("q1", {"valueBoolean": True}),
        ("q2", {"valueBoolean": False}),
        ("q3", {"valueInteger": 2}),
    ]
    reported = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Procedure" and e["resource"].get("category")
    ]
    assert {r["category"]["coding"][0]["code"] for r in reported} == {"reported"}
    assert sorted(r["performedDateTime"] for r in reported) == ["2023-06-01", "2024-10-01", "2025-12-01"]
    assert record_from_bundle(bundle) == record


def test_an_intake_resource_without_its_intake_is_refused() -> None:
    from facebalance.records.fhir import FhirError

    bundle = patient_bundle(PatientRecord(PATIENT, intakes=(FIRST,)), timestamp=datetime(2026, 2, 1, tzinfo=UTC))
    for e in bundle["entry"]:
        if e["resource"]["resourceType"] == "AllergyIntolerance":
            del e["resource"]["identifier"]
    with pytest.raises(FhirError, match="names no intake"):
        record_from_bundle(bundle)
