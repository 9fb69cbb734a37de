"""The JSON API for integration (django-ninja; OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``).

Authentication on every operation: a bearer API key (``Authorization: Bearer fb_...``, see
:class:`~facebalance.clinic.models.ApiKey`) or the browser session (which then needs the CSRF token for
writes). Each operation then checks the same role permission as its page, and fetches objects through
:func:`facebalance.clinic.access.scoped`, so another clinic's ids are 404 here too.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.http.request import RawPostDataException
from django.utils import timezone
from ninja import File, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import HttpBearer, django_auth

from facebalance.clinic import assessments, audit, engine, jobs, photostore, services
from facebalance.clinic.access import require, scoped, scoped_queryset, totp_setup_needed, visible_document
from facebalance.clinic.forms import date_of_birth_problem
from facebalance.clinic.middleware import upload_too_large
from facebalance.clinic.models import (
    ApiKey,
    Assessment,
    AssessmentRun,
    FindingReview,
    Intake,
    Membership,
    Patient,
    Photo,
    PhotoSession,
    Plan,
    Sex,
)
from facebalance.clinic.views import current_photos, missing_views
from facebalance.clinic.views_assess import latest_reviews
from facebalance.clinic.views_plan import apply_edit
from facebalance.errors import FacebalanceError

KEY_PREFIX = "fb_"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_key(user: Any, label: str) -> str:
    """Create an API key for ``user``; returns the key (only its digest is stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    ApiKey.objects.create(user=user, label=label, prefix=key[:10], key_sha256=key_digest(key))
    return key


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(KEY_PREFIX):
            return None
        key = ApiKey.objects.select_related("user").filter(key_sha256=key_digest(token), revoked_at=None).first()
        if key is None or not key.user.is_active:
            return None
        request.user = key.user
        request.api_key = key  # type: ignore[attr-defined]
        return key.user


api = NinjaAPI(
    title="facebalance clinic API",
    version="1.0",
    auth=[ApiKeyAuth(), django_auth],
    docs_decorator=login_required,
    urls_namespace="api",
)


@api.exception_handler(RawPostDataException)
def _form_body_to_json_operation(request: HttpRequest, exc: RawPostDataException) -> Any:
    # A form body (multipart or urlencoded) sent to an operation that reads JSON: with a browser session the
    # CSRF check has already read it as a form, so the JSON body is gone. The same 400 as with an API key.
    return api.create_response(
        request,
        {
            "code": "bad_request",
            "message": "This operation reads a JSON body, not a form.",
            "hint": "Send the body as JSON with Content-Type: application/json.",
        },
        status=400,
    )


@api.exception_handler(RequestDataTooBig)
def _body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> Any:
    return upload_too_large(request)


@api.exception_handler(FacebalanceError)
def _domain_error(request: HttpRequest, exc: FacebalanceError) -> Any:
    return api.create_response(request, {"code": exc.code, "message": exc.message, "hint": exc.hint}, status=422)


def _member(request: HttpRequest, permission: str) -> Membership:
    try:
        membership = require(request.user, permission)
    except Exception:
        raise HttpError(403, f"This operation needs the {permission} permission.") from None
    if getattr(request, "api_key", None) is None and totp_setup_needed(membership):
        # A browser session of a member who must set up TOTP first (API keys are separate credentials).
        raise HttpError(403, "Your clinic requires a second factor for your role: set it up on /account/ first.")
    return membership


def _audit(request: HttpRequest, action: str, obj: Any, clinic_id: int, **detail: Any) -> None:
    audit.record(action, user=request.user, clinic_id=clinic_id, obj=obj, detail={"api": True, **detail})


# --- schemas -----------------------------------------------------------------------------------------


class Me(Schema):
    username: str
    clinic: str
    role: str


class PatientIn(Schema):
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    ethnicity: str = ""


class PatientOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    created_at: datetime


class SearchIn(Schema):
    q: str


class PhotoOut(Schema):
    id: UUID
    view_id: str
    status: str
    checks: dict[str, Any]
    accepted_reason: str
    width_px: int
    height_px: int
    sha256: str
    uploaded_at: datetime


class SessionOut(Schema):
    id: UUID
    patient_id: UUID
    protocol_name: str
    protocol_version: str
    created_at: datetime
    completed_at: datetime | None
    photos: list[PhotoOut]
    missing_views: list[str]


class ReviewIn(Schema):
    decision: str
    sentence: str = ""
    severity: str = ""
    note: str = ""


class AssessmentOut(Schema):
    id: UUID
    session_id: UUID
    created_at: datetime
    confirmed_at: datetime | None
    analysis: dict[str, Any]
    #: The dynamic assessment document; its findings are reviewed under the ids in ``dynamic_findings``.
    dynamics: dict[str, Any]
    dynamic_findings: list[dict[str, Any]]
    #: The session document (``facebalance.session_assessment`` 1.0: every view, the carried scale, the five
    #: zones; ``{}`` for an assessment of the frontal photo only); the findings of its other views and cross-view
    #: ones are reviewed under the ids in ``session_findings``. Providers only, like the whole assessment.
    session: dict[str, Any]
    session_findings: list[dict[str, Any]]
    grades: dict[str, int]
    reviews: dict[str, dict[str, Any]]


class AssessmentRunOut(Schema):
    """A queued whole-session assessment: ``status`` is ``queued``, ``running``, ``done`` (``assessment_id`` is
    then the assessment) or ``failed`` (``message`` says why and what to do)."""

    id: UUID
    session_id: UUID
    created_at: datetime
    status: str
    progress: float
    message: str
    assessment_id: UUID | None


class PlanOut(Schema):
    """A plan. For a member who may not open the assessment (front desk) ``document`` leaves out what carries
    it (each item's ``why`` and ``evidence``) and says ``assessment_withheld: true``."""

    id: UUID
    patient_id: UUID
    status: str
    #: The ``facebalance.treatment_plan`` 1.0 document (:class:`facebalance.planning.documents.PlanDocument`; its
    #: JSON Schema is ``facebalance.planning.plan_schema()``), passed through as stored.
    document: dict[str, Any]
    created_at: datetime
    accepted_at: datetime | None


class PlanEditIn(Schema):
    """One change to a proposed plan (visits 0-based): the engine's
    :class:`~facebalance.planning.documents.PlanEditRequest` with the revision the client saw."""

    kind: str
    key: str
    visit: int | None = None
    dose_low: float | None = None
    dose_high: float | None = None
    treatment: str | None = None
    revision: int | None = None


class ViolationOut(Schema):
    gate: str
    level: str
    message: str


class PlanEditOut(Schema):
    applied: bool
    sentence: str
    violations: list[ViolationOut]
    plan: PlanOut


class IntakeOut(Schema):
    id: UUID
    patient_id: UUID
    created_at: datetime
    goals: str
    allergies: str
    medications: str
    conditions: str
    pregnancy: str
    bddq_complete: bool
    bddq_positive: bool | None


# --- operations --------------------------------------------------------------------------------------


@api.get("/me", response=Me)
def me(request: HttpRequest) -> dict[str, Any]:
    m = _member(request, "account.self")
    return {"username": request.user.get_username(), "clinic": m.clinic.name, "role": m.role}


@api.get("/patients", response=list[PatientOut])
def list_patients(request: HttpRequest) -> Any:
    m = _member(request, "patient.view")
    return list(scoped_queryset(Patient, m)[:500])


@api.post("/patients/search", response=list[PatientOut])
def search_patients(request: HttpRequest, body: SearchIn) -> Any:
    """Search by name (a POST, so that names stay out of URLs and access logs)."""
    m = _member(request, "patient.view")
    return list(services.search_patients(scoped_queryset(Patient, m), body.q.strip()[:120])[:200])


@api.post("/patients", response={201: PatientOut})
def create_patient(request: HttpRequest, body: PatientIn) -> Any:
    m = _member(request, "patient.create")
    if body.sex not in Sex.values:
        raise HttpError(422, f"sex must be one of {', '.join(Sex.values)}")
    problem = date_of_birth_problem(body.date_of_birth, timezone.localdate())
    if problem:
        raise HttpError(422, problem)
    with transaction.atomic():
        patient = Patient.objects.create(clinic=m.clinic, created_by=request.user, **body.dict())
        _audit(request, "create", patient, m.clinic_id)
    return Status(201, patient)


@api.get("/patients/{patient_id}", response=PatientOut)
def get_patient(request: HttpRequest, patient_id: UUID) -> Any:
    m = _member(request, "patient.view")
    patient = scoped(Patient, patient_id, m)
    _audit(request, "view", patient, m.clinic_id)
    return patient


def _session_out(session: PhotoSession, m: Membership, current: dict[str, Photo] | None = None) -> dict[str, Any]:
    """A session with its current photos (``current``: when the caller read them already)."""
    protocol = engine.clinic_protocol(m.clinic)
    current = current_photos(session) if current is None else current
    return {
        "id": session.pk,
        "patient_id": session.patient_id,
        "protocol_name": session.protocol_name,
        "protocol_version": session.protocol_version,
        "created_at": session.created_at,
        "completed_at": session.completed_at,
        "photos": list(current.values()),
        "missing_views": [v.id for v in missing_views(session, protocol, current)],
    }


@api.get("/patients/{patient_id}/sessions", response=list[SessionOut])
def list_sessions(request: HttpRequest, patient_id: UUID) -> Any:
    m = _member(request, "photo.view")
    patient = scoped(Patient, patient_id, m)
    sessions = list(patient.photo_sessions.all())
    # Every session's photos in one query, newest of each view last (as current_photos keeps them).
    current: dict[Any, dict[str, Photo]] = {s.pk: {} for s in sessions}
    for photo in Photo.objects.filter(session__in=sessions).order_by("uploaded_at"):
        current[photo.session_id][photo.view_id] = photo
    return [_session_out(s, m, current[s.pk]) for s in sessions]


@api.post("/patients/{patient_id}/sessions", response={201: SessionOut})
def create_session(request: HttpRequest, patient_id: UUID) -> Any:
    m = _member(request, "photo.upload")
    patient = scoped(Patient, patient_id, m)
    protocol = engine.clinic_protocol(m.clinic)
    with transaction.atomic():
        session = PhotoSession.objects.create(
            patient=patient, created_by=request.user, protocol_name=protocol.name, protocol_version=protocol.version
        )
        _audit(request, "create", session, m.clinic_id)
    return Status(201, _session_out(session, m))


@api.get("/sessions/{session_id}", response=SessionOut)
def get_session(request: HttpRequest, session_id: UUID) -> Any:
    m = _member(request, "photo.view")
    session = scoped(PhotoSession, session_id, m)
    _audit(request, "view", session, m.clinic_id)
    return _session_out(session, m)


@api.post("/sessions/{session_id}/photos/{view_id}", response={201: PhotoOut})
def upload_photo(request: HttpRequest, session_id: UUID, view_id: str, photo: File[UploadedFile]) -> Any:
    """Upload one view's photo (multipart field ``photo``); the checks come back at once."""
    m = _member(request, "photo.upload")
    session = scoped(PhotoSession, session_id, m)
    if session.completed_at is not None:
        raise HttpError(409, "The session is complete.")
    if getattr(request, "upload_too_large", False):
        raise HttpError(413, "The file is over the upload limit.")
    return Status(201, services.add_photo(session, view_id, photostore.read_upload(photo), user=request.user))


@api.get("/photos/{photo_id}", response=PhotoOut)
def get_photo(request: HttpRequest, photo_id: UUID) -> Any:
    m = _member(request, "photo.view")
    return scoped(Photo, photo_id, m)


@api.get("/photos/{photo_id}/image", response={200: None})
def get_photo_image(request: HttpRequest, photo_id: UUID) -> Any:
    m = _member(request, "photo.view")
    photo = scoped(Photo, photo_id, m)
    if not photo.stored_name:
        raise Http404("imported without its pixels")
    path = photostore.photo_path(photo.stored_name)
    if not path.is_file():
        raise Http404("missing file")
    _audit(request, "export", photo, m.clinic_id)
    return FileResponse(path.open("rb"), content_type="image/jpeg")


@api.get("/intakes/{intake_id}", response=IntakeOut)
def get_intake(request: HttpRequest, intake_id: UUID) -> Any:
    m = _member(request, "intake.view")
    intake = scoped(Intake, intake_id, m)
    _audit(request, "view", intake, m.clinic_id)
    return intake


def _assessment_out(a: Assessment) -> dict[str, Any]:
    reviews = {
        fid: {
            "decision": r.decision,
            "sentence": r.sentence,
            "severity": r.severity,
            "note": r.note,
            "reviewer": r.reviewer.get_username(),
            "reviewed_at": r.reviewed_at.isoformat(),
        }
        for fid, r in latest_reviews(a).items()
    }
    return {
        "id": a.pk,
        "session_id": a.session_id,
        "created_at": a.created_at,
        "confirmed_at": a.confirmed_at,
        "analysis": a.analysis,
        "dynamics": a.dynamics or {},
        "dynamic_findings": a.dynamic_findings(),
        "session": a.session_document or {},
        "session_findings": a.session_findings(),
        "grades": a.grades,
        "reviews": reviews,
    }


@api.get("/assessments/{assessment_id}", response=AssessmentOut)
def get_assessment(request: HttpRequest, assessment_id: UUID) -> Any:
    m = _member(request, "assessment.view")
    a = scoped(Assessment, assessment_id, m)
    _audit(request, "export", a, m.clinic_id)
    return _assessment_out(a)


def _run_out(run: AssessmentRun) -> dict[str, Any]:
    job = assessments.latest_job(run)
    if run.assessment_id is not None:
        status, progress, message = "done", 1.0, ""
    elif job is None:
        status, progress, message = "queued", 0.0, ""
    else:
        status, progress, message = str(job.status), float(job.progress), job.message
        if status == "done":  # the job ended without storing an assessment (it was stored by another run)
            status = "failed"
    return {
        "id": run.pk,
        "session_id": run.session_id,
        "created_at": run.created_at,
        "status": status,
        "progress": progress,
        "message": message,
        "assessment_id": run.assessment_id,
    }


@api.post("/sessions/{session_id}/assessment-runs", response={202: AssessmentRunOut})
def start_assessment(request: HttpRequest, session_id: UUID) -> Any:
    """Queue the whole session's assessment, as the page's "Run the assessment" does (202; poll
    ``GET /api/assessment-runs/{id}``). 409 when the frontal photo at rest has not passed its checks."""
    m = _member(request, "assessment.run")
    session = scoped(PhotoSession, session_id, m, "patient")
    if not assessments.has_frontal_to_assess(session):
        raise HttpError(
            409,
            "The session has no frontal photo at rest that passed its checks (or had its warning accepted): "
            "upload one, then run the assessment.",
        )
    return Status(202, _run_out(assessments.request_assessment(session, request.user)))


@api.get("/assessment-runs/{run_id}", response=AssessmentRunOut)
def get_assessment_run(request: HttpRequest, run_id: UUID) -> Any:
    """A queued assessment's state; when ``done``, ``GET /api/assessments/{assessment_id}`` has it."""
    m = _member(request, "assessment.run")
    run = scoped(AssessmentRun, run_id, m, "session__patient")
    out = _run_out(run)
    if out["status"] in ("queued", "running"):
        jobs.ensure_worker()  # a restarted server picks up what was left queued
    return out


@api.post("/assessments/{assessment_id}/findings/{finding_id}/review", response=AssessmentOut)
def review_finding(request: HttpRequest, assessment_id: UUID, finding_id: str, body: ReviewIn) -> Any:
    m = _member(request, "assessment.review")
    a = scoped(Assessment, assessment_id, m)
    if finding_id not in {f["id"] for f in a.findings()}:
        raise Http404("No such finding.")
    if body.decision not in ("confirm", "edit", "reject"):
        raise HttpError(422, "decision must be confirm, edit or reject")
    if a.confirmed_at is not None:
        raise HttpError(409, "The assessment is confirmed; its review is closed.")
    with transaction.atomic():
        review = FindingReview.objects.create(
            assessment=a,
            finding_id=finding_id,
            decision=body.decision,
            sentence=body.sentence,
            severity=body.severity,
            note=body.note,
            reviewer=request.user,
        )
        _audit(request, "review", review, m.clinic_id, finding=finding_id, decision=body.decision)
    return _assessment_out(a)


@api.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: UUID) -> Any:
    m = _member(request, "plan.view")
    plan = scoped(Plan, plan_id, m)
    _audit(request, "export", plan, m.clinic_id)
    return _plan_out(plan, m)


