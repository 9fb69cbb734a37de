"""CSP, nosniff, no-store and secure, HttpOnly cookies on every page; no view is reachable without a
declared permission."""

from __future__ import annotations

from django.conf import settings
from django.test import Client, RequestFactory

from facebalance.clinic import urls
from facebalance.clinic.middleware import DenyByDefaultMiddleware
from tests.clinic.clinic_records import ClinicRecords


def test_pages_carry_the_headers(clinic_a: ClinicRecords) -> None:
    client = Client()
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
    login = client.post("/login/", {"username": "harbour.provider", "password": "harbour-long-password-provider"})
    cookie = login.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["secure"]


def test_every_clinic_view_declares_a_permission() -> None:
    for pattern in urls.urlpatterns:
        view = pattern.callback
        assert getattr(view, "clinic_permission", None) or getattr(view, "clinic_public", False), pattern


def test_an_undeclared_view_is_refused() -> None:
    middleware = DenyByDefaultMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/somewhere/")
    response = middleware.process_view(request, lambda r: None, (), {})
    assert response is not None and response.status_code == 403


def test_the_admin_is_for_superusers_only(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.admin)
    assert client.get("/admin/").status_code == 302


def test_search_is_a_post_so_names_stay_out_of_urls(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    rows = client.post("/patients/", {"q": "harbourgiven"}, headers={"HX-Request": "true"}).content.decode()
    assert "Harbour Clinic Patient" in rows
    none = client.post("/patients/", {"q": "nobody"}, headers={"HX-Request": "true"}).content.decode()
    assert "No patients" in none
