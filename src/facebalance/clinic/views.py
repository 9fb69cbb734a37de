"""Pages 1-3: patients (list, search, create, chart), intake, photo sessions with per-view checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from facebalance.clinic import audit, engine, photostore, services
from facebalance.clinic.access import allowed, clinic_view, scoped, scoped_queryset
from facebalance.clinic.forms import (
    AcceptWarningForm,
    ConcernFormSet,
    IntakeForm,
    PatientForm,
    PriorTreatmentFormSet,
    SearchForm,
    SkipViewForm,
)
from facebalance.clinic.models import (
    Assessment,
    CheckStatus,
    Intake,
    Membership,
    Patient,
    Photo,
    PhotoSession,
)
from facebalance.clinic.plans import intake_choices
from facebalance.clinic.services import is_uuid
from facebalance.errors import FacebalanceError, ImageTooLarge
from facebalance.session.protocol import Protocol, ViewSpec


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- 1. patients -------------------------------------------------------------------------------------


@clinic_view("patient.view")
@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    """The clinic's patients. Search is a POST so that names never appear in URLs or access logs."""
    patients = scoped_queryset(Patient, _m(request))
    form = SearchForm(request.POST or None)
    q = form.cleaned_data["q"].strip() if request.method == "POST" and form.is_valid() else ""
    if q:
        patients = services.search_patients(patients, q)
    ctx = {"patients": patients[:200], "form": form, "q": q}
    if _is_htmx(request):
        return render(request, "clinic/_patient_rows.html", ctx)
    return render(request, "clinic/patients.html", ctx)


