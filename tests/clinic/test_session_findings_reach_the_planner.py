"""The findings of the session's other views and the cross-view ``session.*`` ones are reviewed like the frontal
ones and, once confirmed, reach the treatment planner as the planner reads a session assessment: a confirmed
"chin before lips" relation proposes chin filler, a rejected one does not."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from facebalance.clinic import plans
from facebalance.clinic.models import Assessment
from facebalance.clinic.views_assess import reviewed_findings
from facebalance.report.document import analysis_document
from tests.clinic.clinic_records import ClinicRecords

LONDON = Path(__file__).parents[1] / "data" / "london"
CHIN_FIRST = {
    "id": "session.chin_before_lips",
    "kind": "relation",
    "zones": ["lower_face"],
    "measurements": [],
    "severity": "moderate",
    "sentence": "The chin sits back behind the lips: support the chin before adding lip volume.",
    "source": "test",
    "views": ["profile_left", "frontal_rest"],
}
#: A session document cut to what the planner reads: the views (none analysed here) and the findings.
SESSION_DOC: dict[str, Any] = {
    "schema": "facebalance.session_assessment",
    "schema_version": "1.0",
    "views": [],
    "zones": [],
    "findings": [CHIN_FIRST],
}


@pytest.fixture(scope="module")
def frontal() -> dict[str, Any]:
    from facebalance.analysis import analyze_photo

    return json.loads(json.dumps(analysis_document(analyze_photo(LONDON / "001_03.jpg", sex="female"))))


@pytest.fixture(scope="module")
def intake() -> dict[str, Any]:
    """The example intake (the patient worries about her chin and lips) without the chin grade, the clinician's
    own chin finding and the measured E-line, so that only the session's finding can propose the chin."""
    text = resources.files("facebalance.planning").joinpath("data/example_intake.json").read_text("utf-8")
    doc = dict(json.loads(text))
    doc["grades"] = {k: v for k, v in doc.get("grades", {}).items() if "chin" not in k}
    doc.pop("findings", None)
    doc.pop("measurements", None)
    return doc


def treatments(plan: dict[str, Any]) -> set[str]:
    treatment_of = {i["key"]: i["treatment"] for i in plan.get("items", [])}
    return {str(treatment_of[key]) for visit in plan.get("visits", []) for key in visit.get("items", [])}


def _plan(frontal: dict[str, Any], intake: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(plans.generate_plan(dict(frontal, session_findings=rows, session_document=SESSION_DOC), intake))


def test_a_confirmed_session_finding_proposes_its_answer(frontal: dict[str, Any], intake: dict[str, Any]) -> None:
    assert "ha_chin" not in treatments(_plan(frontal, intake, []))
    row = dict(CHIN_FIRST, id="session-chin_before_lips-profile_left-frontal_rest", rule=CHIN_FIRST["id"])
    plan = _plan(frontal, intake, [dict(row, status="confirmed")])
    assert "ha_chin" in treatments(plan), json.dumps(plan)[:2000]
    chin = next(i for i in plan["items"] if i["treatment"] == "ha_chin")
    assert "session finding session.chin_before_lips (moderate)" in chin["evidence"]
    assert "ha_chin" not in treatments(_plan(frontal, intake, [dict(row, status="rejected")]))


def test_the_clinicians_review_of_a_session_finding_is_what_the_planner_reads(
    clinic_a: ClinicRecords, frontal: dict[str, Any], intake: dict[str, Any]
) -> None:
    Assessment.objects.filter(pk=clinic_a.assessment.pk).update(session_document=SESSION_DOC)
    assessment = Assessment.objects.get(pk=clinic_a.assessment.pk)
    (finding,) = assessment.session_findings()
    assert finding["id"] == "session-chin_before_lips-profile_left-frontal_rest"
    assert finding["rule"] == "session.chin_before_lips" and finding["views"] == ["profile_left", "frontal_rest"]
    client = Client()
    client.force_login(clinic_a.provider)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert f'id="finding-{finding["id"]}"' in page and "from profile left, frontal rest" in page
    # Unreviewed, the assessment cannot be confirmed; confirmed, the planner gets it.
    client.post(f"/assessments/{assessment.pk}/confirm/")
    assessment.refresh_from_db()
    assert assessment.confirmed_at is None
    response = client.post(f"/assessments/{assessment.pk}/findings/{finding['id']}/review/", {"decision": "confirm"})
    assert response.status_code == 302
    (reviewed,) = reviewed_findings(assessment, session=True)
    assert reviewed["status"] == "confirmed" and reviewed["reviewer"] == clinic_a.provider.get_username()
    assert "ha_chin" in treatments(_plan(frontal, intake, [reviewed]))
    client.post(f"/assessments/{assessment.pk}/confirm/")
    assessment.refresh_from_db()
    assert assessment.confirmed_at is not None


def test_a_frontal_finding_is_reviewed_once(clinic_a: ClinicRecords) -> None:
    """The session document repeats the frontal photo's findings; they are reviewed as frontal findings only."""
    frontal = dict(clinic_a.assessment.analysis["findings"][0], views=["frontal_rest"])
    doc = dict(SESSION_DOC, findings=[frontal, CHIN_FIRST])
    Assessment.objects.filter(pk=clinic_a.assessment.pk).update(session_document=doc)
    assessment = Assessment.objects.get(pk=clinic_a.assessment.pk)
    ids = [f["id"] for f in assessment.findings()]
    assert ids.count(frontal["id"]) == 1 and len(ids) == len(set(ids)) == 2
