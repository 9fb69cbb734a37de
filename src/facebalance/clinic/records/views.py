"""Charting, follow-up, the patient's ledger, the recall list (page and .ics), the written documents (PDF)
and the exports (FHIR Bundle, research CSV).

Every view declares its permission with the clinic's :func:`~facebalance.clinic.access.clinic_view` and
reaches rows through the member's clinic (:func:`~facebalance.clinic.access.scoped` for the clinic's
models, :func:`_visit` for ours), so another clinic's id is a 404. Charting needs ``plan.edit``
(providers); reading needs ``plan.view``; documents and exports that carry measurements, findings or the
annotated photo need ``assessment.view`` (providers), and the written plan printed by anyone else leaves the
assessment out. Every read of a record, print and export is audited.
"""

from __future__ import annotations

import json
import smtplib
from datetime import UTC, date, datetime
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from facebalance.clinic import audit, photostore
from facebalance.clinic.access import clinic_view, scoped, scoped_queryset, sees_assessment, visible_document
from facebalance.clinic.models import Assessment, Membership, Modality, Patient, Plan
from facebalance.clinic.records import convert, fhirimport
from facebalance.clinic.records.charting import ChartError, read_date, read_decimal
from facebalance.clinic.records.models import AdverseEvent, FollowUp, RecallNotice, TreatmentVisit
from facebalance.clinic.views import current_skips
from facebalance.clinic.views_assess import reviewed_analysis
from facebalance.errors import FacebalanceError
from facebalance.planning import PlanningData
from facebalance.records import csvexport, fhir, ical, pdf
from facebalance.records.ledger import treatment_ledger
from facebalance.records.recall import recall_list
from facebalance.records.treatments import EVENT_KINDS, EVENT_LABELS, EVENT_SEVERITIES, SITES
from facebalance.records.wording import PatientWording


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _visit(pk: Any, membership: Membership) -> TreatmentVisit:
    try:
        return TreatmentVisit.objects.select_related("patient__clinic", "plan", "clinician").get(
            pk=pk, patient__clinic=membership.clinic
        )
    except (TreatmentVisit.DoesNotExist, ValueError, TypeError):
        raise Http404("No treatment with that id.") from None


def _data() -> PlanningData:
    return PlanningData.default()


@clinic_view("plan.view")
@require_GET
def treatment_detail(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = _visit(visit_id, _m(request))
    audit.record("view", user=request.user, clinic_id=visit.patient.clinic_id, obj=visit)
    return render(
        request,
        "records/treatment.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "record": convert.treatment_record(visit),
            "sites": list(SITES.values()),
            "event_kinds": [(k, EVENT_LABELS[k]) for k in EVENT_KINDS],
            "severities": EVENT_SEVERITIES,
            "today": timezone.localdate().isoformat(),
        },
    )


@clinic_view("plan.edit")
@require_POST
def follow_up_new(request: HttpRequest, visit_id: str) -> HttpResponse:
    """A follow-up; for toxin, the patient's answer to "when did movement come back?" in weeks."""
    visit = _visit(visit_id, _m(request))
    try:
        on = read_date(request.POST.get("on", ""), "The follow-up date")
        weeks_text = request.POST.get("movement_returned_weeks", "").strip()
        weeks = read_decimal(weeks_text, "Weeks until movement returned") if weeks_text else None
        if weeks is not None and (visit.modality != "toxin" or not 1 <= weeks <= 52):
            raise ChartError("Movement returning is recorded for toxin only, as 1-52 weeks.")
    except ChartError as exc:
        return render(
            request, "clinic/message.html", {"title": "Follow-up not recorded", "message": str(exc)}, status=422
        )
    satisfied = {"yes": True, "no": False}.get(request.POST.get("satisfied", ""))
    with transaction.atomic():
        follow = FollowUp.objects.create(
            visit=visit,
            on=on,
            movement_returned_weeks=weeks,
            satisfied=satisfied,
            note=request.POST.get("note", "")[:4000],
            recorded_by=request.user,
        )
        audit.record(
            "create",
            user=request.user,
            clinic_id=visit.patient.clinic_id,
            obj=follow,
            detail={"treatment": str(visit.pk)},
        )
    return redirect("records:treatment", visit_id=visit.pk)


