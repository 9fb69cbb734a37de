"""Page 5 (the plan: generate from the confirmed assessment, show with its explanation, accept) and page 6
(clinic settings, users and roles, the audit verifier)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from facebalance.clinic import audit, plans
from facebalance.clinic.access import clinic_view, scoped
from facebalance.clinic.forms import ClinicSettingsForm, NewUserForm
from facebalance.clinic.models import Assessment, Membership, Plan, PlanStatus
from facebalance.clinic.views_assess import reviewed_findings
from facebalance.errors import FacebalanceError
from facebalance.norms import parse_norm_set
from facebalance.session.protocol import parse_protocol


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


@clinic_view("plan.edit")
@require_POST
def plan_new(request: HttpRequest, assessment_id: str) -> HttpResponse:
    assessment = scoped(Assessment, assessment_id, _m(request))
    patient = assessment.session.patient
    if assessment.confirmed_at is None:
        return redirect("clinic:assessment", assessment_id=assessment.pk)
    intake = patient.intakes.order_by("-created_at").first()
    analysis = dict(assessment.analysis, findings=reviewed_findings(assessment))
    try:
        document = plans.generate_plan(analysis, plans.intake_document(
            patient, intake, grades=assessment.grades, start=timezone.localdate()))
    except FacebalanceError as exc:
        return render(request, "clinic/message.html", {"title": "No plan could be made",
                                                       "message": f"{exc.message} {exc.hint}".strip()}, status=422)
    with transaction.atomic():
        plan = Plan.objects.create(patient=patient, assessment=assessment, intake=intake, document=document,
                                   created_by=request.user)
        audit.record("create", user=request.user, clinic_id=patient.clinic_id, obj=plan,
                     detail={"assessment": str(assessment.pk), "status": document.get("status", "")})
    return redirect("clinic:plan", plan_id=plan.pk)


@clinic_view("plan.view")
@require_GET
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = scoped(Plan, plan_id, _m(request))
    audit.record("view", user=request.user, clinic_id=plan.patient.clinic_id, obj=plan)
    doc = plan.document
    items = {i.get("key", i.get("treatment")): i for i in doc.get("items", [])}
    visits = [dict(v, item_docs=[items[k] for k in v.get("items", []) if k in items]) for v in doc.get("visits", [])]
    return render(request, "clinic/plan.html", {"plan": plan, "patient": plan.patient, "doc": doc, "visits": visits})


@clinic_view("plan.accept")
@require_POST
def plan_accept(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = scoped(Plan, plan_id, _m(request))
    if plan.status == PlanStatus.PROPOSED and plan.document.get("status") == "proposed" and request.POST.get("consent"):
        with transaction.atomic():
            plan.status = PlanStatus.ACCEPTED
            plan.accepted_by = request.user
            plan.accepted_at = timezone.now()
            plan.save(update_fields=["status", "accepted_by", "accepted_at"])
            audit.record("accept", user=request.user, clinic_id=plan.patient.clinic_id, obj=plan)
    return redirect("clinic:plan", plan_id=plan.pk)


# --- 6. settings -------------------------------------------------------------------------------------


@clinic_view("settings.manage")
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    clinic = _m(request).clinic
    form = ClinicSettingsForm(request.POST or None, instance=clinic)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            # Checked with the engine's own parsers before anything is saved.
            if form.cleaned_data["protocol_toml"].strip():
                parse_protocol(form.cleaned_data["protocol_toml"], origin="clinic protocol")
            if form.cleaned_data["norms_toml"].strip():
                parse_norm_set(form.cleaned_data["norms_toml"], origin="clinic norms")
        except FacebalanceError as exc:
            error = f"{exc.message} {exc.hint}".strip()
        else:
            with transaction.atomic():
                form.save()
                audit.record("change", user=request.user, clinic_id=clinic.pk, obj=clinic,
                             detail={"fields": sorted(form.changed_data)})
            return redirect("clinic:settings")
    members = Membership.objects.filter(clinic=clinic).select_related("user").order_by("user__username")
    return render(request, "clinic/settings.html", {"form": form, "error": error, "members": members,
                                                    "user_form": NewUserForm()})


@clinic_view("users.manage")
@require_POST
def user_new(request: HttpRequest) -> HttpResponse:
    clinic = _m(request).clinic
    form = NewUserForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=form.cleaned_data["username"],
                                                        password=form.cleaned_data["password"])
            membership = Membership.objects.create(user=user, clinic=clinic, role=form.cleaned_data["role"])
            audit.record("create", user=request.user, clinic_id=clinic.pk, obj=membership,
                         detail={"role": membership.role})
        return redirect("clinic:settings")
    members = Membership.objects.filter(clinic=clinic).select_related("user").order_by("user__username")
    return render(request, "clinic/settings.html", {"form": ClinicSettingsForm(instance=clinic), "members": members,
                                                    "user_form": form}, status=422)


@clinic_view("users.manage")
@require_POST
def user_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = Membership.objects.filter(pk=membership_id, clinic=_m(request).clinic).select_related("user").first()
    if membership is None:
        raise Http404("No such user in this clinic.")
    if membership.user_id != request.user.pk:
        with transaction.atomic():
            membership.user.is_active = False
            membership.user.set_password(secrets.token_urlsafe(32))
            membership.user.save(update_fields=["is_active", "password"])
            audit.record("change", user=request.user, clinic_id=membership.clinic_id, obj=membership,
                         detail={"active": False})
    return redirect("clinic:settings")


@clinic_view("audit.view")
@require_GET
def audit_page(request: HttpRequest) -> HttpResponse:
    clinic = _m(request).clinic
    report = audit.verify_chain()
    events = audit.AuditEvent.objects.filter(clinic_id=clinic.pk).order_by("-seq")[:200]
    return render(request, "clinic/audit.html", {"report": report, "events": events})