def _plan_out(plan: Plan, m: Membership) -> dict[str, Any]:
    """The plan as the member may see it: without the assessment (``document.assessment_withheld``) unless
    the member may open the assessment."""
    return {
        "id": plan.pk,
        "patient_id": plan.patient_id,
        "status": plan.status,
        "document": visible_document(plan, m),
        "created_at": plan.created_at,
        "accepted_at": plan.accepted_at,
    }


@api.post("/plans/{plan_id}/edits", response={200: PlanEditOut, 409: PlanEditOut, 422: PlanEditOut})
def edit_plan(request: HttpRequest, plan_id: UUID, body: PlanEditIn) -> Any:
    """Drop, add, change dose or product, or move an item; re-checked by the engine's gates and re-priced.

    200 with ``applied: true`` and the soft gates flagged; 422 with ``applied: false`` and the hard gates
    that refuse it; 409 when the plan is accepted or its revision (number of edits) is not ``revision``.
    """
    m = _member(request, "plan.edit")
    edit = body.dict(exclude_none=True)
    revision = edit.pop("revision", None)
    plan, result, status = apply_edit(str(plan_id), request.user, m, edit, "" if revision is None else str(revision))
    out: dict[str, Any] = {
        "applied": result["applied"],
        "sentence": result["sentence"],
        "violations": result["violations"],
        "plan": _plan_out(plan, m),
    }
    return Status(status, out) if status != 200 else out


@api.get("/audit/verify")
def verify_audit(request: HttpRequest) -> dict[str, Any]:
    _member(request, "audit.view")
    return {**audit.verify_chain().as_dict(), "checked_at": timezone.now().isoformat()}
