"""Failed logins are counted per user name (and per address); past the limit even the right password is refused."""

from __future__ import annotations

from django.test import Client

from facebalance.clinic.models import AuditEvent
from tests.clinic.clinic_records import ClinicRecords


def test_it_locks_a_user_name_after_five_failures(clinic_a: ClinicRecords) -> None:
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "harbour.provider", "password": "wrong-password"})
        assert response.status_code == 401
    response = client.post("/login/", {"username": "harbour.provider", "password": "harbour-long-password-provider"})
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed").count() == 5
    assert AuditEvent.objects.filter(action="login_throttled").count() == 1


def test_a_correct_login_clears_earlier_failures(clinic_a: ClinicRecords) -> None:
    client = Client()
    for _ in range(3):
        client.post("/login/", {"username": "harbour.provider", "password": "wrong-password"})
    response = client.post("/login/", {"username": "harbour.provider", "password": "harbour-long-password-provider"})
    assert response.status_code == 302 and response["Location"] == "/patients/"
    for _ in range(4):
        client.post("/login/", {"username": "harbour.provider", "password": "wrong-password"})
    ok = Client().post("/login/", {"username": "harbour.provider", "password": "harbour-long-password-provider"})
    assert ok.status_code == 302


def test_failed_logins_from_one_address_are_throttled_across_names(clinic_a: ClinicRecords) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    for i in range(20):
        client.post("/login/", {"username": f"guess{i}", "password": "wrong-password"})
    response = client.post("/login/", {"username": "harbour.provider", "password": "harbour-long-password-provider"})
    assert response.status_code == 429


def test_passwords_are_hashed_with_argon2(clinic_a: ClinicRecords) -> None:
    assert clinic_a.provider.password.startswith("argon2$")


def test_the_login_page_is_the_only_page_open_to_anyone(db: object) -> None:
    assert Client().get("/login/").status_code == 200
    assert Client().get("/patients/").status_code == 302
