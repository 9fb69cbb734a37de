"""Shared test data of the clinic tests: the two clinics' records, sample files, upload helpers.

Clinic A ("Harbour Clinic") and clinic B ("Hill Clinic") each have a provider, a front-desk user and a
clinic admin, and one patient with an intake, a photo session with a stored photo, an assessment with a
review, and a plan. The cross-clinic tests log in at A and ask for B's records.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
#: The clinic admins' TOTP secret (TOTP is required of clinic admins by default).
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LONDON = REPO / "tests" / "data" / "london"
BAD_IMAGES = REPO.parent / "shared" / "data" / "bad_images"


def tiny_jpeg(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (180, 150, 140)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


#: A frontal analysis document as the engine writes it, cut to what the pages and the planner read.
ANALYSIS_DOC: dict[str, Any] = {
    "schema": "facebalance.frontal_analysis",
    "schema_version": "1.0",
    "norm_set": {"name": "facebalance-default", "version": "test"},
    "measurements": {
        "lower_third_mm": {
            "value": 68.0,
            "uncertainty": 1.0,
            "unit": "mm",
            "zone": "proportions",
            "label": "Lower third",
            "points": [],
            "norm": {
                "mean": 64.0,
                "sd": 3.0,
                "low": None,
                "high": None,
                "sex": "female",
                "population": "test",
                "source": "test",
                "review": "cited",
                "status": "within",
                "deviation": 1.3,
                "beyond_uncertainty": False,
            },
        },
    },
    "findings": [
        {
            "id": "lower_third_mm_above",
            "kind": "norm",
            "zones": ["proportions"],
            "measurements": ["lower_third_mm"],
            "value": 68.0,
            "uncertainty": 1.0,
            "unit": "mm",
            "norm": "64 ± 3",
            "source": "test",
            "deviation": 1.3,
            "severity": "mild",
            "beyond_uncertainty": False,
            "sentence": "Lower third long.",
            "points": [],
            "status": "proposed",
        }
    ],
    "warnings": [],
}


@dataclass
class ClinicRecords:
    clinic: Any
    provider: Any
    front_desk: Any
    admin: Any
    patient: Any
    intake: Any
    session: Any
    photo: Any
    assessment: Any
    review: Any
    plan: Any
    membership_admin: Any
    comparison: Any = None
    recording: Any = None


def make_clinic(name: str, prefix: str) -> ClinicRecords:
    from django.contrib.auth import get_user_model

    from facebalance.clinic import photostore
    from facebalance.clinic.models import (
        Assessment,
        Clinic,
        Comparison,
        FindingReview,
        Intake,
        Membership,
        Patient,
        Photo,
        PhotoSession,
        Plan,
        PriorTreatment,
        Role,
    )

    users = get_user_model().objects
    clinic = Clinic.objects.create(name=name)
    people = {}
    memberships = {}
    for role in Role:
        user = users.create_user(username=f"{prefix}.{role.value}", password=f"{prefix}-long-password-{role.value}")
        # The clinic requires TOTP of its admins by default: this one has set it up (ADMIN_TOTP_SECRET).
        secret = ADMIN_TOTP_SECRET if role == Role.CLINIC_ADMIN else ""
        memberships[role] = Membership.objects.create(user=user, clinic=clinic, role=role, totp_secret=secret)
        people[role] = user
    provider = people[Role.PROVIDER]
    patient = Patient.objects.create(
        clinic=clinic,
        given_name=f"{prefix.title()}Given",
        family_name=f"{name} Patient",
        date_of_birth=date(1990, 1, 2),
        sex="female",
        created_by=provider,
    )
    intake = Intake.objects.create(patient=patient, created_by=provider, goals="softer jawline")
    PriorTreatment.objects.create(intake=intake, date=date(2025, 3, 1), modality="toxin", area="glabella", amount=20)
    session = PhotoSession.objects.create(
        patient=patient, created_by=provider, protocol_name="default", protocol_version="1"
    )
    data = tiny_jpeg()
    name_jpg = photostore.new_name(".jpg")
    name_png = photostore.new_name(".png")
    photo = photostore.commit_files(
        {name_jpg: photostore.write_part(data)},
        lambda: Photo.objects.create(
            session=session,
            view_id="frontal_rest",
            stored_name=name_jpg,
            sha256="0" * 64,
            size_bytes=len(data),
            width_px=64,
            height_px=48,
            checks={"checks": []},
            status="pass",
            uploaded_by=provider,
        ),
    )
    assessment = photostore.commit_files(
        {name_png: photostore.write_part(data)},
        lambda: Assessment.objects.create(
            session=session, photo=photo, analysis=ANALYSIS_DOC, annotated_name=name_png, created_by=provider
        ),
    )
    review = FindingReview.objects.create(
        assessment=assessment, finding_id="lower_third_mm_above", decision="confirm", reviewer=provider
    )
    plan = Plan.objects.create(
        patient=patient,
        assessment=assessment,
        intake=intake,
        created_by=provider,
        document={"status": "proposed", "summary": "test plan", "visits": [], "items": []},
    )
    name_cmp = photostore.new_name(".png")
    comparison = photostore.commit_files(
        {name_cmp: photostore.write_part(data)},
        lambda: Comparison.objects.create(
            patient=patient,
            view_id="frontal_rest",
            before_photo=photo,
            after_photo=photo,
            document={"changes": [], "warnings": []},
            overlay_name=name_cmp,
            created_by=provider,
        ),
    )
    recording = make_recording(session, provider, data)
    return ClinicRecords(
        clinic,
        provider,
        people[Role.FRONT_DESK],
        people[Role.CLINIC_ADMIN],
        patient,
        intake,
        session,
        photo,
        assessment,
        review,
        plan,
        memberships[Role.CLINIC_ADMIN],
        comparison,
        recording,
    )


def make_recording(session: Any, user: Any, picture: bytes) -> Any:
    """An analysed dynamics recording of ``session`` (a stand-in video file and one key frame, both in the
    photo store; the document is cut to what the pages read)."""
    from facebalance.clinic import photostore
    from facebalance.clinic.models import DynamicsKeyframe, DynamicsRecording

    video, frame = photostore.new_name(".mp4"), photostore.new_name(".jpg")

    def create() -> Any:
        recording = DynamicsRecording.objects.create(
            session=session,
            source="camera",
            stored_name=video,
            status="done",
            prompts=[{"name": "rest", "start_s": 0.0, "end_s": 3.0}],
            document={
                "schema": "facebalance.dynamics",
                "expressions": [],
                "findings": [],
                "warnings": [],
                "keyframes": [-1],
            },
            uploaded_by=user,
        )
        DynamicsKeyframe.objects.create(recording=recording, index=-1, stored_name=frame)
        return recording

    return photostore.commit_files(
        {video: photostore.write_part(b"\x00\x00\x00\x18ftypmp42" + bytes(16)), frame: photostore.write_part(picture)},
        create,
    )


def clear_audit_log() -> None:
    """Empty the audit log below its append-only guards and put the guards back: what a test that commits
    audit rows (``transaction=True``) does before the database is flushed."""
    import importlib

    from django.db import connection

    guards = importlib.import_module("facebalance.clinic.migrations.0002_audit_append_only")
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        for sql in guards.SQLITE_DROP if sqlite else guards.POSTGRES_DROP:
            cursor.execute(sql)
        cursor.execute("DELETE FROM clinic_auditevent")
        for sql in guards.SQLITE if sqlite else guards.POSTGRES:
            cursor.execute(sql)


def new_session(client: Any, records: ClinicRecords) -> Any:
    from facebalance.clinic.models import PhotoSession

    response = client.post(f"/patients/{records.patient.pk}/sessions/new/")
    assert response.status_code == 302
    return PhotoSession.objects.exclude(pk=records.session.pk).get(patient=records.patient)


def upload(client: Any, session: Any, view: str, path_or_bytes: object, *, htmx: bool = True) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = path_or_bytes.read_bytes() if hasattr(path_or_bytes, "read_bytes") else path_or_bytes
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/sessions/{session.pk}/views/{view}/upload/",
        {"photo": SimpleUploadedFile("../../etc/passwd;rm -rf.jpg", data)},
        headers=headers,
    )


def stored_photo(session: Any, view_id: str, user: Any, data: bytes, *, status: str = "pass", reason: str = "") -> Any:
    """A photo of ``view_id`` stored in the photo store with its row, as an upload that passed its checks (or
    warned, with ``reason`` as the accepted warning's reason) leaves it; no checks are run."""
    import hashlib

    from facebalance.clinic import photostore
    from facebalance.clinic.models import Photo

    name = photostore.new_name(".jpg")
    return photostore.commit_files(
        {name: photostore.write_part(data)},
        lambda: Photo.objects.create(
            session=session,
            view_id=view_id,
            stored_name=name,
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            width_px=1,
            height_px=1,
            checks={"checks": []},
            status=status,
            accepted_reason=reason,
            accepted_by=user if reason else None,
            uploaded_by=user,
        ),
    )


def run_assessment(client: Any, session: Any) -> Any:
    """Run the session's assessment as the page does: the request queues it and answers with its progress page,
    the queue is run here (the test's worker; see the ``jobs_run_by_the_test`` fixture), then the progress page
    leads to the assessment, which is returned."""
    from facebalance.clinic import jobs
    from facebalance.clinic.models import Assessment, AssessmentRun

    response = client.post(f"/sessions/{session.pk}/assess/")
    assert response.status_code == 302, response.content.decode()[:1000]
    run = AssessmentRun.objects.filter(session=session).order_by("-created_at").first()
    assert run is not None and response["Location"] == f"/assessment-runs/{run.pk}/"
    assert jobs.run_pending() >= 1
    done = client.get(f"/assessment-runs/{run.pk}/")
    if done.status_code != 302:
        raise AssertionError(f"the assessment did not finish: {done.content.decode()[:2000]}")
    run.refresh_from_db()
    assert done["Location"] == f"/assessments/{run.assessment_id}/"
    return Assessment.objects.get(pk=run.assessment_id)
