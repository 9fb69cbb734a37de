"""The JSON API runs the whole-session assessment as the page does: ``POST /api/sessions/{id}/assessment-runs``
queues it (202), ``GET /api/assessment-runs/{id}`` follows it to the stored assessment; the same permission as
the page (providers), and nothing is queued without a frontal photo at rest that counts."""

from __future__ import annotations

from django.test import Client

from facebalance.clinic import jobs
from facebalance.clinic.api import issue_key
from facebalance.clinic.models import AssessmentRun, AuditEvent
from tests.clinic.clinic_records import LONDON, ClinicRecords, new_session, stored_photo


def _api(user: object) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {issue_key(user, 'integration')}"}


def test_a_provider_queues_the_assessment_and_follows_it_to_the_stored_assessment(
    clinic_a: ClinicRecords, jobs_run_by_the_test: None
) -> None:
    browser = Client()
    browser.force_login(clinic_a.provider)
    session = new_session(browser, clinic_a)
    stored_photo(session, "frontal_rest", clinic_a.provider, (LONDON / "001_03.jpg").read_bytes())
    client, headers = _api(clinic_a.provider)

    started = client.post(f"/api/sessions/{session.pk}/assessment-runs", headers=headers)
    assert started.status_code == 202, started.content
    run = started.json()
    assert run["status"] == "queued" and run["assessment_id"] is None and run["session_id"] == str(session.pk)
    assert AuditEvent.objects.filter(action="create", object_id=run["id"]).exists()

    assert jobs.run_pending() >= 1
    done = client.get(f"/api/assessment-runs/{run['id']}", headers=headers).json()
    assert done["status"] == "done" and done["progress"] == 1.0
    assessment = client.get(f"/api/assessments/{done['assessment_id']}", headers=headers)
    assert assessment.status_code == 200
    assert assessment.json()["session"]["schema"] == "facebalance.session_assessment"


def test_no_assessment_is_queued_without_a_frontal_photo_that_counts(clinic_a: ClinicRecords) -> None:
    browser = Client()
    browser.force_login(clinic_a.provider)
    session = new_session(browser, clinic_a)
    stored_photo(session, "frontal_rest", clinic_a.provider, (LONDON / "001_03.jpg").read_bytes(), status="fail")
    client, headers = _api(clinic_a.provider)

    refused = client.post(f"/api/sessions/{session.pk}/assessment-runs", headers=headers)
    assert refused.status_code == 409
    assert "frontal photo at rest" in refused.json()["detail"]
    assert not AssessmentRun.objects.filter(session=session).exists()


def test_the_front_desk_may_not_run_an_assessment(clinic_a: ClinicRecords) -> None:
    client, headers = _api(clinic_a.front_desk)
    refused = client.post(f"/api/sessions/{clinic_a.session.pk}/assessment-runs", headers=headers)
    assert refused.status_code == 403
    assert "assessment.run" in refused.json()["detail"]
    assert not AssessmentRun.objects.filter(session=clinic_a.session).exists()
