"""Server-side sessions: 30 minutes idle ends them (whatever the browser keeps), and so does logging out."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.clinic.clinic_records import ClinicRecords


def login(client: Client) -> None:
    response = client.post("/login/", {"username": "harbour.provider", "password": "harbour-long-password-provider"})
    assert response.status_code == 302


def test_the_idle_limit_is_thirty_minutes_in_the_database() -> None:
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_ENGINE == "facebalance.clinic.sessions"


def test_the_expiry_is_written_at_most_once_a_minute(clinic_a: ClinicRecords) -> None:
    client = Client()
    login(client)
    assert client.get("/patients/").status_code == 200
    pushed = Session.objects.get().expire_date
    # Within the minute: no write (the expiry stays where it was) ...
    Session.objects.update(expire_date=pushed - timedelta(seconds=30))
    assert client.get("/patients/").status_code == 200
    assert Session.objects.get().expire_date == pushed - timedelta(seconds=30)
    # ... past it, the next request slides the expiry to the full idle limit again.
    Session.objects.update(expire_date=pushed - timedelta(seconds=61))
    assert client.get("/patients/").status_code == 200
    assert Session.objects.get().expire_date - timezone.now() > timedelta(seconds=1790)


def test_a_session_idle_past_the_limit_is_refused_by_the_server(clinic_a: ClinicRecords) -> None:
    client = Client()
    login(client)
    assert client.get("/patients/").status_code == 200
    # The browser still sends its cookie; the server's record says the session expired.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_each_request_pushes_the_expiry_forward(clinic_a: ClinicRecords) -> None:
    client = Client()
    login(client)
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=60))
    assert client.get("/patients/").status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timedelta(seconds=1700)


def test_logout_deletes_the_server_side_session(clinic_a: ClinicRecords) -> None:
    client = Client()
    login(client)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/patients/").status_code == 302


def test_logout_needs_a_post(clinic_a: ClinicRecords) -> None:
    client = Client()
    login(client)
    assert client.get("/logout/").status_code == 405
