"""The main pages and API reads take a fixed, small number of database queries: the same for a patient with a
long history as for a new one (no query per session, photo, assessment, plan or review), and within a budget,
so that a change that adds queries to a page fails here instead of in the latency under load."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from facebalance.clinic.models import (
    Assessment,
    DynamicsRecording,
    FindingReview,
    Intake,
    Job,
    Photo,
    PhotoSession,
    Plan,
    PriorTreatment,
)
from tests.clinic.clinic_records import ANALYSIS_DOC, ClinicRecords

#: Page -> the most queries it may take on SQLite (the session, and the user with its membership, included;
#: the audited ones also append their audit row: BEGIN, the chain's head, the insert, COMMIT). On PostgreSQL
#: an audited page takes one more (the chain's advisory lock).
BUDGET = {
    "patients": 3,
    "patient search": 3,
    "chart": 11,
    "photo session": 10,  # with its dynamics step's recordings
    "assessment": 9,
    "plan": 8,
    "plan edit": 6,
    "api patients": 3,
    "api sessions": 5,
    "api session": 8,
    "api assessment": 8,
    "api plan": 7,
}


AUDITED = {"chart", "photo session", "assessment", "plan", "api session", "api assessment", "api plan"}


def _budget(name: str) -> int:
    return BUDGET[name] + (1 if connection.vendor == "postgresql" and name in AUDITED else 0)


def _requests(r: ClinicRecords) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    return {
        "patients": ("get", "/patients/", None),
        "patient search": ("post", "/patients/", {"q": "Harbour"}),
        "chart": ("get", f"/patients/{r.patient.pk}/", None),
        "photo session": ("get", f"/sessions/{r.session.pk}/", None),
        "assessment": ("get", f"/assessments/{r.assessment.pk}/", None),
        "plan": ("get", f"/plans/{r.plan.pk}/", None),
        "plan edit": ("post", f"/plans/{r.plan.pk}/edit/", {"kind": "drop", "key": "nothing"}),
        "api patients": ("get", "/api/patients", None),
        "api sessions": ("get", f"/api/patients/{r.patient.pk}/sessions", None),
        "api session": ("get", f"/api/sessions/{r.session.pk}", None),
        "api assessment": ("get", f"/api/assessments/{r.assessment.pk}", None),
        "api plan": ("get", f"/api/plans/{r.plan.pk}", None),
    }


def _count(client: Client, method: str, path: str, data: dict[str, Any] | None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    assert response.status_code in (200, 422), (path, response.status_code)
    return len(queries)


def _accepted_photo(r: ClinicRecords, session: Any, view: str) -> Photo:
    """A photo row (no file: the pages read rows) with a warning a provider accepted."""
    return Photo.objects.create(
        session=session,
        view_id=view,
        sha256="0" * 64,
        size_bytes=1,
        width_px=1,
        height_px=1,
        status="warn",
        accepted_reason="stand-in",
        accepted_by=r.provider,
        uploaded_by=r.provider,
    )


def _longer_history(r: ClinicRecords, n: int = 4) -> None:
    """``n`` more of everything the pages list: intakes with prior treatments, sessions with photos (and
    retakes, some accepted by a provider), assessments with reviews, plans."""
    for i in range(n):
        intake = Intake.objects.create(patient=r.patient, created_by=r.provider, goals=f"goal {i}")
        PriorTreatment.objects.create(intake=intake, date=date(2024, 1, 1 + i), modality="ha", area="lips", amount=1)
        session = PhotoSession.objects.create(
            patient=r.patient, created_by=r.provider, protocol_name="default", protocol_version="1"
        )
        for view in ("frontal_rest", "frontal_smile", "frontal_rest"):
            photo = _accepted_photo(r, session, view)
        assessment = Assessment.objects.create(
            session=session, photo=photo, analysis=ANALYSIS_DOC, created_by=r.provider
        )
        FindingReview.objects.create(
            assessment=assessment, finding_id="lower_third_mm_above", decision="confirm", reviewer=r.provider
        )
        Plan.objects.create(patient=r.patient, assessment=assessment, intake=intake, created_by=r.provider, document={})
        # More photos, recordings (one still waiting for the worker) and reviews on the pages' own session and
        # assessment too.
        _accepted_photo(r, r.session, "frontal_smile" if i % 2 else "brow_raise")
        recording = DynamicsRecording.objects.create(
            session=r.session, source="upload", status="queued" if i == 0 else "done", uploaded_by=r.provider
        )
        Job.objects.create(kind="dynamics_recording", object_id=str(recording.pk))
        FindingReview.objects.create(
            assessment=r.assessment, finding_id="lower_third_mm_above", decision="confirm", reviewer=r.provider
        )


@pytest.fixture
def provider(clinic_a: ClinicRecords) -> Client:
    client = Client()
    client.force_login(clinic_a.provider)
    client.get("/patients/")  # the session is loaded and its expiry fresh, as for a user at work
    return client


def test_each_page_stays_within_its_budget(clinic_a: ClinicRecords, provider: Client) -> None:
    counts = {name: _count(provider, *request) for name, request in _requests(clinic_a).items()}
    over = {name: (n, _budget(name)) for name, n in counts.items() if n > _budget(name)}
    assert not over, f"page: (queries, budget) {over}"


def test_a_longer_history_takes_no_more_queries(clinic_a: ClinicRecords, provider: Client) -> None:
    before = {name: _count(provider, *request) for name, request in _requests(clinic_a).items()}
    _longer_history(clinic_a)
    after = {name: _count(provider, *request) for name, request in _requests(clinic_a).items()}
    grew = {name: (before[name], after[name]) for name in before if after[name] != before[name]}
    assert not grew, f"page: (queries before, after four more of everything) {grew}"
