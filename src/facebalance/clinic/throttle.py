"""Login protection that slows an attacker without locking the clinic, or a person, out.

**Who is asking.** :func:`client_address` is the socket's peer address, unless that peer is one of
``FACEBALANCE_TRUSTED_PROXIES``: then ``X-Forwarded-For`` is read from the right (the hop each proxy
appended) and the first address that is not a trusted proxy is the client. A header from any other peer is
ignored, so nobody picks their own address.

**Slowing, not blocking.** Failed logins are kept for the window (``FACEBALANCE_LOGIN_LOCKOUT_S``). Past the
limit (``FACEBALANCE_LOGIN_MAX_FAILURES`` per user name, four times that per client address) each further
attempt must wait: 1 s after the first failure over the limit, doubling with each one up to
``FACEBALANCE_LOGIN_MAX_DELAY_S``. An attempt made before its wait is over is answered 429 with
``Retry-After`` and its password is not even checked. The wait is counted from the last failure, so
another client at another address is never held up by an attacker's address.

**An account no third party can lock.** Failures on one user name from anywhere make a *soft lock* that
three kinds of attempt pass, each with the right password:

* from a browser that logged in as that user before (the signed ``fb_device`` cookie, valid for that user
  name only, and only while fewer than the limit of failures were made with it);
* for an account with TOTP: the right password and the right code. While the account is soft-locked the
  password step always goes on to the code step, so a wrong password is only ever reported together
  with the code, and guessing the password alone learns nothing;
* anyone else waits as above (only a user without TOTP, on a browser it never logged in from, can be
  slowed by someone else's guesses).

Code-step failures (after a right password) are counted apart, per user name, and slowed the same way.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from facebalance.clinic.models import LoginFailure

DEVICE_COOKIE = "fb_device"
_DEVICE_SALT = "facebalance.clinic.throttle.device"
DEVICE_MAX_AGE_S = 180 * 86_400
#: Per client address, this many times the per-user-name limit.
ADDRESS_FACTOR = 4

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_PORT = re.compile(r"^\[(?P<v6>[0-9a-fA-F:.]+)\](:\d+)?$|^(?P<v4>\d{1,3}(\.\d{1,3}){3}):\d+$")


def parse_address(text: str) -> Address | None:
    """An IP address from a header or socket field (a port, brackets or an IPv4-mapped form allowed).

    >>> parse_address("203.0.113.7:5123"), parse_address("[2001:db8::1]:443"), parse_address("::ffff:10.0.0.1")
    (IPv4Address('203.0.113.7'), IPv6Address('2001:db8::1'), IPv4Address('10.0.0.1'))
    >>> parse_address("unknown") is None
    True
    """
    text = text.strip()
    match = _PORT.match(text)
    if match:
        text = match.group("v6") or match.group("v4")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[Any, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def forwarded_client(peer: str, forwarded_for: str, proxies: tuple[Any, ...]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the right-most hop of
    ``X-Forwarded-For`` that is not a trusted proxy.

    >>> import ipaddress
    >>> proxy = (ipaddress.ip_network("10.0.0.0/24"),)
    >>> forwarded_client("10.0.0.2", "1.2.3.4, 198.51.100.9, 10.0.0.5", proxy)  # 1.2.3.4 is the client's claim
    '198.51.100.9'
    >>> forwarded_client("192.0.2.1", "198.51.100.9", proxy)  # not from a proxy: the header is ignored
    '192.0.2.1'
    """
    address = parse_address(peer)
    if address is None:
        return peer[:64]
    if not proxies or not _trusted(address, proxies):
        return str(address)
    nearest = address
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        parsed = parse_address(hop)
        if parsed is None:
            break  # a malformed hop: nothing to its left can be trusted either
        if not _trusted(parsed, proxies):
            return str(parsed)
        nearest = parsed
    return str(nearest)


