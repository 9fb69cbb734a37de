"""Every planner input the CLI intake document takes can be entered on the web intake, and reaches the planner
as the same :class:`facebalance.planning.Intake` a hand-written intake document gives."""

from __future__ import annotations

from datetime import date

from django.test import Client

from facebalance.clinic import plans
from facebalance.clinic.models import Intake
from facebalance.planning import parse_intake
from tests.clinic.clinic_records import ClinicRecords
from tests.clinic.test_consultation_from_assessment_to_accepted_plan import INTAKE

FULL = {
    **INTAKE,
    "medications": "Gentamicin\naminoglycoside",
    "neuromuscular_conditions": "",
    "autoimmune_conditions": "Hashimoto thyroiditis",
    "autoimmune_active": "on",
    "active_infection_areas": ["lips"],
    "high_exercise": "on",
    "requested_treatments": ["ha_lips", "toxin_glabella"],
    "expectations": ["perfect_symmetry"],
    "budget_usd": "3500",
    "budget_basis": "mid",
    "max_visits": "2",
    "prefers_gradual": "on",
    "upper_lip_to_e_line_mm": "-4.5",
    "lower_lip_to_e_line_mm": "-2.5",
    "bddq_override_reason": "",
    "concern-TOTAL_FORMS": "2",
    "concern-0-area": "lips",
    "concern-0-text": "My lips look thin",
    "concern-1-area": "chin",
    "concern-1-text": "My chin disappears in photos",
    "prior-1-date": "2026-09-01",
    "prior-1-clinic_name": "",
    "prior-1-modality": "toxin",
    "prior-1-product": "Botox",
    "prior-1-area": "glabella",
    "prior-1-amount": "20",
    "prior-1-satisfied": "true",
    "prior-1-movement_returned_weeks": "11",
    "prior-0-disliked": "on",
}

#: The same intake as the CLI reads it (docs/planning.md, ``facebalance plan --intake FILE``).
CLI = {
    "start_date": "2026-12-01",
    "patient": {"age_years": 36, "sex": "female", "new_patient": False},
    "goals": "I look tired and my chin feels weak",
    "concerns": [
        {"area": "lips", "text": "My lips look thin"},
        {"area": "chin", "text": "My chin disappears in photos"},
    ],
    "requested_treatments": ["ha_lips", "toxin_glabella"],
    "history": [
        {"date": "2025-03-01", "modality": "toxin", "area": "glabella", "amount": 20},
        {
            "date": "2025-06-01",
            "modality": "ha",
            "area": "lips",
            "amount": 1.0,
            "product": "Juvederm Volbella",
            "clinic": "Elsewhere Clinic",
            "satisfied": True,
            "disliked": True,
        },
        {
            "date": "2026-09-01",
            "modality": "toxin",
            "area": "glabella",
            "amount": 20,
            "product": "Botox",
            "satisfied": True,
            "movement_returned_weeks": 11,
        },
    ],
    "medical": {
        "allergies": ["lidocaine"],
        "medications": ["gentamicin", "aminoglycoside"],
        "autoimmune_conditions": ["hashimoto_thyroiditis"],
        "autoimmune_active": True,
        "active_infection_areas": ["lips"],
    },
    "lifestyle": {"high_exercise": True},
    "measurements": {"profile.upper_lip_to_e_line_mm": -4.5, "profile.lower_lip_to_e_line_mm": -2.5},
    "bddq_as": {"q1": True, "q2": False, "q3": 2, "q4": 1, "q5": 1, "q6": 1, "q7": False},
    "expectations": ["perfect_symmetry"],
    "preferences": {"budget_usd": 3500, "budget_basis": "mid", "max_visits": 2, "prefers_gradual": True},
}


def test_the_web_intake_is_the_cli_intake(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    response = client.post(f"/patients/{clinic_a.patient.pk}/intake/new/", FULL)
    assert response.status_code == 302, response.content.decode()[-3000:]
    intake = Intake.objects.exclude(pk=clinic_a.intake.pk).get(patient=clinic_a.patient)
    web = parse_intake(plans.intake_document(clinic_a.patient, intake, grades={}, start=date(2026, 12, 1)))
    cli = parse_intake(CLI)
    assert web == cli

    page = client.get(response["Location"]).content.decode()
    for shown in ("My lips look thin", "Lips with soft HA", "Expects perfect symmetry", "3500 USD", "at most 2"):
        assert shown in page, shown


def test_a_bddq_as_override_is_a_providers_and_reaches_the_planner(clinic_a: ClinicRecords) -> None:
    positive = {**FULL, "bddq_q2_preoccupied": "true", "bddq_q3_distress": "4"}
    reason = "Discussed at length; realistic goals, psychologist letter on file."
    client = Client()
    client.force_login(clinic_a.front_desk)
    html = client.get(f"/patients/{clinic_a.patient.pk}/intake/new/").content.decode()
    assert "bddq_override_reason" not in html
    client.force_login(clinic_a.provider)
    assert (
        client.post(
            f"/patients/{clinic_a.patient.pk}/intake/new/", {**positive, "bddq_override_reason": reason}
        ).status_code
        == 302
    )
    intake = Intake.objects.exclude(pk=clinic_a.intake.pk).get(patient=clinic_a.patient)
    parsed = parse_intake(plans.intake_document(clinic_a.patient, intake, grades={}, start=date(2026, 12, 1)))
    assert parsed.bddq_as_override is not None
    assert (parsed.bddq_as_override.clinician, parsed.bddq_as_override.reason) == ("harbour.provider", reason)
