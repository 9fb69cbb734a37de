"""The clinical core of a consultation through the pages: intake, the frontal analysis, the review of each
finding (kept with who and when), confirmation, the generated plan and its acceptance."""

from __future__ import annotations

from django.test import Client

from facebalance.clinic.models import FindingReview, Intake, Photo, PhotoSession, Plan
from tests.clinic.clinic_records import LONDON, ClinicRecords, new_session, run_assessment, upload

INTAKE = {
    "goals": "I look tired and my chin feels weak",
    "history": "",
    "allergies": "lidocaine",
    "medications": "",
    "conditions": "",
    "pregnancy": "no",
    "bddq_q1_concerned": "true",
    "bddq_q2_preoccupied": "false",
    "bddq_q3_distress": "2",
    "bddq_q4_social": "1",
    "bddq_q5_work_school": "1",
    "bddq_q6_avoidance": "1",
    "bddq_q7_impairment": "false",
    "concern-TOTAL_FORMS": "1",
    "concern-INITIAL_FORMS": "0",
    "concern-MIN_NUM_FORMS": "0",
    "concern-MAX_NUM_FORMS": "12",
    "concern-0-area": "chin",
    "concern-0-text": "my chin feels weak",
    "prior-TOTAL_FORMS": "2",
    "prior-INITIAL_FORMS": "0",
    "prior-MIN_NUM_FORMS": "0",
    "prior-MAX_NUM_FORMS": "20",
    "prior-0-date": "2025-06-01",
    "prior-0-clinic_name": "Elsewhere Clinic",
    "prior-0-modality": "ha",
    "prior-0-product": "Juvederm Volbella",
    "prior-0-area": "lips",
    "prior-0-amount": "1.0",
    "prior-0-satisfied": "true",
}


def test_intake_records_history_screen_and_prior_treatments(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    response = client.post(f"/patients/{clinic_a.patient.pk}/intake/new/", INTAKE)
    assert response.status_code == 302, response.content.decode()[:2000]
    intake = Intake.objects.exclude(pk=clinic_a.intake.pk).get(patient=clinic_a.patient)
    assert intake.bddq_complete and intake.bddq_positive is False
    treatment = intake.prior_treatments.get()
    assert (treatment.clinic_name, treatment.modality, float(treatment.amount), treatment.satisfied) == (
        "Elsewhere Clinic",
        "ha",
        1.0,
        True,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Juvederm Volbella" in page and "negative" in page


def test_a_positive_bddq_as_screen_is_flagged() -> None:
    intake = Intake(
        bddq_q1_concerned=True,
        bddq_q2_preoccupied=True,
        bddq_q3_distress=3,
        bddq_q4_social=1,
        bddq_q5_work_school=1,
        bddq_q6_avoidance=1,
        bddq_q7_impairment=False,
    )
    assert intake.bddq_positive is True


def test_assessment_review_and_plan(clinic_a: ClinicRecords, jobs_run_by_the_test: None) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session: PhotoSession = new_session(client, clinic_a)
    upload(client, session, "frontal_rest", LONDON / "001_03.jpg")
    assert Photo.objects.get(session=session).counts
    assessment = run_assessment(client, session)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "<svg" in page and 'class="band"' in page and "Mid-face" in page
    assert client.get(f"/assessments/{assessment.pk}/annotated/")["Content-Type"] == "image/png"
    findings = assessment.findings()
    assert findings, "the London photo gives at least one proposed finding"
    first, rest = findings[0], findings[1:]
    edited = client.post(
        f"/assessments/{assessment.pk}/findings/{first['id']}/review/",
        {"decision": "edit", "sentence": "Clinician's wording.", "severity": "mild"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Clinician&#x27;s wording." in edited and "harbour.provider" in edited
    refused = client.post(
        f"/assessments/{assessment.pk}/findings/{first['id']}/review/",
        {"decision": "reject"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Say why" in refused
    for f in rest:
        client.post(f"/assessments/{assessment.pk}/findings/{f['id']}/review/", {"decision": "confirm"})
    review = FindingReview.objects.filter(assessment=assessment, finding_id=first["id"]).get()
    assert review.reviewer == clinic_a.provider and review.reviewed_at is not None
    client.post(f"/assessments/{assessment.pk}/grades/", {"grade_tear_trough_barton": "1"})
    client.post(f"/assessments/{assessment.pk}/confirm/")
    assessment.refresh_from_db()
    assert assessment.confirmed_by == clinic_a.provider and assessment.grades == {"tear_trough_barton": 1}
    response = client.post(f"/assessments/{assessment.pk}/plan/")
    assert response.status_code in (302, 422), response.content.decode()[:1000]
    if response.status_code == 422:  # the planning engine refused the input: its message is shown
        assert b'role="alert"' in response.content
        return
    plan = Plan.objects.filter(assessment=assessment).get()
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Treatment plan" in page
    if plan.document.get("status") == "proposed":
        client.post(f"/plans/{plan.pk}/accept/", {"consent": "1"})
        plan.refresh_from_db()
        assert plan.status == "accepted" and plan.accepted_by == clinic_a.provider


def test_the_front_desk_cannot_see_assessments(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    assert client.get(f"/assessments/{clinic_a.assessment.pk}/").status_code == 403
    assert client.post(f"/sessions/{clinic_a.session.pk}/assess/").status_code == 403
