"""Behind the trusted reverse proxy every request comes from the proxy's address: the client is taken from
X-Forwarded-For, so a guesser trying many user names is slowed at its own address while everyone else
behind the same proxy logs in; and the guesser is slowed, not blocked."""

from __future__ import annotations

import dataclasses
import ipaddress
import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from facebalance.clinic.models import LoginFailure
from tests.clinic.clinic_records import ClinicRecords

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
NURSE = "198.51.100.20"


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.FACEBALANCE = dataclasses.replace(
        settings.FACEBALANCE, trusted_proxies=(ipaddress.ip_network("10.0.0.0/29"),)
    )


def _via_proxy(client_address: str) -> Client:
    # What nginx sends: the client's own claim (if any) on the left, the address it saw appended on the right.
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"127.0.0.1, {client_address}")


def test_random_user_names_from_one_client_do_not_stop_another(clinic_a: ClinicRecords, behind_proxy: None) -> None:
    attacker = _via_proxy(ATTACKER)
    answers = [
        attacker.post("/login/", {"username": secrets.token_hex(6), "password": "wrong-password"}).status_code
        for _ in range(25)
    ]
    assert answers[:20] == [401] * 20 and set(answers[20:]) == {429}
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {ATTACKER}
    response = _via_proxy(NURSE).post(
        "/login/", {"username": "harbour.front_desk", "password": "harbour-long-password-front_desk"}
    )
    assert response.status_code == 302 and response["Location"] == "/patients/"


def test_the_guesser_is_slowed_not_blocked(clinic_a: ClinicRecords, behind_proxy: None) -> None:
    attacker = _via_proxy(ATTACKER)
    for _ in range(21):
        attacker.post("/login/", {"username": secrets.token_hex(6), "password": "wrong-password"})
    first_wait = int(attacker.post("/login/", {"username": "x", "password": "y"})["Retry-After"])
    assert 1 <= first_wait <= 2
    LoginFailure.objects.update(at=F("at") - timedelta(seconds=first_wait))
    # After the wait one more guess is checked (and fails), and the next wait is longer.
    assert attacker.post("/login/", {"username": "x", "password": "y"}).status_code == 401
    assert int(attacker.post("/login/", {"username": "x", "password": "y"})["Retry-After"]) > first_wait
