"""Log in (with throttling and the optional TOTP second factor) and log out."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from facebalance.clinic import audit
from facebalance.clinic.access import clinic_view, membership_of, public_view
from facebalance.clinic.forms import LoginForm, TotpForm
from facebalance.clinic.models import LoginFailure, Role

_PENDING = "facebalance_pending_user"
_PENDING_MAX_AGE_S = 300


def client_address(request: HttpRequest) -> str:
    # Only the socket address: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def throttled(username: str, address: str) -> bool:
    """Too many recent failures for this user name, or from this address."""
    cfg = settings.FACEBALANCE
    since = timezone.now() - timedelta(seconds=cfg.login_lockout_s)
    LoginFailure.objects.filter(at__lt=since).delete()
    recent = LoginFailure.objects.filter(at__gte=since)
    return (
        recent.filter(username__iexact=username).count() >= cfg.login_max_failures
        or recent.filter(address=address).count() >= cfg.login_max_failures * 4
    )


@public_view
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = client_address(request)
        with transaction.atomic():
            if throttled(username, address):
                audit.record("login_throttled", user=None, clinic_id=None, actor_name=username)
                error = "Too many failed attempts. Wait a few minutes and try again."
                status = 429
            else:
                user = authenticate(request, username=username, password=form.cleaned_data["password"])
                membership = membership_of(user) if user is not None else None
                if user is None or (membership is None and not user.is_superuser):
                    LoginFailure.objects.create(username=username, address=address)
                    audit.record("login_failed", user=None, clinic_id=None, actor_name=username)
                    error = "The user name or password is wrong."
                    status = 401
                elif membership is not None and membership.totp_secret:
                    request.session.cycle_key()
                    request.session[_PENDING] = [user.pk, timezone.now().timestamp()]
                    return redirect("clinic:login_totp")
                else:
                    LoginFailure.objects.filter(username__iexact=username).delete()
                    login(request, user)
                    audit.record("login", user=user, clinic_id=membership.clinic_id if membership else None)
                    return redirect(request.GET.get("next") if _safe_next(request) else "clinic:patients")
    return render(request, "clinic/login.html", {"form": form, "error": error}, status=status)


def _safe_next(request: HttpRequest) -> bool:
    nxt = request.GET.get("next", "")
    return nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt


@public_view
@require_http_methods(["GET", "POST"])
def login_totp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(_PENDING)
    if not pending or timezone.now().timestamp() - pending[1] > _PENDING_MAX_AGE_S:
        request.session.pop(_PENDING, None)
        return redirect("clinic:login")
    user = get_user_model().objects.filter(pk=pending[0], is_active=True).first()
    membership = membership_of(user)
    if user is None or membership is None:
        return redirect("clinic:login")
    form = TotpForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        with transaction.atomic():
            if throttled(user.get_username(), address):
                error, status = "Too many failed attempts. Wait a few minutes and try again.", 429
            elif pyotp.TOTP(membership.totp_secret).verify(form.cleaned_data["code"], valid_window=1):
                del request.session[_PENDING]
                user.backend = "django.contrib.auth.backends.ModelBackend"  # type: ignore[attr-defined]
                login(request, user)
                audit.record("login", user=user, clinic_id=membership.clinic_id, detail={"second_factor": "totp"})
                return redirect("clinic:patients")
            else:
                LoginFailure.objects.create(username=user.get_username(), address=address)
                audit.record(
                    "login_failed",
                    user=None,
                    clinic_id=None,
                    actor_name=user.get_username(),
                    detail={"second_factor": "totp"},
                )
                error, status = "The code is wrong or has expired.", 401
    return render(request, "clinic/login_totp.html", {"form": form, "error": error}, status=status)


@clinic_view("account.self")
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    audit.record("logout", user=request.user, clinic_id=request.membership.clinic_id)  # type: ignore[attr-defined]
    logout(request)  # flushes the server-side session
    return redirect("clinic:login")


@clinic_view("account.self")
@require_http_methods(["GET", "POST"])
def account_view(request: HttpRequest) -> HttpResponse:
    """A provider turns the TOTP second factor on (a new secret, confirmed by one code) or off."""
    membership = request.membership  # type: ignore[attr-defined]
    can_totp = membership.role == Role.PROVIDER
    secret = request.session.get("facebalance_new_totp") or pyotp.random_base32()
    error = ""
    if request.method == "POST" and can_totp:
        if request.POST.get("action") == "disable":
            membership.totp_secret = ""
            membership.save(update_fields=["totp_secret"])
            audit.record(
                "change", user=request.user, clinic_id=membership.clinic_id, obj=membership, detail={"totp": "off"}
            )
            return redirect("clinic:account")
        form = TotpForm(request.POST)
        if form.is_valid() and pyotp.TOTP(secret).verify(form.cleaned_data["code"], valid_window=1):
            membership.totp_secret = secret
            membership.save(update_fields=["totp_secret"])
            request.session.pop("facebalance_new_totp", None)
            audit.record(
                "change", user=request.user, clinic_id=membership.clinic_id, obj=membership, detail={"totp": "on"}
            )
            return redirect("clinic:account")
        error = "The code does not match; check the authenticator app's clock."
    request.session["facebalance_new_totp"] = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=request.user.get_username(), issuer_name="facebalance")
    return render(
        request,
        "clinic/account.html",
        {"can_totp": can_totp, "totp_on": bool(membership.totp_secret), "secret": secret, "uri": uri, "error": error},
    )
