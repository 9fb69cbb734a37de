"""The intake's allergies, medications, BDDQ-AS and reported treatments leave clinic A in its FHIR Bundle and
arrive in clinic B's database through the import page, and B's export of them is A's again."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tests.records.test_web_fhir_import_round_trips import _upload, _without_ids

pytest.importorskip("fhir.resources")


def test_the_intake_travels_and_comes_back_equal(client: Any, clinic_a: Any, clinic_b: Any) -> None:
    from facebalance.clinic.models import Intake, Patient, PriorTreatment

    intake = clinic_a.intake
    intake.allergies, intake.medications = "Lidocaine\n\nbee venom", "Levothyroxine"
    for field, value in (("q1_concerned", True), ("q2_preoccupied", False), ("q7_impairment", False)):
        setattr(intake, f"bddq_{field}", value)
    intake.bddq_q3_distress = intake.bddq_q4_social = intake.bddq_q5_work_school = intake.bddq_q6_avoidance = 1
    intake.save()
    PriorTreatment.objects.create(
        intake=intake,
        date=date(2024, 5, 1),
        modality="ha",
        area="lips",
        amount="1.10",
        product="Volbella",
        clinic_name="Elsewhere",
        satisfied=False,
        disliked=True,
    )
    client.force_login(clinic_a.provider)
    first = json.loads(client.get(f"/records/patients/{clinic_a.patient.pk}/fhir.json").content)
    kinds = {e["resource"]["resourceType"] for e in first["entry"]}
    assert {"AllergyIntolerance", "MedicationStatement", "QuestionnaireResponse", "Procedure"} <= kinds

    client.force_login(clinic_b.provider)
    assert _upload(client, json.dumps(first).encode()).status_code == 302
    imported = Patient.objects.exclude(pk=clinic_b.patient.pk).get(clinic=clinic_b.clinic)
    arrived = Intake.objects.get(patient=imported)
    assert arrived.allergies == "Lidocaine\nbee venom" and arrived.bddq_complete and arrived.bddq_positive is False
    assert arrived.pregnancy == ""  # not exported, so never assumed
    priors = sorted(
        (str(t.date), t.modality, t.area, float(t.amount), t.disliked) for t in arrived.prior_treatments.all()
    )
    assert priors == [("2024-05-01", "ha", "lips", 1.1, True), ("2025-03-01", "toxin", "glabella", 20.0, False)]
    ledger = client.get(f"/records/patients/{imported.pk}/treatments/").content.decode()
    assert 'id="reported"' in ledger and "Volbella" in ledger

    second = json.loads(client.get(f"/records/patients/{imported.pk}/fhir.json").content)
    assert _without_ids(second) == _without_ids(first)
