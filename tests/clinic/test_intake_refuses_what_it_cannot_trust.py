"""The intake form asks instead of assuming: pregnancy is never pre-set, an empty intake is refused, a partly
answered BDDQ-AS is refused item by item, a prior treatment in the future is refused under its own field, and
sending the same form twice (back button, double click) keeps one intake."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from facebalance.clinic.models import Intake
from tests.clinic.clinic_records import ClinicRecords
from tests.clinic.test_consultation_from_assessment_to_accepted_plan import INTAKE


def _post(client: Client, records: ClinicRecords, data: dict[str, Any]) -> Any:
    return client.post(f"/patients/{records.patient.pk}/intake/new/", data)


def _field(html: str, name: str) -> str:
    """The rendered field group of one form field (its label, widget and errors)."""
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 1)
    return html[start : end if end > 0 else len(html)]


def test_pregnancy_is_asked_never_preset(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    html = client.get(f"/patients/{clinic_a.patient.pk}/intake/new/").content.decode()
    select = re.search(r'<select name="pregnancy".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)" selected>', select) == [""]
    response = _post(client, clinic_a, {**INTAKE, "pregnancy": ""})
    assert response.status_code == 422
    assert "Ask about pregnancy" in _field(response.content.decode(), "pregnancy")


def test_an_empty_intake_is_refused(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    before = Intake.objects.count()
    response = _post(client, clinic_a, {k: v for k, v in INTAKE.items() if "-" in k})
    assert response.status_code == 422
    html = response.content.decode()
    assert "The intake is not saved" in html
    assert "Write the patient" in _field(html, "goals") and "Ask about pregnancy" in _field(html, "pregnancy")
    assert Intake.objects.count() == before


def test_a_partly_answered_bddq_as_is_refused_at_each_missing_item(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    response = _post(client, clinic_a, {**INTAKE, "bddq_q4_social": "", "bddq_q7_impairment": ""})
    assert response.status_code == 422
    html = response.content.decode()
    for name in ("bddq_q4_social", "bddq_q7_impairment"):
        assert "Answer every BDDQ-AS item" in _field(html, name)
    assert "Answer every BDDQ-AS item" not in _field(html, "bddq_q3_distress")


def test_a_prior_treatment_in_the_future_is_refused_under_its_date(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    response = _post(client, clinic_a, {**INTAKE, "prior-0-date": "2999-01-01"})
    assert response.status_code == 422
    row = re.search(r'name="prior-0-date".*?</td>', response.content.decode(), re.S).group(0)
    assert "cannot be in the future" in row


def test_the_same_form_sent_twice_keeps_one_intake(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    html = client.get(f"/patients/{clinic_a.patient.pk}/intake/new/").content.decode()
    token = re.search(r'name="submission" value="([0-9a-f-]+)"', html).group(1)
    first = _post(client, clinic_a, {**INTAKE, "submission": token})
    again = _post(client, clinic_a, {**INTAKE, "submission": token})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Intake.objects.filter(patient=clinic_a.patient).count() == 2  # the fixture's intake and this one