@clinic_view("plan.edit")
@require_POST
def adverse_event_new(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = _visit(visit_id, _m(request))
    kind, severity = request.POST.get("kind", ""), request.POST.get("severity", "")
    try:
        if kind not in EVENT_KINDS or severity not in EVENT_SEVERITIES:
            raise ChartError("Choose the kind of event and its severity.")
        onset = read_date(request.POST.get("onset", ""), "The onset date")
        resolved = read_date(request.POST.get("resolved", ""), "The resolution date", required=False)
    except ChartError as exc:
        return render(request, "clinic/message.html", {"title": "Event not recorded", "message": str(exc)}, status=422)
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            visit=visit,
            kind=kind,
            severity=severity,
            onset=onset,
            resolved=resolved,
            action=request.POST.get("action", "")[:4000],
            recorded_by=request.user,
        )
        audit.record(
            "create",
            user=request.user,
            clinic_id=visit.patient.clinic_id,
            obj=event,
            detail={"treatment": str(visit.pk), "kind": kind, "severity": severity},
        )
    return redirect("records:treatment", visit_id=visit.pk)


@clinic_view("plan.view")
@require_GET
def patient_ledger(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The patient's treatments and cumulative ledger (HA per area per year, toxin history, cadence)."""
    patient = scoped(Patient, patient_id, _m(request))
    records = convert.treatment_records(patient)
    reported = convert.reported_treatments(patient)
    today = timezone.localdate()
    ledger = treatment_ledger(records, on=today, data=_data(), reported=reported)
    audit.record("view", user=request.user, clinic_id=patient.clinic_id, obj=patient, detail={"page": "ledger"})
    years = sorted({y for per_area in ledger.filler_ml_by_year.values() for y in per_area})
    filler_rows = [
        (area, [per_area.get(y) for y in years], ledger.filler.present_ml(area))
        for area, per_area in sorted(ledger.filler_ml_by_year.items())
    ]
    visits = TreatmentVisit.objects.filter(patient=patient).select_related("clinician")
    return render(
        request,
        "records/ledger.html",
        {
            "patient": patient,
            "visits": visits,
            "reported": [(t, dict(Modality.choices).get(t.modality, t.modality)) for t in reported],
            "ledger": ledger,
            "years": years,
            "filler_rows": filler_rows,
            "plans": patient.plans.all(),
            "assessments": Assessment.objects.filter(session__patient=patient),
        },
    )


def _recalls(membership: Membership, on: date) -> list[Any]:
    patients = scoped_queryset(Patient, membership)
    return recall_list([convert.patient_history(p) for p in patients], on=on, data=_data(), horizon_days=60)


@clinic_view("plan.view")
@require_GET
def recall_page(request: HttpRequest) -> HttpResponse:
    """Everyone due within 60 days with how they want to be told, and each recall's sent emails."""
    membership = _m(request)
    today = timezone.localdate()
    entries = _recalls(membership, today)
    audit.record(
        "view",
        user=request.user,
        clinic_id=membership.clinic_id,
        object_type="recall_list",
        detail={"entries": len(entries)},
    )
    patients = {str(p.pk): p for p in scoped_queryset(Patient, membership)}
    sent: dict[tuple[str, str], list[RecallNotice]] = {}
    for n in RecallNotice.objects.filter(patient__clinic=membership.clinic).select_related("sent_by"):
        sent.setdefault((str(n.patient_id), n.recall_key), []).append(n)
    rows = [
        {"entry": e, "patient": patients.get(e.patient_id), "sent": sent.get((e.patient_id, e.key), [])}
        for e in entries
    ]
    return render(request, "records/recalls.html", {"rows": rows, "today": today, "message": request.GET.get("sent")})


def recall_email(entry: Any, patient: Patient, clinic_name: str) -> tuple[str, str]:
    """The recall as the patient reads it: the treatment in words, the window, how to book; no internal ids and
    no clinical detail beyond what the patient already knows."""
    what = PatientWording(_data()).text(entry.label)
    body = (
        f"Dear {patient.given_name},\n\n"
        f"{clinic_name} would like to remind you that your {what[:1].lower()}{what[1:]} is due between "
        f"{entry.due_from:%d %B %Y} and {entry.due_until:%d %B %Y}.\n\n"
        "Please reply to this email or call us to book a visit. If you no longer wish to receive reminders, "
        "tell us and we will stop.\n\n"
        f"{clinic_name}\n"
    )
    return f"{clinic_name}: your {what[:1].lower()}{what[1:]} is due", body


@clinic_view("recall.send")
@require_POST
def recall_send(request: HttpRequest) -> HttpResponse:
    """Email one recall to the patient (Django's email settings: the console backend unless SMTP is configured),
    kept as a :class:`RecallNotice` and audited (ids only)."""
    membership = _m(request)
    patient = scoped(Patient, request.POST.get("patient", ""), membership)
    key = request.POST.get("key", "")
    entry = next(
        (e for e in _recalls(membership, timezone.localdate()) if e.key == key and e.patient_id == str(patient.pk)),
        None,
    )
    if entry is None:
        raise Http404("That recall is not due for this patient.")
    if not patient.email or patient.preferred_channel in ("none", "phone", "sms"):
        return render(
            request,
            "clinic/message.html",
            {"title": "Not sent", "message": "The patient has no email address, or asked to be told another way."},
            status=422,
        )
    subject, body = recall_email(entry, patient, membership.clinic.name)
    try:
        send_mail(subject, body, None, [patient.email], fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        return render(
            request,
            "clinic/message.html",
            {"title": "Not sent", "message": f"The email server refused the recall: {type(exc).__name__}."},
            status=502,
        )
    with transaction.atomic():
        notice = RecallNotice.objects.create(
            patient=patient, recall_key=key, channel="email", sent_to=patient.email, sent_by=request.user
        )
        audit.record(
            "export",
            user=request.user,
            clinic_id=membership.clinic_id,
            obj=notice,
            detail={"patient": str(patient.pk), "recall": entry.kind, "channel": "email"},
        )
    return redirect(f"{reverse('records:recalls')}?sent=1")


@clinic_view("plan.view")
@require_GET
def recall_ics(request: HttpRequest) -> HttpResponse:
    membership = _m(request)
    entries = _recalls(membership, timezone.localdate())
    audit.record(
        "export",
        user=request.user,
        clinic_id=membership.clinic_id,
        object_type="recall_list",
        detail={"format": "ics", "entries": len(entries)},
    )
    body = ical.recall_calendar(
        entries,
        clinic=membership.clinic.name,
        stamp=datetime.now(UTC),
        domain=request.get_host().split(":")[0] or "facebalance",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recalls.ics"'
    return response


def _letterhead(membership: Membership) -> pdf.Letterhead:
    return pdf.Letterhead(membership.clinic.name)


def _header(patient: Patient) -> pdf.PatientHeader:
    return pdf.PatientHeader(f"{patient.given_name} {patient.family_name}", patient.date_of_birth, str(patient.pk)[:8])


def _annotated(assessment: Assessment | None) -> list[pdf.Picture]:
    if assessment is None or not assessment.annotated_name:
        return []
    path = photostore.photo_path(assessment.annotated_name)
    if not path.is_file():
        return []
    return [pdf.Picture("Frontal photo with the measured points", path.read_bytes())]


def _pdf_response(html: str, filename: str) -> HttpResponse:
    try:
        body = pdf.render_pdf(html)
    except FacebalanceError as exc:
        return HttpResponse(f"{exc.message} {exc.hint}".strip(), status=503, content_type="text/plain")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@clinic_view("plan.view")
@require_GET
def plan_pdf(request: HttpRequest, plan_id: str) -> HttpResponse:
    """The written plan; for a member who may not open the assessment (front desk), a copy without it: no
    findings, no annotated photo, no item's reasons (``plans.without_assessment``)."""
    membership = _m(request)
    plan = scoped(Plan, plan_id, membership)
    full = sees_assessment(membership)
    audit.record(
        "print",
        user=request.user,
        clinic_id=plan.patient.clinic_id,
        obj=plan,
        detail=None if full else {"copy": "no_assessment"},
    )
    html = pdf.plan_html(
        letterhead=_letterhead(membership),
        patient=_header(plan.patient),
        plan=visible_document(plan, membership),
        analysis=None if plan.assessment is None or not full else reviewed_analysis(plan.assessment),
        photos=_annotated(plan.assessment) if full else [],
        goals=plan.intake.goals if plan.intake else "",
        prepared_on=timezone.localdate(),
        assessment_withheld=not full,
    )
    return _pdf_response(html, "treatment-plan.pdf")


@clinic_view("assessment.view")
@require_GET
def assessment_pdf(request: HttpRequest, assessment_id: str) -> HttpResponse:
    membership = _m(request)
    assessment = scoped(Assessment, assessment_id, membership)
    patient = assessment.session.patient
    audit.record("print", user=request.user, clinic_id=patient.clinic_id, obj=assessment)
    session = assessment.session
    quality = [
        dict(p.checks, view_id=p.view_id, status=p.status, accepted_reason=p.accepted_reason)
        for p in session.photos.all()
    ]
    quality += [
        {"view_id": view_id, "status": "skipped", "checks": [], "accepted_reason": f"Skipped: {skip.reason}"}
        for view_id, skip in current_skips(session).items()
    ]
    html = pdf.report_html(
        letterhead=_letterhead(membership),
        patient=_header(patient),
        analysis=reviewed_analysis(assessment),
        photos=_annotated(assessment),
        quality=quality,
        clinician=request.user.get_username(),
        prepared_on=timezone.localdate(),
    )
    return _pdf_response(html, "assessment-report.pdf")


@clinic_view("assessment.view")
@require_GET
def fhir_export(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = scoped(Patient, patient_id, _m(request))
    audit.record("export", user=request.user, clinic_id=patient.clinic_id, obj=patient, detail={"format": "fhir"})
    try:
        bundle = fhir.validate_bundle(fhir.patient_bundle(convert.patient_record(patient), timestamp=datetime.now(UTC)))
    except FacebalanceError as exc:
        return HttpResponse(f"{exc.message} {exc.hint}".strip(), status=500, content_type="text/plain")
    response = HttpResponse(json.dumps(bundle, indent=1), content_type="application/fhir+json")
    response["Content-Disposition"] = 'attachment; filename="patient-bundle.json"'
    return response


@clinic_view("assessment.view")
@require_GET
def measurements_csv(request: HttpRequest) -> HttpResponse:
    membership = _m(request)
    records = [convert.patient_record(p) for p in scoped_queryset(Patient, membership)]
    audit.record(
        "export",
        user=request.user,
        clinic_id=membership.clinic_id,
        object_type="measurements",
        detail={"format": "csv", "patients": len(records)},
    )
    response = HttpResponse(csvexport.measurements_csv(records), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="measurements.csv"'
    return response


@clinic_view("record.import")
@require_http_methods(["GET", "POST"])
def fhir_import(request: HttpRequest) -> HttpResponse:
    """Import a patient's record (a FHIR Bundle as the export writes it) into the member's own clinic.

    All or nothing: an invalid Bundle is refused with the reason and creates nothing."""
    membership = _m(request)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("bundle")
        try:
            if upload is None:
                raise fhirimport.ImportRefused("Choose the Bundle file (patient-bundle.json) to import.")
            if upload.size is not None and upload.size > fhirimport.MAX_BUNDLE_BYTES:
                raise fhirimport.ImportRefused("The file is larger than the import limit.")
            record = fhirimport.parse(upload.read(fhirimport.MAX_BUNDLE_BYTES + 1))
            patient = fhirimport.import_record(record, membership=membership, user=request.user)
        except FacebalanceError as exc:
            error = f"{exc.message} {exc.hint}".strip()
        else:
            return redirect("clinic:chart", patient_id=patient.pk)
    return render(request, "records/fhir_import.html", {"error": error}, status=422 if error else 200)
