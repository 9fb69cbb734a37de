"""X-Forwarded-For counts only when the connection comes from a trusted proxy; from anyone else it is ignored,
so a guesser cannot spread its failures over made-up addresses. From a trusted proxy, the right-most hop that
is not a trusted proxy is the client."""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any

import pytest
from django.test import Client

from facebalance.clinic.models import LoginFailure
from facebalance.clinic.throttle import forwarded_client
from tests.clinic.clinic_records import ClinicRecords

PROXIES = (ipaddress.ip_network("10.0.0.0/29"), ipaddress.ip_network("2001:db8:ffff::/48"))


@pytest.mark.parametrize("configured", [False, True], ids=["no-proxy-configured", "peer-not-a-proxy"])
def test_a_forged_header_does_not_spread_the_failures(clinic_a: ClinicRecords, settings: Any, configured: bool) -> None:
    if configured:
        settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, trusted_proxies=PROXIES)
    answers = []
    for i in range(22):
        client = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        answers.append(client.post("/login/", {"username": f"guess{i}", "password": "wrong-password"}).status_code)
    assert answers[:20] == [401] * 20 and set(answers[20:]) == {429}
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"192.0.2.50"}


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("10.0.0.2", "198.51.100.9", "198.51.100.9"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.9", "198.51.100.9"),  # the left-most entry is the client's own claim
        ("10.0.0.2", "198.51.100.9, 10.0.0.3", "198.51.100.9"),  # two proxies in a row
        ("10.0.0.2", "198.51.100.9:5123", "198.51.100.9"),
        ("10.0.0.2", "", "10.0.0.2"),  # no header: the proxy itself
        ("10.0.0.2", "not-an-address, 10.0.0.3", "10.0.0.3"),  # a malformed hop: stop at the nearest proxy
        ("10.0.0.9", "198.51.100.9", "10.0.0.9"),  # outside the /29: not a proxy
        ("::ffff:10.0.0.2", "198.51.100.9", "198.51.100.9"),  # IPv4-mapped peer
        ("2001:db8:ffff::1", "[2001:db8:1::7]:443", "2001:db8:1::7"),
        ("192.0.2.1", "198.51.100.9", "192.0.2.1"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(peer: str, header: str, client: str) -> None:
    assert forwarded_client(peer, header, PROXIES) == client


def test_with_no_proxies_the_header_is_never_read() -> None:
    assert forwarded_client("10.0.0.2", "198.51.100.9", ()) == "10.0.0.2"
