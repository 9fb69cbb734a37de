"""A patient's phone, email and preferred recall channel are recorded and corrected on the edit page (audited
by field name, never value); a date of birth in the future is refused under its field; a second patient with the
same name and date of birth is shown and must be confirmed as a different person."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from facebalance.clinic import audit
from facebalance.clinic.models import Patient
from tests.clinic.clinic_records import ClinicRecords

NEW = {
    "given_name": "Maya",
    "family_name": "Okafor",
    "date_of_birth": "1988-04-09",
    "sex": "female",
    "ethnicity": "",
    "phone": "+44 117 496 0000",
    "email": "maya@example.test",
    "preferred_channel": "email",
}


def test_contact_details_are_saved_shown_and_edited(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    response = client.post("/patients/new/", NEW)
    assert response.status_code == 302
    patient = Patient.objects.get(given_name="Maya")
    chart = client.get(response["Location"]).content.decode()
    assert "maya@example.test" in chart and "+44 117 496 0000" in chart and "Edit details" in chart

    edit = client.post(
        f"/patients/{patient.pk}/edit/", {**NEW, "email": "maya.o@example.test", "preferred_channel": "sms"}
    )
    assert edit.status_code == 302
    patient.refresh_from_db()
    assert (patient.email, patient.preferred_channel) == ("maya.o@example.test", "sms")
    event = audit.AuditEvent.objects.filter(action="change", object_id=str(patient.pk)).get()
    assert event.detail == {"fields": ["email", "preferred_channel"]}
    assert "maya" not in str(event.detail)


def test_a_channel_needs_its_address_under_the_right_field(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    response = client.post("/patients/new/", {**NEW, "email": "", "preferred_channel": "email"})
    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('id="field-email"') : html.index('id="field-preferred_channel"')]
    assert "Recalls by email need the patient" in field


def test_a_future_date_of_birth_is_refused_under_its_field(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/patients/new/", {**NEW, "date_of_birth": tomorrow})
    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('id="field-date_of_birth"') : html.index('id="field-sex"')]
    assert "The date of birth is in the future." in field
    assert not Patient.objects.filter(given_name="Maya").exists()


def test_an_exact_duplicate_is_shown_and_needs_confirming(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    p = clinic_a.patient
    same = {**NEW, "given_name": p.given_name.upper(), "family_name": p.family_name, "date_of_birth": "1990-01-02"}
    response = client.post("/patients/new/", same)
    assert response.status_code == 422
    html = response.content.decode()
    assert f"/patients/{p.pk}/" in html and "already registered" in html
    assert Patient.objects.filter(clinic=clinic_a.clinic).count() == 1
    confirmed = client.post("/patients/new/", {**same, "confirm_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.objects.filter(clinic=clinic_a.clinic).count() == 2


def test_the_front_desk_edits_and_another_clinic_cannot(clinic_a: ClinicRecords, clinic_b: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_b.front_desk)
    assert client.get(f"/patients/{clinic_a.patient.pk}/edit/").status_code == 404
    client.force_login(clinic_a.admin)
    assert client.get(f"/patients/{clinic_a.patient.pk}/edit/").status_code == 403


def test_the_api_refuses_a_future_date_of_birth(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = {"given_name": "Ann", "family_name": "Lee", "date_of_birth": tomorrow, "sex": "female"}
    response = client.post("/api/patients", body, content_type="application/json")
    assert response.status_code == 422 and "in the future" in response.content.decode()
