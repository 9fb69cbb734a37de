"""A user of clinic A can never see or change clinic B's records: every object URL and every API operation,
with every role of A, by GET and by POST."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from facebalance.clinic import urls as clinic_urls
from facebalance.clinic.api import api, issue_key
from facebalance.clinic.models import AssessmentRun, DynamicsRecording, FindingReview, Membership, Photo, Plan
from tests.clinic.clinic_records import ClinicRecords

REFUSED = {403, 404, 405}


def assessment_run(b: ClinicRecords) -> AssessmentRun:
    """Clinic B's queued whole-session assessment (made on first use)."""
    return AssessmentRun.objects.get_or_create(session=b.session, requested_by=b.provider)[0]


def object_params(b: ClinicRecords) -> dict[str, str]:
    return {
        "patient_id": str(b.patient.pk),
        "intake_id": str(b.intake.pk),
        "session_id": str(b.session.pk),
        "photo_id": str(b.photo.pk),
        "assessment_id": str(b.assessment.pk),
        "plan_id": str(b.plan.pk),
        "membership_id": str(b.membership_admin.pk),
        "view_id": "frontal_rest",
        "finding_id": "lower_third_mm_above",
        "comparison_id": str(b.comparison.pk),
        "kind": "overlay",
        "recording_id": str(b.recording.pk),
        "key": "rest",
        "run_id": str(assessment_run(b).pk),
    }


def page_urls(b: ClinicRecords) -> list[str]:
    """Every page URL that names an object, filled with clinic B's ids (fails on an unknown parameter)."""
    params = object_params(b)
    urls = []
    for sub in clinic_urls.urlpatterns:
        route = str(sub.pattern)
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not names:
            continue
        assert all(n in params for n in names), f"no clinic-B value for {route}: add it to object_params"
        urls.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: params[m.group(1)], route))
    return urls


def api_operations(b: ClinicRecords) -> list[tuple[str, str]]:
    params = object_params(b)
    ops = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        if not names:
            continue
        url = re.sub(r"{(\w+)}", lambda m: params[m.group(1)], path)
        ops.extend((method.upper(), url) for method in methods)
    return ops


def snapshot(b: ClinicRecords) -> tuple[Any, ...]:
    b.plan.refresh_from_db()
    b.membership_admin.user.refresh_from_db()
    return (
        Photo.objects.filter(session=b.session).count(),
        DynamicsRecording.objects.filter(session=b.session).count(),
        assessment_run(b) and AssessmentRun.objects.filter(session=b.session).count(),
        FindingReview.objects.filter(assessment=b.assessment).count(),
        Plan.objects.filter(patient=b.patient).count(),
        b.plan.status,
        b.membership_admin.user.is_active,
        Membership.objects.get(pk=b.membership_admin.pk).totp_secret,
        Membership.objects.filter(clinic=b.clinic).count(),
    )


@pytest.mark.parametrize("role", ["provider", "front_desk", "admin"])
def test_it_refuses_every_page_of_another_clinic(clinic_a: ClinicRecords, clinic_b: ClinicRecords, role: str) -> None:
    client = Client()
    client.force_login(getattr(clinic_a, role))
    before = snapshot(clinic_b)
    urls = page_urls(clinic_b)
    assert len(urls) >= 18
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"reason": "x" * 10, "decision": "confirm", "consent": "1"})
            assert response.status_code in REFUSED, f"{method.upper()} {url} as A's {role}: {response.status_code}"
            assert clinic_b.patient.family_name.encode() not in response.content
    assert snapshot(clinic_b) == before


@pytest.mark.parametrize("auth", ["session", "api_key"])
def test_it_refuses_every_api_operation_on_another_clinic(
    clinic_a: ClinicRecords, clinic_b: ClinicRecords, auth: str
) -> None:
    client = Client()
    headers: dict[str, str] = {}
    if auth == "session":
        client.force_login(clinic_a.provider)
    else:
        headers["Authorization"] = f"Bearer {issue_key(clinic_a.provider, 'test')}"
    before = snapshot(clinic_b)
    ops = api_operations(clinic_b)
    assert len(ops) >= 11
    for method, url in ops:
        response = client.generic(
            method, url, data=b'{"decision": "confirm"}', content_type="application/json", headers=headers
        )
        assert response.status_code in REFUSED | {422}, f"{method} {url}: {response.status_code}"
        assert clinic_b.patient.family_name.encode() not in response.content
    assert snapshot(clinic_b) == before


def test_the_patient_list_and_api_list_show_only_the_own_clinic(
    clinic_a: ClinicRecords, clinic_b: ClinicRecords
) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    page = client.get("/patients/").content.decode()
    assert clinic_a.patient.family_name in page and clinic_b.patient.family_name not in page
    listed = client.get("/api/patients").json()
    assert [p["id"] for p in listed] == [str(clinic_a.patient.pk)]


def test_the_same_urls_work_for_the_own_clinic(clinic_b: ClinicRecords) -> None:
    """The refusals above are about the clinic, not broken URLs: B's provider reaches B's records."""
    client = Client()
    client.force_login(clinic_b.provider)
    for url in (
        "/patients/{patient_id}/",
        "/intakes/{intake_id}/",
        "/sessions/{session_id}/",
        "/photos/{photo_id}/image/",
        "/assessments/{assessment_id}/",
        "/plans/{plan_id}/",
        "/patients/{patient_id}/compare/",
        "/comparisons/{comparison_id}/",
        "/comparisons/{comparison_id}/{kind}.png",
    ):
        assert client.get(url.format(**object_params(clinic_b))).status_code == 200, url
    assert client.get(f"/api/assessments/{clinic_b.assessment.pk}").status_code == 200


def test_unauthenticated_requests_reach_nothing(clinic_b: ClinicRecords) -> None:
    client = Client()
    for url in page_urls(clinic_b):
        response = client.get(url)
        assert response.status_code in {302, 405}, url
        if response.status_code == 302:
            assert response["Location"].startswith("/login/")
    for method, url in api_operations(clinic_b):
        assert client.generic(method, url).status_code in {401, 405}, url
    assert client.get("/api/openapi.json").status_code == 302
