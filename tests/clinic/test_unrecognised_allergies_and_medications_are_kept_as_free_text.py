"""An allergy or medication the planner does not know is not refused at the clinic's intake: it reaches the
planner in ``*_other`` (shown to the clinician, read by no rule), and the plan says it was not checked."""

from __future__ import annotations

from datetime import date

from django.test import Client

from facebalance.clinic import plans
from facebalance.clinic.models import Intake
from facebalance.planning import parse_intake
from tests.clinic.clinic_records import ClinicRecords
from tests.clinic.test_web_intake_gives_the_planner_every_cli_input import FULL


def test_unknown_entries_go_to_the_free_text_fields(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    form = {**FULL, "allergies": "Lidocaine\nmango", "medications": "Vitamin Z drops\ngentamicin"}
    response = client.post(f"/patients/{clinic_a.patient.pk}/intake/new/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    intake = Intake.objects.exclude(pk=clinic_a.intake.pk).get(patient=clinic_a.patient)
    parsed = parse_intake(plans.intake_document(clinic_a.patient, intake, grades={}, start=date(2026, 12, 1)))
    assert parsed.medical.allergies == ("lidocaine",)
    assert parsed.medical.allergies_other == ("mango",)
    assert parsed.medical.medications == ("gentamicin",)
    assert parsed.medical.medications_other == ("vitamin z drops",)
