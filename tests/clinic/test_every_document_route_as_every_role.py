"""Every document, export and API read that carries measurements, findings or photos needs the permission of
the assessment page, walked route by route as every role: the front desk gets the written plan (page, PDF,
API) only without the assessment, and nothing else that carries it. A route that is not classified here fails
the test, so a new document cannot be added without saying who may open it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern

from facebalance.clinic import photostore
from facebalance.clinic import urls as clinic_urls
from facebalance.clinic.api import api
from facebalance.clinic.models import Assessment, AssessmentImage, AssessmentRun, Plan
from facebalance.clinic.records import urls as records_urls
from tests.clinic.clinic_records import ClinicRecords
from tests.records.documents import DemoDocuments, demo_documents
from tests.shared_data import system_tool

ROLES = ("provider", "front_desk", "admin")

#: Route -> status for (provider, front desk, clinic admin). Every route that carries measurements, findings
#: or photos: the assessment and its pictures, the before/after, the reports and exports need
#: ``assessment.view`` (providers). The session's own photos and their quality checks are the front desk's
#: work (``photo.view``); the plan is shown to the front desk without the assessment (checked below).
DOCUMENTS: dict[str, tuple[int, int, int]] = {
    "clinic:session": (200, 200, 403),
    "clinic:photo_image": (200, 200, 403),
    "clinic:assessment": (200, 403, 403),
    "clinic:assessment_annotated": (200, 403, 403),
    "clinic:assessment_view_image": (200, 403, 403),
    # A whole-session assessment's progress; once done it redirects to the assessment (providers only).
    "clinic:assessment_progress": (302, 403, 403),
    "clinic:comparison": (200, 403, 403),
    "clinic:comparison_picture": (200, 403, 403),
    "clinic:plan": (200, 200, 403),
    "records:plan_pdf": (200, 200, 403),
    "records:assessment_pdf": (200, 403, 403),
    "records:fhir_export": (200, 403, 403),
    "records:measurements_csv": (200, 403, 403),
    "GET /api/sessions/{session_id}": (200, 200, 403),
    "GET /api/patients/{patient_id}/sessions": (200, 200, 403),
    "GET /api/photos/{photo_id}": (200, 200, 403),
    "GET /api/photos/{photo_id}/image": (200, 200, 403),
    "GET /api/assessments/{assessment_id}": (200, 403, 403),
    "GET /api/plans/{plan_id}": (200, 200, 403),
    # A queued assessment's state and the id of the assessment it made (providers only, like the page).
    "GET /api/assessment-runs/{run_id}": (200, 403, 403),
    # A session's video: its progress to whoever records it, its movements and key frames to providers only.
    "clinic:recording_status": (200, 200, 403),
    "clinic:recording_keyframe": (200, 403, 403),
}

#: Routes that carry none of it (names, intake, treatments charted, recalls, settings, log in and out) or
#: only change things (POST); the cross-clinic and role tests cover them.
OTHER = {
    "clinic:home",
    "clinic:login",
    "clinic:login_totp",
    "clinic:logout",
    "clinic:account",
    "clinic:patients",
    "clinic:patient_new",
    "clinic:patient_edit",
    "clinic:chart",
    "clinic:intake_new",
    "clinic:session_new",
    "clinic:intake",
    "clinic:photo_upload",
    "clinic:recording_upload",
    "clinic:session_complete",
    "clinic:view_skip",
    "clinic:assessment_run",
    "clinic:photo_accept",
    "clinic:compare_new",
    "clinic:finding_review",
    "clinic:finding_add",
    "clinic:assessment_grades",
    "clinic:assessment_confirm",
    "clinic:plan_new",
    "clinic:plan_accept",
    "clinic:plan_edit",
    "clinic:settings",
    "clinic:marker",
    "clinic:totp_policy",
    "clinic:user_new",
    "clinic:user_deactivate",
    "clinic:user_reset_totp",
    "clinic:audit",
    "records:ledger",
    "records:chart_new",
    "records:fhir_import",
    "records:treatment",
    "records:follow_up_new",
    "records:adverse_event_new",
    "records:recalls",
    "records:recalls_ics",
    "records:recall_send",
    "records:inventory",
    "records:lot",
    "GET /api/me",
    "GET /api/patients",
    "POST /api/patients",
    "POST /api/patients/search",
    "GET /api/patients/{patient_id}",
    "POST /api/patients/{patient_id}/sessions",
    "POST /api/sessions/{session_id}/assessment-runs",
    "POST /api/sessions/{session_id}/photos/{view_id}",
    "GET /api/intakes/{intake_id}",
    "POST /api/assessments/{assessment_id}/findings/{finding_id}/review",
    "POST /api/plans/{plan_id}/edits",
    "GET /api/audit/verify",
}


def routes() -> dict[str, str]:
    """Every route of the pages, the records pages and the API: key -> path template."""
    out: dict[str, str] = {}
    for namespace, module, prefix in (("clinic", clinic_urls, "/"), ("records", records_urls, "/records/")):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            out[f"{namespace}:{pattern.name}"] = prefix + str(pattern.pattern)
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method in methods:
            out[f"{method.upper()} {path}"] = path
    return out


def _fill(template: str, params: dict[str, str]) -> str:
    template = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: params[m.group(1)], template)
    return re.sub(r"{(\w+)}", lambda m: params[m.group(1)], template)


@pytest.fixture
def demo() -> DemoDocuments:
    return demo_documents()


#: A cross-view finding of the session document, whose words must never reach the front desk.
SESSION_FINDING = {
    "id": "session.chin_before_lips",
    "kind": "relation",
    "zones": ["lower_face"],
    "measurements": [],
    "severity": "moderate",
    "sentence": "Seen from the side and the front together, the chin sits back behind the lips.",
    "views": ["profile_left", "frontal_rest"],
}


@pytest.fixture
def records(clinic_a: ClinicRecords, demo: DemoDocuments) -> ClinicRecords:
    """Clinic A's assessment and plan made real: the demo's analysis, annotated photo and plan, a session
    document with a cross-view finding, an annotated picture of another view and a finished run."""
    session_doc = {"schema": "facebalance.session_assessment", "views": [], "zones": [], "findings": [SESSION_FINDING]}
    Assessment.objects.filter(pk=clinic_a.assessment.pk).update(analysis=demo.analysis, session_document=session_doc)
    Plan.objects.filter(pk=clinic_a.plan.pk).update(document=demo.plan)
    photostore.photo_path(clinic_a.assessment.annotated_name).write_bytes(demo.annotated_png)
    name = photostore.new_name(".png")
    photostore.commit_files(
        {name: photostore.write_part(demo.annotated_png)},
        lambda: AssessmentImage.objects.create(
            assessment=clinic_a.assessment, view_id="profile_left", stored_name=name
        ),
    )
    AssessmentRun.objects.create(
        session=clinic_a.session, requested_by=clinic_a.provider, assessment=clinic_a.assessment
    )
    clinic_a.assessment.refresh_from_db()
    return clinic_a


def _params(r: ClinicRecords) -> dict[str, str]:
    from tests.records.test_web_cross_clinic_access_is_refused import _visit

    visit = _visit(r)
    return {
        "patient_id": str(r.patient.pk),
        "intake_id": str(r.intake.pk),
        "session_id": str(r.session.pk),
        "photo_id": str(r.photo.pk),
        "assessment_id": str(r.assessment.pk),
        "plan_id": str(r.plan.pk),
        "comparison_id": str(r.comparison.pk),
        "kind": "overlay",
        "visit_id": str(visit.pk),
        "membership_id": str(r.membership_admin.pk),
        "view_id": "profile_left",
        "run_id": str(AssessmentRun.objects.get(session=r.session).pk),
        "finding_id": "x",
        "recording_id": str(r.recording.pk),
        "key": "rest",
    }


def test_every_route_is_classified() -> None:
    found = set(routes())
    assert not found - set(DOCUMENTS) - OTHER, f"classify these routes: {sorted(found - set(DOCUMENTS) - OTHER)}"
    assert not (set(DOCUMENTS) | OTHER) - found, f"no longer routes: {sorted((set(DOCUMENTS) | OTHER) - found)}"


def test_every_document_answers_each_role_as_expected(records: ClinicRecords) -> None:
    params = _params(records)
    templates = routes()
    answers: dict[tuple[str, str], int] = {}
    for role in ROLES:
        client = Client()
        client.force_login(getattr(records, role))
        for route in DOCUMENTS:
            answers[(route, role)] = client.get(_fill(templates[route], params)).status_code
    wrong = {
        (route, role): (answers[(route, role)], expected)
        for route, statuses in DOCUMENTS.items()
        for role, expected in zip(ROLES, statuses, strict=True)
        if answers[(route, role)] != expected
    }
    assert not wrong, f"(route, role): (got, expected) {wrong}"


def _finding_texts(demo: DemoDocuments) -> list[str]:
    """What would give the assessment away: each finding's sentence, the evidence the plan names, and why each
    item is proposed in the patient's words (which names the finding)."""
    sentences = [f["sentence"][:60] for f in demo.analysis["findings"] if f.get("sentence")]
    evidence = [e for item in demo.plan["items"] for e in item.get("evidence", [])]
    why = [w[:60] for item in demo.plan["items"] for w in item.get("patient", {}).get("why", [])]
    assert sentences and evidence and why, "the demo plan should answer findings"
    return sentences + evidence + why