@clinic_view("patient.create")
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    clinic = _m(request).clinic
    form = PatientForm(request.POST or None, clinic=clinic, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            patient = form.save(commit=False)
            patient.clinic = clinic
            patient.created_by = request.user
            patient.save()
            audit.record(
                "create",
                user=request.user,
                clinic_id=patient.clinic_id,
                obj=patient,
                detail={"same_name_and_birth_date": len(form.duplicates)} if form.duplicates else None,
            )
        return redirect("clinic:chart", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "clinic/patient_form.html", {"form": form, "duplicates": form.duplicates}, status=status)


@clinic_view("patient.edit")
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Correct a patient's details and contact (audited with the names of the fields changed, never values)."""
    patient = scoped(Patient, patient_id, _m(request))
    form = PatientForm(request.POST or None, instance=patient, clinic=patient.clinic, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        if form.changed_data:
            with transaction.atomic():
                form.save()
                audit.record(
                    "change",
                    user=request.user,
                    clinic_id=patient.clinic_id,
                    obj=patient,
                    detail={"fields": sorted(form.changed_data)},
                )
        return redirect("clinic:chart", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "clinic/patient_form.html", {"form": form, "patient": patient}, status=status)


def timeline(patient: Patient) -> list[dict[str, Any]]:
    """Consultations (intakes), photo sessions, assessments and plans, newest first (four queries, whatever
    the history's length; the analysis and plan documents are not loaded)."""
    events: list[tuple[datetime, dict[str, Any]]] = []
    for intake in patient.intakes.all():
        events.append((intake.created_at, {"kind": "Intake", "obj": intake}))
    assessments = Prefetch(
        "assessments", queryset=Assessment.objects.only("id", "session_id", "created_at", "confirmed_at")
    )
    for s in patient.photo_sessions.annotate(photo_count=Count("photos")).prefetch_related(assessments):
        events.append((s.created_at, {"kind": "Photo session", "obj": s}))
        for a in s.assessments.all():
            events.append((a.created_at, {"kind": "Assessment", "obj": a}))
    for plan in patient.plans.only("id", "patient_id", "created_at", "status"):
        events.append((plan.created_at, {"kind": "Plan", "obj": plan}))
    events.sort(key=lambda e: e[0], reverse=True)
    return [e for _, e in events]


@clinic_view("patient.view")
@require_GET
def chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = scoped(Patient, patient_id, _m(request))
    audit.record("view", user=request.user, clinic_id=patient.clinic_id, obj=patient)
    return render(request, "clinic/chart.html", {"patient": patient, "timeline": timeline(patient)})


# --- 2. intake ---------------------------------------------------------------------------------------


@clinic_view("intake.edit")
@require_http_methods(["GET", "POST"])
def intake_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A new intake. The form carries a one-time ``submission`` token: the same form sent again (the back button,
    a double click) opens the intake it already made instead of making a second one."""
    patient = scoped(Patient, patient_id, _m(request))
    data = request.POST or None
    may_override = allowed(_m(request), "plan.edit")
    form = IntakeForm(data, may_override=may_override, initial={"submission": uuid.uuid4()})
    concerns = ConcernFormSet(data, prefix="concern")
    formset = PriorTreatmentFormSet(data, prefix="prior", form_kwargs={"today": timezone.localdate()})
    if request.method == "POST":
        token = request.POST.get("submission", "")
        earlier = Intake.objects.filter(patient=patient, submission=token).first() if is_uuid(token) else None
        if earlier is not None:
            return redirect("clinic:intake", intake_id=earlier.pk)
        if form.is_valid() and concerns.is_valid() and formset.is_valid():
            return _save_intake(request, patient, form, concerns, formset)
    return render(
        request,
        "clinic/intake_form.html",
        {"patient": patient, "form": form, "concerns": concerns, "formset": formset},
        status=422 if request.method == "POST" else 200,
    )


def _save_intake(request: HttpRequest, patient: Patient, form: Any, concerns: Any, formset: Any) -> HttpResponse:
    with transaction.atomic():
        intake = form.save(commit=False)
        intake.patient = patient
        intake.created_by = request.user
        intake.submission = form.cleaned_data["submission"] or uuid.uuid4()
        if intake.bddq_override_reason.strip():
            intake.bddq_override_by = request.user
        try:
            with transaction.atomic():
                intake.save()
        except IntegrityError:
            # The same form sent twice at once: the other request saved it.
            return redirect("clinic:intake", intake_id=Intake.objects.get(submission=intake.submission).pk)
        for fs in (concerns, formset):
            fs.instance = intake
            fs.save()
        audit.record(
            "create",
            user=request.user,
            clinic_id=patient.clinic_id,
            obj=intake,
            detail={"patient": str(patient.pk)},
        )
    return redirect("clinic:intake", intake_id=intake.pk)


@clinic_view("intake.view")
@require_GET
def intake_detail(request: HttpRequest, intake_id: str) -> HttpResponse:
    intake = scoped(Intake, intake_id, _m(request))
    audit.record("view", user=request.user, clinic_id=intake.patient.clinic_id, obj=intake)
    choices = intake_choices()
    treatments, expectations, areas = dict(choices.treatments), dict(choices.expectations), dict(choices.areas)
    return render(
        request,
        "clinic/intake.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "requested": [treatments.get(t, t) for t in intake.requested_treatments or []],
            "expectations": [expectations.get(e, e) for e in intake.expectations or []],
            "infection_areas": [areas.get(a, a) for a in intake.active_infection_areas or []],
        },
    )


# --- 3. photo sessions -------------------------------------------------------------------------------


def current_photos(session: PhotoSession) -> dict[str, Photo]:
    """The newest photo of each view (a retake supersedes, the older rows stay on record)."""
    latest: dict[str, Photo] = {}
    for photo in session.photos.select_related("accepted_by").order_by("uploaded_at"):
        latest[photo.view_id] = photo
    return latest


@dataclass(frozen=True)
class Skip:
    """A view left out of a session on purpose: why, by whom (user name) and when."""

    view_id: str
    reason: str
    by: str
    at: datetime


def current_skips(session: PhotoSession, photos: dict[str, Photo] | None = None) -> dict[str, Skip]:
    """Views skipped on purpose: the newest skip of a view, unless a photo of it came after."""
    photos = current_photos(session) if photos is None else photos
    skips: dict[str, Skip] = {}
    for row in session.skips or []:
        skip = Skip(row["view_id"], row["reason"], row.get("by", ""), datetime.fromisoformat(row["at"]))
        skips[skip.view_id] = skip
    return {v: k for v, k in skips.items() if v not in photos or photos[v].uploaded_at < k.at}


def missing_views(session: PhotoSession, protocol: Protocol, current: dict[str, Photo] | None = None) -> list[ViewSpec]:
    """Required views neither filled (a photo that passed or whose warning was accepted) nor skipped with a
    reason (``current``: the session's :func:`current_photos`, when the caller has them already)."""
    current = current_photos(session) if current is None else current
    skipped = current_skips(session, current)
    return [
        v
        for v in protocol.views
        if v.required and not (v.id in current and current[v.id].counts) and v.id not in skipped
    ]


@dataclass(frozen=True)
class ViewState:
    """Where one protocol view of a session stands, in words the pages show."""

    view: ViewSpec
    photo: Photo | None
    skip: Skip | None

    @property
    def state(self) -> str:
        """``pass``, ``accepted`` (warning accepted), ``warn``, ``fail``, ``skipped`` or ``missing``."""
        if self.skip is not None:
            return "skipped"
        if self.photo is None:
            return "missing"
        if self.photo.status == CheckStatus.WARN and self.photo.accepted_reason:
            return "accepted"
        return str(self.photo.status)

    @property
    def counts(self) -> bool:
        return self.photo is not None and self.skip is None and self.photo.counts

    @property
    def words(self) -> str:
        return {
            "pass": "passed its checks",
            "accepted": "warning accepted",
            "warn": "warnings not accepted",
            "fail": "failed its checks",
            "skipped": "skipped",
            "missing": "not taken",
        }[self.state]


def view_states(session: PhotoSession, protocol: Protocol) -> list[ViewState]:
    current = current_photos(session)
    skipped = current_skips(session, current)
    return [ViewState(v, current.get(v.id), skipped.get(v.id)) for v in protocol.views]


def _slot_context(
    session: PhotoSession, view: ViewSpec, photo: Photo | None, error: str = "", skip: Skip | None = None
) -> dict[str, Any]:
    return {
        "session": session,
        "view": view,
        "photo": photo,
        "skip": skip,
        "error": error,
        "form": AcceptWarningForm(),
    }


def _session_status(session: PhotoSession, protocol: Protocol, states: list[ViewState] | None = None) -> dict[str, Any]:
    """What the session's status block shows: still needed, skipped, and whether it can be completed."""
    states = view_states(session, protocol) if states is None else states
    return {
        "session": session,
        "missing": [s.view for s in states if s.view.required and not s.counts and s.state != "skipped"],
        "skipped": [s for s in states if s.state == "skipped"],
    }


def _slot_response(
    request: HttpRequest, session: PhotoSession, protocol: Protocol, ctx: dict[str, Any]
) -> HttpResponse:
    """A slot swapped by htmx, with the session's status block swapped out of band (still needed, complete)."""
    return render(request, "clinic/_slot_swap.html", {**ctx, **_session_status(session, protocol)})


@clinic_view("photo.upload")
@require_POST
def session_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = scoped(Patient, patient_id, _m(request))
    protocol = engine.clinic_protocol(patient.clinic)
    with transaction.atomic():
        session = PhotoSession.objects.create(
            patient=patient, created_by=request.user, protocol_name=protocol.name, protocol_version=protocol.version
        )
        audit.record(
            "create", user=request.user, clinic_id=patient.clinic_id, obj=session, detail={"patient": str(patient.pk)}
        )
    return redirect("clinic:session", session_id=session.pk)


@clinic_view("photo.view")
@require_GET
def session_detail(request: HttpRequest, session_id: str) -> HttpResponse:
    membership = _m(request)
    session = scoped(PhotoSession, session_id, membership, "patient")
    protocol = engine.clinic_protocol(membership.clinic)
    states = view_states(session, protocol)
    slots = [_slot_context(session, s.view, s.photo, skip=s.skip) for s in states]
    audit.record("view", user=request.user, clinic_id=membership.clinic_id, obj=session)
    return render(
        request,
        "clinic/session.html",
        {
            "patient": session.patient,
            "slots": slots,
            "protocol": protocol,
            "assessments": session.assessments.only("id", "session_id", "created_at"),
            **_session_status(session, protocol, states),
        },
    )


def _store_upload(request: HttpRequest, session: PhotoSession, view: ViewSpec) -> Photo:
    """Read the upload (bounded) and store it; raises FacebalanceError when the file is refused."""
    if getattr(request, "upload_too_large", False):
        raise ImageTooLarge("The file is over the upload limit.", hint="Upload a smaller photo.")
    return services.add_photo(session, view.id, photostore.read_upload(request.FILES.get("photo")), user=request.user)


@clinic_view("photo.upload")
@require_POST
def photo_upload(request: HttpRequest, session_id: str, view_id: str) -> HttpResponse:
    session = scoped(PhotoSession, session_id, _m(request))
    protocol = engine.clinic_protocol(_m(request).clinic)
    view = next((v for v in protocol.views if v.id == view_id), None)
    if view is None:
        raise Http404("No such view in the protocol.")
    error = ""
    status = 200
    try:
        photo: Photo | None = _store_upload(request, session, view)
    except FacebalanceError as exc:
        error, status, photo = photostore.refusal_message(exc), 422, current_photos(session).get(view.id)
    ctx = _slot_context(session, view, photo, error, skip=current_skips(session).get(view.id))
    if _is_htmx(request):
        # htmx swaps only 2xx answers by default; the refusal is shown in the slot either way.
        response = _slot_response(request, session, protocol, ctx)
        response.status_code = 200 if status == 422 else status
        return response
    if error:
        return render(request, "clinic/_slot_page.html", ctx, status=status)
    return redirect("clinic:session", session_id=session.pk)


@clinic_view("photo.accept_warning")
@require_POST
def photo_accept(request: HttpRequest, photo_id: str) -> HttpResponse:
    photo = scoped(Photo, photo_id, _m(request))
    session = photo.session
    protocol = engine.clinic_protocol(_m(request).clinic)
    view = next((v for v in protocol.views if v.id == photo.view_id), None)
    if view is None:
        raise Http404("No such view in the protocol.")
    form = AcceptWarningForm(request.POST)
    error = ""
    if photo.status != CheckStatus.WARN:
        error = "Only a photo with warnings can be accepted; a failed photo needs a retake."
    elif not form.is_valid():
        error = "Give the reason for accepting the warning (at least 5 characters)."
    else:
        with transaction.atomic():
            photo.accepted_reason = form.cleaned_data["reason"]
            photo.accepted_by = request.user
            photo.accepted_at = timezone.now()
            photo.save(update_fields=["accepted_reason", "accepted_by", "accepted_at"])
            audit.record(
                "accept",
                user=request.user,
                clinic_id=session.patient.clinic_id,
                obj=photo,
                detail={"warning_accepted": True},
            )
    ctx = _slot_context(session, view, photo, error)
    if _is_htmx(request):
        return _slot_response(request, session, protocol, ctx)
    return redirect("clinic:session", session_id=session.pk)


@clinic_view("photo.skip")
@require_POST
def view_skip(request: HttpRequest, session_id: str, view_id: str) -> HttpResponse:
    """Leave a view out of the session on purpose, with the reason (kept with who and when, audited); the session
    can then be completed without it, and the assessment says what it could not assess."""
    session = scoped(PhotoSession, session_id, _m(request))
    protocol = engine.clinic_protocol(session.patient.clinic)
    view = next((v for v in protocol.views if v.id == view_id), None)
    if view is None:
        raise Http404("No such view in the protocol.")
    form = SkipViewForm(request.POST)
    photo = current_photos(session).get(view.id)
    error = ""
    if session.completed_at is not None:
        error = "The session is complete; it is closed."
    elif photo is not None and photo.counts:
        error = "This view has a usable photo; there is nothing to skip."
    elif not form.is_valid():
        error = "Say why the view is skipped (at least 5 characters)."
    else:
        with transaction.atomic():
            # The row is locked while the skip is appended, so two skips at once both stay.
            locked = PhotoSession.objects.select_for_update().get(pk=session.pk)
            locked.skips = [
                *(locked.skips or []),
                {
                    "view_id": view.id,
                    "reason": form.cleaned_data["skip_reason"],
                    "by": request.user.get_username(),
                    "by_id": request.user.pk,
                    "at": timezone.now().isoformat(),
                },
            ]
            locked.save(update_fields=["skips"])
            session.skips = locked.skips
            audit.record(
                "change",
                user=request.user,
                clinic_id=session.patient.clinic_id,
                obj=session,
                detail={"skipped_view": view.id},
            )
    ctx = _slot_context(session, view, photo, error, skip=current_skips(session).get(view.id))
    if _is_htmx(request):
        return _slot_response(request, session, protocol, ctx)
    return redirect("clinic:session", session_id=session.pk)


@clinic_view("photo.upload")
@require_POST
def session_complete(request: HttpRequest, session_id: str) -> HttpResponse:
    """Close the session once every required view has a usable photo or was skipped with a reason."""
    session = scoped(PhotoSession, session_id, _m(request))
    protocol = engine.clinic_protocol(_m(request).clinic)
    if missing_views(session, protocol) or session.completed_at:
        return redirect("clinic:session", session_id=session.pk)
    skipped = sorted(current_skips(session))
    with transaction.atomic():
        session.completed_at = timezone.now()
        session.save(update_fields=["completed_at"])
        audit.record(
            "change",
            user=request.user,
            clinic_id=session.patient.clinic_id,
            obj=session,
            detail={"completed": True, "skipped_views": skipped},
        )
    return redirect("clinic:session", session_id=session.pk)


@clinic_view("photo.view")
@require_GET
def photo_image(request: HttpRequest, photo_id: str) -> HttpResponse:
    """The stored (sanitised) JPEG, only to members of the photo's clinic, never cached."""
    photo = scoped(Photo, photo_id, _m(request))
    if not photo.stored_name:
        raise Http404("This photo was imported without its pixels.")
    path = photostore.photo_path(photo.stored_name)
    if not path.is_file():
        raise Http404("The photo file is missing; run the integrity check.")
    audit.record("view", user=request.user, clinic_id=photo.session.patient.clinic_id, obj=photo)
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{photo.view_id}.jpg"'
    return response
