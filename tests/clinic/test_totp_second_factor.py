"""A provider who turned the TOTP second factor on needs the authenticator code after the password."""

from __future__ import annotations

import pyotp
from django.test import Client

from facebalance.clinic.models import Membership
from tests.clinic.clinic_records import ClinicRecords


def test_the_password_alone_is_not_enough(clinic_a: ClinicRecords) -> None:
    secret = pyotp.random_base32()
    Membership.objects.filter(user=clinic_a.provider).update(totp_secret=secret)
    client = Client()
    response = client.post("/login/", {"username": "harbour.provider", "password": "harbour-long-password-provider"})
    assert response["Location"] == "/login/totp/"
    assert client.get("/patients/").status_code == 302
    assert client.post("/login/totp/", {"code": "000000"}).status_code == 401
    assert client.post("/login/totp/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/patients/").status_code == 200


def test_a_provider_turns_it_on_with_a_code(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    client.get("/account/")
    secret = client.session["facebalance_new_totp"]
    client.post("/account/", {"code": pyotp.TOTP(secret).now()})
    assert Membership.objects.get(user=clinic_a.provider).totp_secret == secret
