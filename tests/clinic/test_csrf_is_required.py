"""Every state change needs the CSRF token: pages, htmx requests and session-authenticated API calls."""

from __future__ import annotations

import re

from django.test import Client

from facebalance.clinic.models import FindingReview, Patient
from tests.clinic.clinic_records import ClinicRecords


def token(client: Client, url: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode())
    assert match
    return match.group(1)


def test_a_form_post_without_the_token_is_refused(clinic_a: ClinicRecords) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic_a.provider)
    data = {"given_name": "Ann", "family_name": "Other", "date_of_birth": "1980-01-01", "sex": "female"}
    assert client.post("/patients/new/", data).status_code == 403
    assert not Patient.objects.filter(family_name="Other").exists()
    data["csrfmiddlewaretoken"] = token(client, "/patients/new/")
    assert client.post("/patients/new/", data).status_code == 302
    assert Patient.objects.filter(family_name="Other").exists()


def test_an_htmx_post_needs_the_header_token(clinic_a: ClinicRecords) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic_a.provider)
    url = f"/assessments/{clinic_a.assessment.pk}/findings/lower_third_mm_above/review/"
    before = FindingReview.objects.count()
    assert client.post(url, {"decision": "confirm"}, headers={"HX-Request": "true"}).status_code == 403
    page_token = token(client, f"/assessments/{clinic_a.assessment.pk}/")
    ok = client.post(url, {"decision": "confirm"}, headers={"HX-Request": "true", "X-CSRFToken": page_token})
    assert ok.status_code == 200
    assert FindingReview.objects.count() == before + 1


def test_a_session_authenticated_api_write_needs_the_token(clinic_a: ClinicRecords) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic_a.provider)
    body = {"given_name": "Api", "family_name": "Person", "date_of_birth": "1985-02-03", "sex": "male"}
    assert client.post("/api/patients", body, content_type="application/json").status_code == 403
    assert not Patient.objects.filter(family_name="Person").exists()


def test_the_login_form_itself_is_protected(db: object) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403
