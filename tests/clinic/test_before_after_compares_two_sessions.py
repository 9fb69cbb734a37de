"""Before/after in the app: two photo sessions of the demo patient compared on the frontal view (the same
London photo in both: aligned, nothing flagged as changed), pictures only through the authorised, audited
view, and the pages refused to another clinic and to the front desk."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from facebalance.clinic import photostore
from facebalance.clinic.models import AuditEvent, Comparison, Patient, PhotoSession
from tests.clinic.clinic_records import LONDON, ClinicRecords, upload


@pytest.mark.django_db
def test_two_sessions_of_the_same_photo_show_no_change() -> None:
    call_command("facebalance_demo", "--no-migrate", "--photos", str(LONDON), stdout=io.StringIO())
    patient = Patient.objects.get()
    first = PhotoSession.objects.get(patient=patient)
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo.provider"))
    assert client.post(f"/patients/{patient.pk}/sessions/new/").status_code == 302
    second = PhotoSession.objects.exclude(pk=first.pk).get(patient=patient)
    upload(client, second, "frontal_rest", LONDON / "001_03.jpg")

    form = client.get(f"/patients/{patient.pk}/compare/")
    assert form.status_code == 200 and "frontal_rest" in form.content.decode()
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f"/patients/{patient.pk}/compare/" in chart
    response = client.post(
        f"/patients/{patient.pk}/compare/",
        {"before": str(first.pk), "after": str(second.pk), "view_id": "frontal_rest"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    comparison = Comparison.objects.get(patient=patient)
    doc = comparison.document
    assert doc["schema"] == "facebalance.before_after" and doc["changes"]
    assert not [c["id"] for c in doc["changes"] if c["changed"]], "the same photo twice changes nothing"
    assert doc["alignment"]["residual_rms_px"] < 1.0
    assert AuditEvent.objects.filter(action="create", object_id=str(comparison.pk)).exists()

    page = client.get(f"/comparisons/{comparison.pk}/").content.decode()
    assert "Measurement changes" in page and "(0 beyond 2" in page and "data-measurement=" in page
    for kind in ("side-by-side", "blink-before", "blink-after", "overlay"):
        picture = client.get(f"/comparisons/{comparison.pk}/{kind}.png")
        assert picture.status_code == 200 and picture["Content-Type"] == "image/png", kind
        assert b"".join(picture.streaming_content).startswith(b"\x89PNG")
        assert kind in page
    assert client.get(f"/comparisons/{comparison.pk}/other.png").status_code == 404
    assert AuditEvent.objects.filter(action="view", object_id=str(comparison.pk), detail__picture="overlay").exists()
    # The stored pictures are known to the photo store's integrity check.
    assert photostore.integrity_report().clean

    # A session is needed on both sides; the same session twice is refused.
    refused = client.post(
        f"/patients/{patient.pk}/compare/", {"before": str(first.pk), "after": str(first.pk), "view_id": "frontal_rest"}
    )
    assert refused.status_code == 422 and b'role="alert"' in refused.content


def test_another_clinic_and_the_front_desk_are_refused(clinic_a: ClinicRecords, clinic_b: ClinicRecords) -> None:
    theirs = clinic_b.comparison
    client = Client()
    client.force_login(clinic_a.provider)
    for url in (
        f"/patients/{clinic_b.patient.pk}/compare/",
        f"/comparisons/{theirs.pk}/",
        f"/comparisons/{theirs.pk}/overlay.png",
    ):
        assert client.get(url).status_code == 404, url
    # Our patient with their sessions: not found either, nothing created.
    response = client.post(
        f"/patients/{clinic_a.patient.pk}/compare/",
        {"before": str(clinic_b.session.pk), "after": str(clinic_a.session.pk), "view_id": "frontal_rest"},
    )
    assert response.status_code == 404
    assert Comparison.objects.filter(patient=clinic_a.patient).count() == 1
    own = Client()
    own.force_login(clinic_a.front_desk)
    assert own.get(f"/comparisons/{clinic_a.comparison.pk}/").status_code == 403
    assert own.get(f"/patients/{clinic_a.patient.pk}/compare/").status_code == 403
    own.force_login(clinic_a.provider)
    assert own.get(f"/comparisons/{clinic_a.comparison.pk}/overlay.png").status_code == 200