def client_address(request: HttpRequest) -> str:
    """The address failed logins are counted against (see the module text)."""
    return forwarded_client(
        str(request.META.get("REMOTE_ADDR", "")),
        str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
        settings.FACEBALANCE.trusted_proxies,
    )


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may be checked now; when not, how long to wait and which limit holds it."""

    allowed: bool
    retry_after_s: int = 0
    scope: str = ""  # "address" | "account" | "second_factor"
    #: A soft-locked account with TOTP: the password's result is only told together with the code's.
    hide_password_result: bool = False

    def message(self) -> str:
        wait = f"Try again in {self.retry_after_s} s"
        if self.scope == "address":
            return f"Too many failed logins from this network address. {wait}."
        if self.scope == "second_factor":
            return f"Too many wrong codes for this account. {wait}."
        return (
            f"Too many failed logins for this user name. {wait}, or log in from a browser you have used "
            "before for this account."
        )


def delay_s(failures: int, limit: int) -> int:
    """The wait after ``failures`` failures against a limit: none below it, then 1 s doubling to the cap.

    >>> [delay_s(n, 5) for n in (4, 5, 6, 7, 12)], delay_s(40, 5) == 300
    ([0, 1, 2, 4, 128], True)
    """
    if failures < limit:
        return 0
    return int(min(settings.FACEBALANCE.login_max_delay_s, 2 ** min(failures - limit, 30)))


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.FACEBALANCE.login_lockout_s)


def _wait(rows: QuerySet[LoginFailure], limit: int) -> int:
    """Seconds still to wait given the failures ``rows`` (0 = may try now)."""
    stats = rows.aggregate(n=Count("id"), last=Max("at"))
    delay = delay_s(stats["n"], limit)
    if not delay or stats["last"] is None:
        return 0
    remaining = (stats["last"] + timedelta(seconds=delay) - timezone.now()).total_seconds()
    return max(0, int(remaining + 0.999))


def serialise(username: str) -> None:
    """Take the user name's lock for the rest of the transaction, so parallel guesses queue for their turn
    (SQLite already serialises writers: every transaction begins IMMEDIATE)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"fb-login:" + username.lower().encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def password_verdict(username: str, address: str, *, device: str, has_totp: bool) -> Verdict:
    """May a password for ``username`` from ``address`` be checked now? ``device`` is the id of a device cookie
    issued to this user name ("" when none); it passes both limits while it has fewer failures than the limit."""
    limit = settings.FACEBALANCE.login_max_failures
    since = _window_start()
    LoginFailure.objects.filter(at__lt=since).delete()
    recent = LoginFailure.objects.filter(at__gte=since, kind=LoginFailure.PASSWORD)
    if device and recent.filter(device=device).count() < limit:
        return Verdict(True)
    wait = _wait(recent.filter(address=address), limit * ADDRESS_FACTOR)
    if wait:
        return Verdict(False, wait, "address")
    account = recent.filter(username__iexact=username)
    if account.count() >= limit and has_totp:
        return Verdict(True, hide_password_result=True)
    wait = _wait(account, limit)
    if wait:
        return Verdict(False, wait, "account")
    return Verdict(True)


def second_factor_verdict(username: str) -> Verdict:
    """May a TOTP code for ``username`` be checked now (counted after a right password only)?"""
    recent = LoginFailure.objects.filter(
        at__gte=_window_start(), kind=LoginFailure.SECOND_FACTOR, username__iexact=username
    )
    wait = _wait(recent, settings.FACEBALANCE.login_max_failures)
    return Verdict(False, wait, "second_factor") if wait else Verdict(True)


def record_failure(username: str, address: str, kind: str, device: str = "") -> None:
    LoginFailure.objects.create(username=username[:150], address=address[:64], kind=kind, device=device)


def clear_failures(username: str, address: str, device: str) -> None:
    """After a login: the user name's failures from this address or this browser, and its code failures.
    Failures from elsewhere stay: a guesser at another address keeps waiting."""
    mine = Q(address=address, kind=LoginFailure.PASSWORD) | Q(kind=LoginFailure.SECOND_FACTOR)
    if device:
        mine |= Q(device=device)
    LoginFailure.objects.filter(username__iexact=username).filter(mine).delete()


def too_many(verdict: Verdict, response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(verdict.retry_after_s)
    return response


# --- the device cookie ---------------------------------------------------------------------------------


def device_for(request: HttpRequest, username: str) -> str:
    """The id of this browser's device cookie when it was issued for ``username``, else ""."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value:
        return ""
    try:
        data = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_MAX_AGE_S)
        user_id, device = int(data["u"]), str(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return ""
    if not re.fullmatch(r"[0-9a-f]{32}", device):
        return ""
    user = get_user_model().objects.filter(pk=user_id).only("username").first()
    if user is None or user.get_username().lower() != username.lower():
        return ""
    return device


def set_device_cookie(response: HttpResponse, user: Any, device: str) -> None:
    """Mark this browser as one the user logged in from (kept for the login pages only)."""
    value = signing.dumps({"u": user.pk, "d": device or secrets.token_hex(16)}, salt=_DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_MAX_AGE_S,
        path="/login/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
