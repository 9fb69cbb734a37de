"""The assessment runs the dynamic assessment on the session's rest and expression photos and shows its
per-side movements and findings, reviewable like the frontal ones; without expression photos it says so."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from facebalance.clinic.models import AuditEvent, FindingReview, Patient, PhotoSession
from tests.clinic.clinic_records import LONDON, ClinicRecords, new_session, run_assessment, upload


@pytest.mark.django_db
def test_demo_patient_rest_and_smile_give_a_reviewable_dynamic_assessment(jobs_run_by_the_test: None) -> None:
    call_command("facebalance_demo", "--no-migrate", "--photos", str(LONDON), stdout=io.StringIO())
    patient = Patient.objects.get()
    session = PhotoSession.objects.get(patient=patient)
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo.provider"))
    assessment = run_assessment(client, session)
    dynamics = assessment.dynamics
    assert dynamics["status"] == "done" and dynamics["schema"] == "facebalance.dynamics"
    assert [p["view_id"] for p in dynamics["photos"]] == ["frontal_rest", "frontal_smile"]
    smile = next(e for e in dynamics["expressions"] if e["name"] == "smile")
    excursion = smile["metrics"]["commissure_excursion_mm"]
    assert excursion["left"] > 0 and excursion["right"] > 0
    assert "brow_raise" in dynamics["missing_expressions"]
    assert AuditEvent.objects.filter(action="create", object_id=str(assessment.pk)).exists()

    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Dynamic findings" in page and "<h3>Smile" in page and 'data-metric="commissure_excursion_mm"' in page
    assert "Gum show" in page and "patient&#x27;s left" in page

    # The demo's smile proposes no dynamic finding under the working thresholds; every finding it does
    # propose, and one planted in the stored document, is reviewed through the same FindingReview rows.
    planted = {
        "id": "dynamic.commissure_excursion_asymmetry",
        "kind": "asymmetry",
        "expression": "smile",
        "side": "both",
        "severity": "mild",
        "sentence": "The smile is lopsided.",
        "action": "balance first",
    }
    assessment.dynamics = dict(dynamics, findings=[*dynamics["findings"], planted])
    assessment.save(update_fields=["dynamics"])
    frontal_ids = {f["id"] for f in assessment.frontal_findings()}
    dynamic_ids = [f["id"] for f in assessment.dynamic_findings()]
    assert "dynamic-commissure_excursion_asymmetry-smile-both" in dynamic_ids
    assert not frontal_ids & set(dynamic_ids) and len(set(dynamic_ids)) == len(dynamic_ids)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "The smile is lopsided." in page and 'id="finding-dynamic-commissure_excursion_asymmetry-smile-both"' in page
    edited = client.post(
        f"/assessments/{assessment.pk}/findings/{dynamic_ids[-1]}/review/",
        {"decision": "edit", "sentence": "Slightly lopsided smile.", "severity": "mild"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Slightly lopsided smile." in edited and "demo.provider" in edited
    review = FindingReview.objects.get(assessment=assessment, finding_id=dynamic_ids[-1])
    assert review.decision == "edit"
    assert AuditEvent.objects.filter(action="review", object_id=str(review.pk)).exists()
    # Confirmation waits for every finding, frontal and dynamic.
    for fid in frontal_ids | set(dynamic_ids[:-1]):
        client.post(f"/assessments/{assessment.pk}/findings/{fid}/review/", {"decision": "confirm"})
    client.post(f"/assessments/{assessment.pk}/confirm/")
    assessment.refresh_from_db()
    assert assessment.confirmed_at is not None


def test_a_session_without_expression_photos_says_so(clinic_a: ClinicRecords, jobs_run_by_the_test: None) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    upload(client, session, "frontal_rest", LONDON / "001_03.jpg")
    assessment = run_assessment(client, session)
    assert assessment.dynamics == {"status": "no_expression_photos"} and assessment.dynamic_findings() == []
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "No expression photos" in page


def test_dynamic_findings_are_unknown_to_another_assessment(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    response = client.post(
        f"/assessments/{clinic_a.assessment.pk}/findings/dynamic-gummy_smile-smile-left/review/",
        {"decision": "confirm"},
    )
    assert response.status_code == 404


def test_the_api_returns_the_dynamics_and_reviews_a_dynamic_finding(clinic_a: ClinicRecords) -> None:
    assessment = clinic_a.assessment
    assessment.dynamics = {
        "status": "done",
        "findings": [
            {
                "id": "dynamic.dao_pull_strong",
                "expression": "eee",
                "side": "left",
                "severity": "mild",
                "sentence": "Strong DAO pull.",
                "action": "DAO toxin candidate",
            }
        ],
    }
    assessment.save(update_fields=["dynamics"])
    client = Client()
    client.force_login(clinic_a.provider)
    out = client.get(f"/api/assessments/{assessment.pk}").json()
    assert out["dynamic_findings"][0]["id"] == "dynamic-dao_pull_strong-eee-left"
    assert out["dynamic_findings"][0]["rule"] == "dynamic.dao_pull_strong"
    reviewed = client.post(
        f"/api/assessments/{assessment.pk}/findings/dynamic-dao_pull_strong-eee-left/review",
        data={"decision": "reject", "note": "not seen in clinic"},
        content_type="application/json",
    )
    assert reviewed.status_code == 200
    assert reviewed.json()["reviews"]["dynamic-dao_pull_strong-eee-left"]["decision"] == "reject"
