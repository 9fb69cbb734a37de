"""Every role may turn the TOTP second factor on; the clinic admin requires it per role on the settings page
(clinic admins by default), and a member of a required role who has not set it up is led to the account page
at login and reaches no other page (nor the API with the session) until it is set up."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from facebalance.clinic.models import AuditEvent, Clinic, Membership, Role
from tests.clinic.clinic_records import ADMIN_TOTP_SECRET, ClinicRecords

PAGES = ["/patients/", "/settings/", "/audit/", "/records/recalls/", "/"]


def _set_up_totp(client: Client) -> str:
    client.get("/account/")
    secret = client.session["facebalance_new_totp"]
    assert client.post("/account/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    return secret


def test_clinics_require_it_of_their_admins_by_default(db: object) -> None:
    assert Clinic.objects.create(name="New Clinic").totp_required_roles == [Role.CLINIC_ADMIN]


@pytest.mark.parametrize("role", ["provider", "front_desk", "admin"])
def test_every_role_can_turn_it_on(clinic_a: ClinicRecords, role: str) -> None:
    user = getattr(clinic_a, role)
    Membership.objects.filter(user=user).update(totp_secret="")
    client = Client()
    client.force_login(user)
    secret = _set_up_totp(client)
    assert Membership.objects.get(user=user).totp_secret == secret
    assert AuditEvent.objects.filter(action="change", detail={"totp": "on"}, actor_id=user.pk).count() == 1


def test_an_admin_without_it_is_led_to_set_it_up_first(clinic_a: ClinicRecords) -> None:
    Membership.objects.filter(user=clinic_a.admin).update(totp_secret="")
    client = Client()
    response = client.post(
        "/login/", {"username": "harbour.clinic_admin", "password": "harbour-long-password-clinic_admin"}
    )
    assert response.status_code == 302 and response["Location"] == "/account/"
    account = client.get("/account/")
    assert account.status_code == 200 and b'id="totp-setup-needed"' in account.content
    for page in PAGES:
        answer = client.get(page)
        assert answer.status_code == 302 and answer["Location"] == "/account/", page
    assert client.get("/api/me").status_code == 403
    # It cannot be skipped by turning it "off".
    assert client.post("/account/", {"action": "disable"}).status_code == 422
    _set_up_totp(client)
    assert client.get("/settings/").status_code == 200
    assert client.get("/api/me").status_code == 200


def test_the_admin_requires_it_for_front_desk_too(clinic_a: ClinicRecords) -> None:
    desk = Client()
    desk.force_login(clinic_a.front_desk)
    assert desk.get("/patients/").status_code == 200
    admin = Client()
    admin.force_login(clinic_a.admin)
    page = admin.get("/settings/").content.decode()
    assert 'id="second-factor"' in page
    response = admin.post("/settings/second-factor/", {"roles": ["clinic_admin", "front_desk"]})
    assert response.status_code == 302
    assert Clinic.objects.get(pk=clinic_a.clinic.pk).totp_required_roles == ["clinic_admin", "front_desk"]
    assert AuditEvent.objects.get(action="change", object_type="clinic").detail == {
        "totp_required_roles": ["clinic_admin", "front_desk"]
    }
    # The front desk's open session is sent to set it up at its next page; the provider is not affected.
    assert desk.get("/patients/")["Location"] == "/account/"
    provider = Client()
    provider.force_login(clinic_a.provider)
    assert provider.get("/patients/").status_code == 200
    _set_up_totp(desk)
    assert desk.get("/patients/").status_code == 200
    assert desk.post("/account/", {"action": "disable"}).status_code == 422
    assert Membership.objects.get(user=clinic_a.front_desk).totp_secret


def test_only_the_admin_sets_the_policy(clinic_a: ClinicRecords) -> None:
    for user in (clinic_a.provider, clinic_a.front_desk):
        client = Client()
        client.force_login(user)
        assert client.post("/settings/second-factor/", {"roles": []}).status_code == 403
    assert Clinic.objects.get(pk=clinic_a.clinic.pk).totp_required_roles == ["clinic_admin"]


def test_a_lost_phone_is_reset_by_the_admin(clinic_a: ClinicRecords) -> None:
    Membership.objects.filter(user=clinic_a.provider).update(totp_secret=pyotp.random_base32())
    admin = Client()
    admin.force_login(clinic_a.admin)
    membership = Membership.objects.get(user=clinic_a.provider)
    assert admin.post(f"/settings/users/{membership.pk}/reset-totp/").status_code == 302
    assert Membership.objects.get(user=clinic_a.provider).totp_secret == ""
    assert AuditEvent.objects.filter(action="change", detail={"totp": "reset"}).count() == 1


def test_a_required_second_factor_is_asked_at_login(clinic_a: ClinicRecords) -> None:
    client = Client()
    response = client.post(
        "/login/", {"username": "harbour.clinic_admin", "password": "harbour-long-password-clinic_admin"}
    )
    assert response["Location"] == "/login/totp/"
    assert client.post("/login/totp/", {"code": pyotp.TOTP(ADMIN_TOTP_SECRET).now()})["Location"] == "/patients/"
    assert client.get("/audit/").status_code == 200
