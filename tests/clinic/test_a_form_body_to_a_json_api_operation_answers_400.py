"""A form body (multipart or urlencoded) sent to a JSON API operation answers 400 with the API's error shape,
with a browser session (whose CSRF check reads the body as a form first) as with an API key."""

from __future__ import annotations

import pytest
from django.test import Client

from facebalance.clinic.api import issue_key
from facebalance.clinic.models import Patient
from tests.clinic.clinic_records import ClinicRecords


def _session_client(clinic_a: ClinicRecords) -> tuple[Client, dict[str, str]]:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(clinic_a.provider)
    client.get(f"/patients/{clinic_a.patient.pk}/")
    return client, {"X-CSRFToken": client.cookies["csrftoken"].value}


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
@pytest.mark.parametrize("path", ["/api/patients/search", "/api/patients"])
def test_session_and_key_both_get_400(clinic_a: ClinicRecords, encoding: str, path: str) -> None:
    body = {"q": "Harbour", "given_name": "A", "family_name": "B", "date_of_birth": "1990-01-01", "sex": "female"}
    before = Patient.objects.count()
    session_client, csrf = _session_client(clinic_a)
    key = issue_key(clinic_a.provider, "test")
    key_client = Client(raise_request_exception=False)
    answers = []
    for client, headers in ((session_client, csrf), (key_client, {"Authorization": f"Bearer {key}"})):
        if encoding == "multipart":
            answers.append(client.post(path, body, headers=headers))
        else:
            answers.append(
                client.post(
                    path,
                    "&".join(f"{k}={v}" for k, v in body.items()),
                    content_type="application/x-www-form-urlencoded",
                    headers=headers,
                )
            )
    for response in answers:
        assert response.status_code == 400, response.content
        assert response["Content-Type"].startswith("application/json")
    if encoding == "multipart":
        # The session's CSRF check consumed the multipart stream: the API says what to send instead.
        assert answers[0].json()["code"] == "bad_request" and "JSON" in answers[0].json()["hint"]
    assert Patient.objects.count() == before


def test_the_same_operation_with_json_works(clinic_a: ClinicRecords) -> None:
    client, csrf = _session_client(clinic_a)
    response = client.post("/api/patients/search", {"q": "Harbour"}, content_type="application/json", headers=csrf)
    assert response.status_code == 200 and len(response.json()) == 1
