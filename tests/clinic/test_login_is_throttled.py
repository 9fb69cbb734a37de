"""Failed logins slow further guesses, per user name and per client address: past the limit each attempt must
wait (1 s, doubling), answered 429 with Retry-After and without checking the password."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.test import Client

from facebalance.clinic.models import AuditEvent, LoginFailure
from tests.clinic.clinic_records import ClinicRecords

RIGHT = {"username": "harbour.provider", "password": "harbour-long-password-provider"}
WRONG = {"username": "harbour.provider", "password": "wrong-password"}


def _age_failures(seconds: float) -> None:
    LoginFailure.objects.update(at=F("at") - timedelta(seconds=seconds))


def test_guesses_at_one_user_name_are_slowed(clinic_a: ClinicRecords) -> None:
    client = Client()
    for _ in range(5):
        assert client.post("/login/", WRONG).status_code == 401
    # Even the right password is not checked while the wait lasts (a browser that never logged in, no TOTP).
    response = client.post("/login/", RIGHT)
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert b"Too many failed logins for this user name" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed").count() == 5
    throttled = AuditEvent.objects.get(action="login_throttled")
    assert throttled.detail == {"scope": "account", "retry_after_s": 1}
    # Each further failure doubles the wait.
    waits = []
    for _ in range(4):
        _age_failures(20)  # past the wait, still inside the 15-minute window
        assert client.post("/login/", WRONG).status_code == 401
        waits.append(int(client.post("/login/", WRONG)["Retry-After"]))
    assert waits == [2, 4, 8, 16]


def test_the_wait_is_capped_and_the_right_password_then_passes(clinic_a: ClinicRecords) -> None:
    client = Client()
    for _ in range(15):
        LoginFailure.objects.create(username="harbour.provider", address="192.0.2.1")
        _age_failures(30)
    _age_failures(-30)  # the last failure is recent again; 15 failures would mean 1024 s uncapped
    assert client.post("/login/", RIGHT)["Retry-After"] == "300"
    _age_failures(301)
    assert client.post("/login/", RIGHT).status_code == 302


def test_a_correct_login_clears_earlier_failures(clinic_a: ClinicRecords) -> None:
    client = Client()
    for _ in range(3):
        client.post("/login/", WRONG)
    response = client.post("/login/", RIGHT)
    assert response.status_code == 302 and response["Location"] == "/patients/"
    for _ in range(4):
        client.post("/login/", WRONG)
    ok = Client().post("/login/", RIGHT)
    assert ok.status_code == 302


def test_failed_logins_from_one_address_are_slowed_across_names(clinic_a: ClinicRecords) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    for i in range(20):
        assert client.post("/login/", {"username": f"guess{i}", "password": "wrong-password"}).status_code == 401
    response = client.post("/login/", RIGHT)
    assert response.status_code == 429 and b"from this network address" in response.content
    # Another address is not held up.
    assert Client(REMOTE_ADDR="10.9.9.10").post("/login/", RIGHT).status_code == 302


def test_passwords_are_hashed_with_argon2(clinic_a: ClinicRecords) -> None:
    assert clinic_a.provider.password.startswith("argon2$")


def test_the_login_page_is_the_only_page_open_to_anyone(db: object) -> None:
    assert Client().get("/login/").status_code == 200
    assert Client().get("/patients/").status_code == 302