def test_the_front_desk_plan_page_and_api_leave_the_assessment_out(records: ClinicRecords, demo: DemoDocuments) -> None:
    desk, provider = Client(), Client()
    desk.force_login(records.front_desk)
    provider.force_login(records.provider)
    page = desk.get(f"/plans/{records.plan.pk}/").content.decode()
    assert 'id="assessment-withheld"' in page
    full_page = provider.get(f"/plans/{records.plan.pk}/").content.decode()
    for item in demo.plan["items"]:
        assert item["label"] in page  # the plan itself is there
        for text in item["evidence"]:
            assert text in full_page and text not in page
    desk_api = desk.get(f"/api/plans/{records.plan.pk}").json()["document"]
    full_api = provider.get(f"/api/plans/{records.plan.pk}").json()["document"]
    assert desk_api["assessment_withheld"] is True and "assessment_withheld" not in full_api
    assert all(i["why"] == "" and i["evidence"] == [] for i in desk_api["items"])
    assert [i["key"] for i in desk_api["items"]] == [i["key"] for i in full_api["items"]]
    assert any(i["evidence"] for i in full_api["items"])
    text = str(desk_api)
    assert not [t for t in _finding_texts(demo) if t in text]


def _pdf(client: Client, url: str, tmp: Path) -> tuple[str, int]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp / "plan.pdf"
    path.write_bytes(response.content)
    text = subprocess.run([system_tool("pdftotext"), str(path), "-"], check=True, capture_output=True, text=True).stdout
    listing = subprocess.run(
        [system_tool("pdfimages"), "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    images = [line for line in listing.splitlines()[2:] if line.split() and line.split()[2] == "image"]
    return " ".join(text.split()), len(images)


def test_the_front_desk_written_plan_leaves_the_assessment_out(
    records: ClinicRecords, demo: DemoDocuments, tmp_path: Path
) -> None:
    for tool in ("pdftotext", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing (apt-get install poppler-utils)")
    url = f"/records/plans/{records.plan.pk}/written-plan.pdf"
    desk, provider = Client(), Client()
    desk.force_login(records.front_desk)
    provider.force_login(records.provider)
    desk_text, desk_images = _pdf(desk, url, tmp_path)
    full_text, full_images = _pdf(provider, url, tmp_path)
    assert "leaves out the assessment" in desk_text and "leaves out the assessment" not in full_text
    assert "measured points" in full_text and "measured points" not in desk_text
    assert full_images == desk_images + 1  # the annotated photo
    for item in demo.plan["items"]:
        assert item["label"][:30] in desk_text
    squash = re.sub(r"[\s-]", "", desk_text)
    leaked = [t for t in _finding_texts(demo) if re.sub(r"[\s-]", "", t) in squash]
    assert not leaked, leaked
    assert [t for t in _finding_texts(demo) if re.sub(r"[\s-]", "", t) in re.sub(r"[\s-]", "", full_text)]


def test_the_front_desk_print_is_audited_as_a_copy_without_the_assessment(records: ClinicRecords) -> None:
    from facebalance.clinic.models import AuditEvent

    desk = Client()
    desk.force_login(records.front_desk)
    desk.get(f"/records/plans/{records.plan.pk}/written-plan.pdf")
    event = AuditEvent.objects.get(action="print", actor_id=records.front_desk.pk)
    assert event.detail == {"copy": "no_assessment"} and event.object_id == str(records.plan.pk)


def test_the_front_desk_never_gets_the_session_assessment(records: ClinicRecords, demo: DemoDocuments) -> None:
    """A plan made with a confirmed cross-view finding names it in its evidence; the front desk's copy of the plan
    (page and API) leaves it out, and nothing else of the session reaches the front desk."""
    from facebalance.clinic import plans

    row = dict(SESSION_FINDING, id="session-chin_before_lips", rule=SESSION_FINDING["id"], status="confirmed")
    analysis = dict(demo.analysis, session_findings=[row], session_document=records.assessment.session_document)
    # Without the example intake's own chin grade and finding, the chin filler answers the session's finding.
    intake = {k: v for k, v in demo.intake.items() if k not in ("findings", "measurements")}
    intake["grades"] = {k: v for k, v in demo.intake.get("grades", {}).items() if "chin" not in k}
    document = plans.generate_plan(analysis, intake)  # type: ignore[arg-type]
    evidence = [e for i in document["items"] for e in i.get("evidence", []) if "session.chin_before_lips" in e]
    assert evidence, "the confirmed cross-view finding is evidence of a plan item"
    Plan.objects.filter(pk=records.plan.pk).update(document=document)
    desk, provider = Client(), Client()
    desk.force_login(records.front_desk)
    provider.force_login(records.provider)
    secrets = ["session.chin_before_lips", SESSION_FINDING["sentence"][:50]]
    for url in (f"/plans/{records.plan.pk}/", f"/api/plans/{records.plan.pk}", f"/sessions/{records.session.pk}/"):
        text = desk.get(url).content.decode()
        assert not [t for t in secrets if t in text], url
    assert "session.chin_before_lips" in provider.get(f"/api/plans/{records.plan.pk}").content.decode()
    assert SESSION_FINDING["sentence"][:50] in provider.get(f"/assessments/{records.assessment.pk}/").content.decode()
    assert desk.get(f"/assessments/{records.assessment.pk}/views/profile_left.png").status_code == 403
