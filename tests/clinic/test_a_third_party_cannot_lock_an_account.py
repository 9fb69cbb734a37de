"""Five (or fifty) wrong passwords typed by someone else for a user name do not keep its owner out: the right
password and TOTP code pass the soft lock, and so does the right password from a browser the owner logged in
from before. Guessing stays slowed: without the code the password step never tells whether the password was
right, and from a new browser without TOTP each attempt waits."""

from __future__ import annotations

import pyotp
from django.test import Client

from facebalance.clinic.models import AuditEvent, LoginFailure, Membership
from tests.clinic.clinic_records import ClinicRecords

PROVIDER = {"username": "harbour.provider", "password": "harbour-long-password-provider"}
WRONG = {"username": "harbour.provider", "password": "wrong-password"}


def _attack(times: int = 8) -> Client:
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(times):
        attacker.post("/login/", WRONG)
    return attacker


def _with_totp(clinic_a: ClinicRecords) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    Membership.objects.filter(user=clinic_a.provider).update(totp_secret=secret)
    return pyotp.TOTP(secret)


def test_password_and_code_pass_the_soft_lock(clinic_a: ClinicRecords) -> None:
    totp = _with_totp(clinic_a)
    _attack()
    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert owner.post("/login/", PROVIDER)["Location"] == "/login/totp/"
    response = owner.post("/login/totp/", {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == "/patients/"
    assert owner.get("/patients/").status_code == 200


def test_a_soft_locked_password_step_does_not_tell_right_from_wrong(clinic_a: ClinicRecords) -> None:
    totp = _with_totp(clinic_a)
    attacker = _attack()
    # Past the limit the password step answers alike for a wrong and a right password ...
    wrong = attacker.post("/login/", WRONG)
    assert wrong.status_code == 302 and wrong["Location"] == "/login/totp/"
    # ... and after a wrong one even the right code is refused, without saying which part was wrong.
    refused = attacker.post("/login/totp/", {"code": totp.now()})
    assert refused.status_code == 401 and b"password or code is wrong" in refused.content
    assert "_auth_user_id" not in attacker.session
    # The guesses were still counted.
    assert LoginFailure.objects.filter(username="harbour.provider", kind="password").count() == 9


def test_wrong_codes_after_a_right_password_are_slowed(clinic_a: ClinicRecords) -> None:
    _with_totp(clinic_a)
    client = Client()
    client.post("/login/", PROVIDER)
    for _ in range(5):
        assert client.post("/login/totp/", {"code": "000000"}).status_code == 401
    response = client.post("/login/totp/", {"code": "000000"})
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert AuditEvent.objects.filter(action="login_throttled", detail__scope="second_factor").count() == 1


def test_the_right_password_from_a_known_browser_passes(clinic_a: ClinicRecords) -> None:
    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert owner.post("/login/", PROVIDER).status_code == 302
    assert "fb_device" in owner.cookies and owner.cookies["fb_device"]["path"] == "/login/"
    owner.post("/logout/")
    _attack(50)
    assert owner.post("/login/", PROVIDER).status_code == 302


def test_a_known_browser_that_keeps_guessing_loses_its_pass(clinic_a: ClinicRecords) -> None:
    owner = Client()
    owner.post("/login/", PROVIDER)
    owner.post("/logout/")
    _attack()
    for _ in range(5):
        assert owner.post("/login/", WRONG).status_code == 401
    assert owner.post("/login/", PROVIDER).status_code == 429


def test_a_device_cookie_of_another_user_does_not_help(clinic_a: ClinicRecords) -> None:
    browser = Client()
    browser.post("/login/", {"username": "harbour.front_desk", "password": "harbour-long-password-front_desk"})
    browser.post("/logout/")
    _attack()
    assert browser.post("/login/", PROVIDER).status_code == 429


def test_a_new_browser_without_totp_waits(clinic_a: ClinicRecords) -> None:
    _attack()
    response = Client(REMOTE_ADDR="198.51.100.20").post("/login/", PROVIDER)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
