""" "Run the assessment" analyses every view of the session in the background (``facebalance.assess``): the
frontal document stays the plan's input, the session document and one annotated picture per analysed view are
stored with the row, and the page shows the five zones with their findings and views, what each zone could not
assess (a skipped view with its reason), the carried scale per view and the annotated oblique and profile
pictures, which only providers may open. A refused frontal photo fails the run with its reason.

Real photos: London 001 at rest and smiling (bundled), a right oblique from 300-W and a left and a right profile
from CFP (``../shared/data``); the left oblique is skipped with a reason.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from facebalance.assess import CarriedScale, SessionAssessment, ViewResult
from facebalance.clinic import assessments, jobs, photostore
from facebalance.clinic.models import Assessment, AssessmentImage, AssessmentRun, AuditEvent, Job
from tests.clinic.clinic_records import LONDON, ClinicRecords, new_session, run_assessment, stored_photo
from tests.shared_data import shared_path

SKIP_REASON = "Patient declined the left oblique photo today."


def _turned_views() -> dict[str, Any]:
    return {
        "oblique_right": shared_path("w300_oblique_dev", "103887554_1.jpg"),  # yaw proxy +34.6: the right
        "profile_left": shared_path("cfp_profile_dev", "004_profile_04.jpg"),
        "profile_right": shared_path("cfp_profile_dev", "003_profile_04.jpg"),
    }


@pytest.fixture
def assessed(clinic_a: ClinicRecords, jobs_run_by_the_test: None) -> tuple[Client, Assessment]:
    turned = _turned_views()
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    photos = {"frontal_rest": LONDON / "001_03.jpg", "frontal_smile": LONDON / "001_08.jpg", **turned}
    for view, path in photos.items():
        stored_photo(session, view, clinic_a.provider, path.read_bytes())
    response = client.post(f"/sessions/{session.pk}/views/oblique_left/skip/", {"skip_reason": SKIP_REASON})
    assert response.status_code in (200, 302)
    return client, run_assessment(client, session)


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def test_every_view_is_analysed_and_stored_with_the_row(clinic_a: ClinicRecords, assessed: Any) -> None:
    client, assessment = assessed
    doc = assessment.session_document
    assert doc["schema"] == "facebalance.session_assessment" and doc["schema_version"] == "1.0"
    status = {v["view_id"]: (v["status"], v["reason"], v["name"]) for v in doc["views"]}
    for view in ("frontal_rest", "frontal_smile", "oblique_right", "profile_left", "profile_right"):
        assert status[view] == ("analysed", status[view][1], f"{view}.jpg"), status[view]
    assert status["oblique_left"][:2] == ("skipped", SKIP_REASON)
    # The frontal document is the frontal view's own, as before (the plan, documents and API read it).
    assert assessment.analysis["schema"] == "facebalance.frontal_analysis"
    assert assessment.analysis["input"]["name"] == "frontal_rest.jpg"
    assert "001_03" not in json.dumps(doc) and "103887554" not in json.dumps(doc)  # view names only
    images = dict(AssessmentImage.objects.filter(assessment=assessment).values_list("view_id", "stored_name"))
    assert {"oblique_right", "profile_left", "profile_right"} <= set(images) and "frontal_rest" not in images
    for name in [*images.values(), assessment.annotated_name]:
        assert photostore.photo_path(name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert photostore.integrity_report().clean
    created = AuditEvent.objects.get(action="create", object_id=str(assessment.pk))
    assert "oblique_right" in created.detail["views"] and "oblique_left" not in created.detail["views"]
    run = AssessmentRun.objects.get(assessment=assessment)
    assert AuditEvent.objects.filter(action="create", object_id=str(run.pk)).exists()
    # The progress page's poll (htmx) is sent to the assessment once it is stored.
    polled = client.get(f"/assessment-runs/{run.pk}/", headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Redirect"] == f"/assessments/{assessment.pk}/"
    assert Job.objects.get(kind=assessments.JOB_KIND, object_id=str(run.pk)).status == "done"


def test_the_page_shows_the_five_zones_the_scale_and_the_pictures(clinic_a: ClinicRecords, assessed: Any) -> None:
    client, assessment = assessed
    html = client.get(f"/assessments/{assessment.pk}/").content.decode()
    whole = html[html.index('id="whole-session"') :]
    for zone in ("upper_face", "midface", "lower_face", "profile", "symmetry_dynamics"):
        assert f'id="zone-{zone}"' in whole, zone
    # The skipped left oblique is "not assessed" with its reason where the obliques inform a zone.
    assert SKIP_REASON in _section(whole, "zone-midface") and "not assessed" in _section(whole, "zone-midface")
    profile = _section(whole, "zone-profile")
    assert "from profile" in profile and 'href="#finding-' in profile, profile[:2000]
    # The carried scale per view, with its uncertainty.
    scale = whole[whole.index('id="session-scale"') :].split("</table>")[0]
    for view in ("oblique_right", "profile_left", "profile_right"):
        row = scale[scale.index(f'data-view="{view}"') :].split("</tr>")[0]
        assert "%" in row and "carry" in row, row
    assert "Frontal ruler: iris" in whole
    # Every session finding can be reviewed on the page, with its views.
    for f in assessment.session_findings():
        assert f'id="finding-{f["id"]}"' in html
    assert assessment.session_findings(), "the CFP profiles give profile findings"
    for view in ("oblique_right", "profile_left", "profile_right"):
        url = f"/assessments/{assessment.pk}/views/{view}.png"
        assert url in whole
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert "public" not in response.get("Cache-Control", "") and "no-store" in response["Cache-Control"]
    assert client.get(f"/assessments/{assessment.pk}/views/oblique_left.png").status_code == 404
    assert AuditEvent.objects.filter(action="view", object_id=str(assessment.pk), detail__annotated="profile_left")


def test_only_providers_see_the_session_and_its_pictures(clinic_a: ClinicRecords, assessed: Any) -> None:
    client, assessment = assessed
    api = client.get(f"/api/assessments/{assessment.pk}").json()
    assert api["session"]["schema"] == "facebalance.session_assessment"
    assert [f["id"] for f in api["session_findings"]] == [f["id"] for f in assessment.session_findings()]
    desk = Client()
    desk.force_login(clinic_a.front_desk)
    assert desk.get(f"/api/assessments/{assessment.pk}").status_code == 403
    assert desk.get(f"/assessments/{assessment.pk}/views/profile_left.png").status_code == 403
    run = AssessmentRun.objects.get(assessment=assessment)
    assert desk.get(f"/assessment-runs/{run.pk}/").status_code == 403


def _refused_frontal(photos: Any, **kwargs: Any) -> SessionAssessment:
    """``assess_session`` as it answers a frontal photo the engine cannot read (the contract's ``refused``)."""
    views = tuple(
        ViewResult(p.view_id, "refused" if p.view_id == "frontal_rest" else "analysed", "", p.name) for p in photos
    )
    reason = "No face was found in the photo. Retake it facing the camera."
    views = tuple(ViewResult(v.view_id, v.status, reason, v.name) if v.view_id == "frontal_rest" else v for v in views)
    return SessionAssessment(views, CarriedScale("none", None, None, ()), (), (), None, "no rest photo")


def test_a_refused_frontal_photo_fails_the_run_with_its_reason(
    clinic_a: ClinicRecords, jobs_run_by_the_test: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assessments, "assess_session", _refused_frontal)
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    stored_photo(session, "frontal_rest", clinic_a.provider, (LONDON / "001_03.jpg").read_bytes())
    response = client.post(f"/sessions/{session.pk}/assess/")
    run = AssessmentRun.objects.get(session=session)
    assert response["Location"] == f"/assessment-runs/{run.pk}/"
    waiting = client.get(response["Location"]).content.decode()
    assert "Queued" in waiting and 'hx-trigger="every 1s"' in waiting
    jobs.run_pending()
    page = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "could not be assessed" in page and "No face was found in the photo" in page and "Retake" in page
    assert "hx-get" not in page  # it stops polling
    assert not Assessment.objects.filter(session=session).exists()
    assert not list(photostore.store_dir().glob("*.png.part")) and photostore.integrity_report().clean


def test_no_frontal_photo_is_refused_before_anything_is_queued(
    clinic_a: ClinicRecords, jobs_run_by_the_test: None
) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    stored_photo(session, "profile_left", clinic_a.provider, b"not looked at")
    response = client.post(f"/sessions/{session.pk}/assess/")
    assert response.status_code == 409 and b"No frontal photo to analyse" in response.content
    assert not AssessmentRun.objects.filter(session=session).exists()
