"""An upload over FACEBALANCE_UPLOAD_MAX_BYTES answers 413 with the limit and how to get under it (a page, an
htmx message, or the API's JSON error), never a server error, and stores nothing: whether the declared body
is over the limit or only the file inside a body that looks small enough."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from facebalance.clinic.api import issue_key
from facebalance.clinic.models import Photo
from tests.clinic.clinic_records import ClinicRecords

LIMIT = 4096


@pytest.fixture
def small_limit(settings: Any) -> None:
    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, upload_max_bytes=LIMIT)


def _browser(clinic_a: ClinicRecords) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(clinic_a.provider)
    client.get(f"/sessions/{clinic_a.session.pk}/")
    return client, client.cookies["csrftoken"].value


#: A body declared far over the limit (refused before parsing) and a file just over it in a body that is
#: under the whole-body allowance (refused by the upload handler while parsing).
SIZES = pytest.mark.parametrize("size", [LIMIT * 40, LIMIT + 500], ids=["declared-over", "file-over"])


@SIZES
def test_the_photo_page_answers_413_with_the_limit(clinic_a: ClinicRecords, small_limit: None, size: int) -> None:
    client, token = _browser(clinic_a)
    before = Photo.objects.count()
    response = client.post(
        f"/sessions/{clinic_a.session.pk}/views/frontal_smile/upload/",
        {"csrfmiddlewaretoken": token, "photo": SimpleUploadedFile("big.jpg", b"\xff" * size)},
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "4,096 bytes" in text and "FACEBALANCE_UPLOAD_MAX_BYTES" in text and "smaller" in text
    assert response["Content-Type"].startswith("text/html")
    assert Photo.objects.count() == before


@SIZES
def test_htmx_gets_the_message_in_the_page(clinic_a: ClinicRecords, small_limit: None, size: int) -> None:
    client, token = _browser(clinic_a)
    page = client.get(f"/sessions/{clinic_a.session.pk}/").content.decode()
    assert 'id="upload-limit"' in page
    response = client.post(
        f"/sessions/{clinic_a.session.pk}/views/frontal_smile/upload/",
        {"photo": SimpleUploadedFile("big.jpg", b"\xff" * size)},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 413
    assert response["HX-Retarget"] == "#upload-limit"
    assert "4,096 bytes" in response.content.decode()


@SIZES
def test_the_api_answers_413_as_json(clinic_a: ClinicRecords, small_limit: None, size: int) -> None:
    client, token = _browser(clinic_a)
    session_answer = client.post(
        f"/api/sessions/{clinic_a.session.pk}/photos/frontal_smile",
        {"photo": SimpleUploadedFile("big.jpg", b"\xff" * size)},
        headers={"X-CSRFToken": token},
    )
    key = issue_key(clinic_a.provider, "test")
    key_answer = Client(raise_request_exception=False).post(
        f"/api/sessions/{clinic_a.session.pk}/photos/frontal_smile",
        {"photo": SimpleUploadedFile("big.jpg", b"\xff" * size)},
        headers={"Authorization": f"Bearer {key}"},
    )
    for response in (session_answer, key_answer):
        assert response.status_code == 413
        body = response.json()
        assert body["code"] == "upload_too_large" and "4,096" in body["message"] and body["hint"]


def test_a_large_json_body_answers_413(clinic_a: ClinicRecords, small_limit: None) -> None:
    key = issue_key(clinic_a.provider, "test")
    response = Client(raise_request_exception=False).post(
        "/api/patients/search",
        data='{"q": "' + "a" * (LIMIT * 40) + '"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 413 and response.json()["code"] == "upload_too_large"


def test_an_upload_under_the_limit_still_goes_through(clinic_a: ClinicRecords, small_limit: None) -> None:
    client, token = _browser(clinic_a)
    response = client.post(
        f"/sessions/{clinic_a.session.pk}/views/frontal_smile/upload/",
        {"csrfmiddlewaretoken": token, "photo": SimpleUploadedFile("small.jpg", b"not an image")},
    )
    # Read and refused by the photo pipeline (not a photo), not by the size limit.
    assert response.status_code == 422
