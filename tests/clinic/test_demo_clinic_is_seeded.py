"""``facebalance_demo`` seeds the demo clinic, prints the provider's login, and shows the CC BY credit."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from facebalance.clinic.models import Patient, Photo
from tests.clinic.clinic_records import LONDON


@pytest.mark.django_db
def test_it_seeds_prints_a_login_that_works_and_credits_the_photos() -> None:
    out = io.StringIO()
    call_command("facebalance_demo", "--no-migrate", "--photos", str(LONDON), stdout=out)
    text = out.getvalue()
    match = re.search(r"provider\s+user: (\S+)\s+password: (\S+)", text)
    assert match, text
    patient = Patient.objects.get()
    assert {p.view_id for p in Photo.objects.filter(session__patient=patient)} == {"frontal_rest", "frontal_smile"}
    client = Client()
    assert client.post("/login/", {"username": match.group(1), "password": match.group(2)}).status_code == 302
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "CC BY 4.0" in page and "DeBruine" in page
    # A second run keeps the records and issues a new password.
    call_command("facebalance_demo", "--no-migrate", "--photos", str(LONDON), stdout=io.StringIO())
    assert Patient.objects.count() == 1
    assert client.post("/login/", {"username": match.group(1), "password": match.group(2)}).status_code == 401
