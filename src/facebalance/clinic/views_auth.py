"""Log in (slowed by :mod:`facebalance.clinic.throttle`, with the TOTP second factor) and log out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pyotp
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from facebalance.clinic import audit, throttle
from facebalance.clinic.access import clinic_view, membership_of, public_view, totp_setup_needed
from facebalance.clinic.forms import LoginForm, TotpForm
from facebalance.clinic.models import LoginFailure, Membership

_PENDING = "facebalance_pending_user"
_PENDING_MAX_AGE_S = 300


def _refused(request: HttpRequest, verdict: throttle.Verdict, username: str, template: str, form: Any) -> HttpResponse:
    audit.record(
        "login_throttled",
        user=None,
        clinic_id=None,
        actor_name=username,
        detail={"scope": verdict.scope, "retry_after_s": verdict.retry_after_s},
    )
    response = render(request, template, {"form": form, "error": verdict.message()}, status=429)
    return throttle.too_many(verdict, response)


def _totp_membership(username: str) -> Membership | None:
    """The membership of an active user with TOTP on, by user name (before the password is checked)."""
    return (
        Membership.objects.filter(user__username__iexact=username, user__is_active=True)
        .exclude(totp_secret="")
        .select_related("user")
        .first()
    )


def _complete_login(
    request: HttpRequest, user: Any, membership: Membership | None, address: str, device: str, **detail: Any
) -> HttpResponse:
    throttle.clear_failures(user.get_username(), address, device)
    login(request, user)
    audit.record("login", user=user, clinic_id=membership.clinic_id if membership else None, detail=detail or None)
    if totp_setup_needed(membership):
        target = "clinic:account"  # the clinic requires TOTP of this role: set it up before any page
    else:
        target = request.GET.get("next") if _safe_next(request) else "clinic:patients"
    response = redirect(target)
    throttle.set_device_cookie(response, user, device)
    return response


@public_view
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = throttle.client_address(request)
        device = throttle.device_for(request, username)
        with transaction.atomic():
            throttle.serialise(username)
            totp_member = _totp_membership(username)
            verdict = throttle.password_verdict(username, address, device=device, has_totp=totp_member is not None)
            if not verdict.allowed:
                return _refused(request, verdict, username, "clinic/login.html", form)
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            membership = membership_of(user) if user is not None else None
            if user is None or (membership is None and not user.is_superuser):
                throttle.record_failure(username, address, LoginFailure.PASSWORD, device)
                audit.record("login_failed", user=None, clinic_id=None, actor_name=username)
                if verdict.hide_password_result and totp_member is not None:
                    # Soft-locked account with TOTP: the code step answers for both, so that guessing the
                    # password alone tells nothing.
                    return _pend(request, totp_member.user, password_ok=False)
                error = "The user name or password is wrong."
                status = 401
            elif membership is not None and membership.totp_secret:
                return _pend(request, user, password_ok=True)
            else:
                return _complete_login(request, user, membership, address, device)
    return render(request, "clinic/login.html", {"form": form, "error": error}, status=status)


def _pend(request: HttpRequest, user: Any, *, password_ok: bool) -> HttpResponse:
    request.session.cycle_key()
    request.session[_PENDING] = [user.pk, timezone.now().timestamp(), password_ok]
    nxt = request.GET.get("next", "")
    if nxt and _safe_next(request):
        return redirect(f"{reverse('clinic:login_totp')}?{urlencode({'next': nxt})}")
    return redirect("clinic:login_totp")


def _safe_next(request: HttpRequest) -> bool:
    nxt = request.GET.get("next", "")
    return nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt


@public_view
@require_http_methods(["GET", "POST"])
def login_totp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(_PENDING)
    if not pending or len(pending) != 3 or timezone.now().timestamp() - pending[1] > _PENDING_MAX_AGE_S:
        request.session.pop(_PENDING, None)
        return redirect("clinic:login")
    user = get_user_model().objects.filter(pk=pending[0], is_active=True).first()
    membership = membership_of(user)
    if user is None or membership is None or not membership.totp_secret:
        request.session.pop(_PENDING, None)
        return redirect("clinic:login")
    form = TotpForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        address = throttle.client_address(request)
        device = throttle.device_for(request, username)
        with transaction.atomic():
            throttle.serialise(username)
            verdict = throttle.second_factor_verdict(username)
            if not verdict.allowed:
                return _refused(request, verdict, username, "clinic/login_totp.html", form)
            if not pending[2]:
                # The password was wrong (already counted): refused without looking at the code.
                del request.session[_PENDING]
                error, status = "The user name, password or code is wrong.", 401
                return render(request, "clinic/login.html", {"form": LoginForm(), "error": error}, status=status)
            if pyotp.TOTP(membership.totp_secret).verify(form.cleaned_data["code"], valid_window=1):
                del request.session[_PENDING]
                user.backend = "facebalance.clinic.access.ClinicBackend"  # type: ignore[attr-defined]
                return _complete_login(request, user, membership, address, device, second_factor="totp")
            throttle.record_failure(username, address, LoginFailure.SECOND_FACTOR, device)
            audit.record(
                "login_failed", user=None, clinic_id=None, actor_name=username, detail={"second_factor": "totp"}
            )
            error, status = "The code is wrong or has expired.", 401
    return render(request, "clinic/login_totp.html", {"form": form, "error": error}, status=status)


@clinic_view("account.self", before_totp_setup=True)
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    audit.record("logout", user=request.user, clinic_id=request.membership.clinic_id)  # type: ignore[attr-defined]
    logout(request)  # flushes the server-side session
    return redirect("clinic:login")


def _set_totp(request: HttpRequest, membership: Membership, secret: str) -> HttpResponse:
    """Turn the member's TOTP on (a confirmed secret) or off (""), audited."""
    with transaction.atomic():
        membership.totp_secret = secret
        membership.save(update_fields=["totp_secret"])
        audit.record(
            "change",
            user=request.user,
            clinic_id=membership.clinic_id,
            obj=membership,
            detail={"totp": "on" if secret else "off"},
        )
    return redirect("clinic:account")


@clinic_view("account.self", before_totp_setup=True)
@require_http_methods(["GET", "POST"])
def account_view(request: HttpRequest) -> HttpResponse:
    """Any member turns the TOTP second factor on (a new secret, confirmed by one code), or off unless the
    clinic requires it of the member's role."""
    membership = request.membership  # type: ignore[attr-defined]
    required = membership.role in (membership.clinic.totp_required_roles or [])
    secret = request.session.get("facebalance_new_totp") or pyotp.random_base32()
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "disable":
            if required:
                error = "Your clinic requires the second factor for your role: it cannot be turned off."
            else:
                return _set_totp(request, membership, "")
        else:
            form = TotpForm(request.POST)
            if form.is_valid() and pyotp.TOTP(secret).verify(form.cleaned_data["code"], valid_window=1):
                request.session.pop("facebalance_new_totp", None)
                return _set_totp(request, membership, secret)
            error = "The code does not match; check the authenticator app's clock."
    request.session["facebalance_new_totp"] = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=request.user.get_username(), issuer_name="facebalance")
    return render(
        request,
        "clinic/account.html",
        {
            "totp_on": bool(membership.totp_secret),
            "totp_required": required,
            "setup_needed": totp_setup_needed(membership),
            "secret": secret,
            "uri": uri,
            "error": error,
        },
        status=422 if error else 200,
    )
