"""Page 5 (the plan: generate from the confirmed assessment, show with its explanation, accept) and page 6
(clinic settings, users and roles, the audit verifier)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from facebalance.clinic import audit, plans
from facebalance.clinic.access import allowed, clinic_view, scoped, scoped_queryset, visible_document
from facebalance.clinic.forms import ClinicSettingsForm, NewUserForm, TotpPolicyForm
from facebalance.clinic.models import Assessment, Intake, Membership, Patient, Plan, PlanStatus
from facebalance.clinic.records import convert
from facebalance.clinic.views_assess import clinician_finding_inputs, latest_reviews, reviewed_findings
from facebalance.errors import FacebalanceError
from facebalance.norms import parse_norm_set
from facebalance.planning.documents import EditChoicesDocument, EditResultDocument, IntakeDocument, PlanDocument
from facebalance.records.ledger import history_documents
from facebalance.records.wording import once
from facebalance.session.protocol import parse_protocol


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _plan_inputs(plan: Plan) -> tuple[dict[str, Any], IntakeDocument]:
    """The analysis (as reviewed) and the intake document a plan was made from, as of the plan's start date."""
    if plan.assessment is None:
        raise plans.PlanUnavailable(
            "This plan has no assessment to check changes against.",
            hint="Generate a new plan from a confirmed assessment.",
        )
    # The reviews are read once per plan object: the page after an edit re-uses them (an edit changes the
    # plan's document, never the assessment's reviews).
    reviews = plan.__dict__.get("_fb_reviews")
    if reviews is None:
        reviews = plan.__dict__["_fb_reviews"] = latest_reviews(plan.assessment)
    return _inputs(plan.assessment, plan.patient, plan.intake, plans.plan_start(plan.document), reviews=reviews)


def charted_history(patient: Patient, *, before: date) -> list[dict[str, Any]]:
    """The clinic's charted treatments of the patient before ``before``, as the intake document's ``history``."""
    return history_documents([r for r in convert.treatment_records(patient) if r.performed_on < before])


def _inputs(
    assessment: Assessment,
    patient: Patient,
    intake: Intake | None,
    start: date,
    *,
    reviews: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], IntakeDocument]:
    """The analysis as reviewed and the intake document (every reported and charted treatment before ``start``,
    the clinician's own findings, the grades) that a plan starting on ``start`` is made and checked with."""
    reviews = latest_reviews(assessment) if reviews is None else reviews
    analysis = dict(
        assessment.analysis,
        findings=reviewed_findings(assessment, reviews=reviews),
        session_findings=reviewed_findings(assessment, session=True, reviews=reviews),
        session_document=assessment.session_document or {},
        dynamic_findings=reviewed_findings(assessment, dynamic=True, reviews=reviews),
    )
    intake_doc = plans.intake_document(
        patient,
        intake,
        grades=assessment.grades,
        start=start,
        charted=charted_history(patient, before=start),
        findings=clinician_finding_inputs(assessment, reviews),
    )
    return analysis, intake_doc


@clinic_view("plan.edit")
@require_POST
def plan_new(request: HttpRequest, assessment_id: str) -> HttpResponse:
    assessment = scoped(Assessment, assessment_id, _m(request), "session__patient")
    patient = assessment.session.patient
    if assessment.confirmed_at is None:
        return redirect("clinic:assessment", assessment_id=assessment.pk)
    intake = patient.intakes.order_by("-created_at").first()
    analysis, intake_doc = _inputs(assessment, patient, intake, timezone.localdate())
    try:
        document = plans.generate_plan(analysis, intake_doc, prices_toml=patient.clinic.prices_toml)
    except FacebalanceError as exc:
        return render(
            request,
            "clinic/message.html",
            {"title": "No plan could be made", "message": f"{exc.message} {exc.hint}".strip()},
            status=422,
        )
    with transaction.atomic():
        plan = Plan.objects.create(
            patient=patient, assessment=assessment, intake=intake, document=document, created_by=request.user
        )
        audit.record(
            "create",
            user=request.user,
            clinic_id=patient.clinic_id,
            obj=plan,
            detail={"assessment": str(assessment.pk), "status": document.get("status", "")},
        )
    return redirect("clinic:plan", plan_id=plan.pk)


#: What the plan page and an edit read with the plan, in the same query.
PLAN_RELATED = ("patient", "assessment", "intake", "accepted_by")


def _editable(plan: Plan) -> bool:
    return plan.status == PlanStatus.PROPOSED and plan.document.get("status") == "proposed"


def _plan_context(request: HttpRequest, plan: Plan, *, result: EditResultDocument | None = None) -> dict[str, Any]:
    """The plan page's context: visits with their items, and what may be edited (for a provider)."""
    doc: PlanDocument = visible_document(plan, _m(request))
    items = {i.get("key", i.get("treatment")): i for i in doc.get("items", [])}
    choices: EditChoicesDocument | None = None
    unavailable = ""
    if _editable(plan) and allowed(_m(request), "plan.edit"):
        try:
            analysis, intake_doc = _plan_inputs(plan)
            choices = plans.edit_choices(doc, analysis, intake_doc, prices_toml=_m(request).clinic.prices_toml)
        except plans.PlanUnavailable as exc:
            unavailable = f"{exc.message} {exc.hint}".strip()
    n = len(doc.get("visits", []))
    visits = []
    for v in doc.get("visits", []):
        rows = []
        for key in v.get("items", []):
            if key not in items:
                continue
            choice = choices["items"].get(key) if choices is not None else None
            targets = [(x, f"Visit {x + 1}") for x in range(n) if x != v["index"]] + [(n, "a new visit")]
            rows.append({"item": items[key], "choice": choice, "targets": targets})
        visits.append(dict(v, rows=rows))
    # Each message once: a positive BDDQ-AS is the summary, the screening sentence and a flag, word for word.
    summary = [str(doc.get("summary", ""))]
    screening = once([str((doc.get("screening") or {}).get("sentence", ""))], already=summary)
    shown = summary + screening
    flags = []
    for f in doc.get("flags", []):
        if f.get("id") != plans.EDIT_FLAG and once([f.get("sentence", "")], already=shown):
            flags.append(f)
            shown.append(f.get("sentence", ""))
    referrals = [r for r in doc.get("referrals", []) if once([r.get("sentence", "")], already=shown)]
    return {
        "screening": screening[0] if screening else "",
        "referrals": referrals,
        "timeline": plan_timeline(doc),
        "plan": plan,
        "patient": plan.patient,
        "doc": doc,
        "visits": visits,
        "flags": flags,
        "choices": choices,
        "edit_unavailable": unavailable,
        "result": result,
        "visit_targets": [(x, f"Visit {x + 1}") for x in range(n)] + [(n, "a new visit")],
        "revision": len(plan.edits),
        "assessment_withheld": bool(doc.get("assessment_withheld")),
    }


def plan_timeline(doc: PlanDocument) -> list[dict[str, str]]:
    """The plan's dates in order: each visit, then each maintenance window (the toxin cadence, reviews)."""
    rows = [
        {"from": v["date"], "until": "", "what": f"Visit {v['index'] + 1}", "detail": v.get("purpose", "")}
        for v in doc.get("visits", [])
    ]
    rows += [
        {"from": m["due_from"], "until": m["due_until"], "what": m["label"], "detail": m["sentence"]}
        for m in doc.get("maintenance", [])
    ]
    return sorted(rows, key=lambda r: r["from"])


@clinic_view("plan.view")
@require_GET
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    membership = _m(request)
    plan = scoped(Plan, plan_id, membership, *PLAN_RELATED)
    audit.record("view", user=request.user, clinic_id=membership.clinic_id, obj=plan)
    return render(request, "clinic/plan.html", _plan_context(request, plan))


def _edit_request(post: Any) -> dict[str, Any]:
    """The edit as the engine reads it (:class:`~facebalance.planning.documents.PlanEditRequest`), from the form
    (visits are shown 1-based, sent 0-based). A dose that is not a number is passed on for the engine to refuse.
    """

    def number(name: str) -> float | str | None:
        raw = post.get(name, "").strip()
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            return raw

    edit: dict[str, Any] = {"kind": post.get("kind", ""), "key": post.get("key", "")}
    if post.get("visit", "").strip().isdigit():
        edit["visit"] = int(post["visit"])
    for name in ("dose_low", "dose_high"):
        value = number(name)
        if value is not None:
            edit[name] = value
    if post.get("treatment"):
        edit["treatment"] = post["treatment"]
    return edit


def apply_edit(
    plan_id: str, user: Any, membership: Membership, edit: dict[str, Any], revision: str = ""
) -> tuple[Plan, EditResultDocument, int]:
    """One change to a proposed plan, re-checked by the engine's gates and re-priced, saved with who and when.

    Returns the plan (as saved), the engine's answer (``applied``, ``sentence``, ``violations``) and an HTTP
    status: 200 applied, 422 refused by a gate or not an edit of this plan, 409 when the plan is accepted or
    was changed since ``revision`` (the number of edits the client saw). The plan row is locked for the
    change, so two clinicians editing at once never overwrite each other's change unseen. Raises Http404 for
    another clinic's plan.
    """
    with transaction.atomic():
        # Only the plan's row is locked (PostgreSQL refuses FOR UPDATE on the nullable outer joins); another
        # clinic's plan is not found (404) and so never locked.
        try:
            plan = (
                scoped_queryset(Plan, membership)
                .select_for_update(of=("self",))
                .select_related(*PLAN_RELATED)
                .get(pk=plan_id)
            )
        except (Plan.DoesNotExist, ValueError, TypeError):
            raise Http404("No plan with that id.") from None
        if not _editable(plan):
            return (
                plan,
                {
                    "applied": False,
                    "violations": [],
                    "sentence": "Only a proposed plan that is not yet accepted can be changed.",
                },
                409,
            )
        if revision and revision != str(len(plan.edits)):
            return (
                plan,
                {
                    "applied": False,
                    "violations": [],
                    "sentence": "The plan was changed since this page was loaded: reload it and make the change again.",
                },
                409,
            )
        try:
            analysis, intake_doc = _plan_inputs(plan)
            result = plans.edit_plan(
                plan.document, edit, analysis, intake_doc, prices_toml=membership.clinic.prices_toml
            )
        except plans.PlanUnavailable as exc:
            return plan, {"applied": False, "violations": [], "sentence": f"{exc.message} {exc.hint}".strip()}, 422
        if not result["applied"]:
            return plan, result, 422
        assert "document" in result and result["document"] is not None
        plan.document = result["document"]
        plan.edits = [
            *plan.edits,
            {
                "at": timezone.now().isoformat(timespec="seconds"),
                "by": user.get_username(),
                "by_id": user.pk,
                "edit": edit,
                "sentence": result["sentence"],
                "flags": [v["gate"] for v in result["violations"]],
            },
        ]
        plan.save(update_fields=["document", "edits"])
        # Ids only in the audit log: the edit's kind and the catalogue key of the item, never clinical text.
        audit.record(
            "change",
            user=user,
            clinic_id=membership.clinic_id,
            obj=plan,
            detail={"edit": str(edit.get("kind", "")), "item": str(edit.get("key", "")), "revision": len(plan.edits)},
        )
    return plan, result, 200


@clinic_view("plan.edit")
@require_POST
def plan_edit(request: HttpRequest, plan_id: str) -> HttpResponse:
    """The page's edit: drop, add, change dose or product, move between visits (htmx swaps the plan body)."""
    plan, result, status = apply_edit(
        plan_id, request.user, _m(request), _edit_request(request.POST), request.POST.get("revision", "")
    )
    if request.headers.get("HX-Request") == "true":
        # htmx swaps only 2xx answers by default: a refusal is shown in the page (role="alert") with 200.
        return render(request, "clinic/_plan_body.html", _plan_context(request, plan, result=result))
    if status == 200:
        return redirect("clinic:plan", plan_id=plan.pk)
    return render(request, "clinic/plan.html", _plan_context(request, plan, result=result), status=status)


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
            audit.record(
                "accept",
                user=request.user,
                clinic_id=plan.patient.clinic_id,
                obj=plan,
                detail={"revision": len(plan.edits)},
            )
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
            plans.check_price_list(form.cleaned_data["prices_toml"])
        except FacebalanceError as exc:
            error = f"{exc.message} {exc.hint}".strip()
        else:
            with transaction.atomic():
                form.save()
                audit.record(
                    "change",
                    user=request.user,
                    clinic_id=clinic.pk,
                    obj=clinic,
                    detail={"fields": sorted(form.changed_data)},
                )
            return redirect("clinic:settings")
    return render(request, "clinic/settings.html", _settings_context(clinic, form=form, error=error))


def _settings_context(clinic: Any, **overrides: Any) -> dict[str, Any]:
    members = Membership.objects.filter(clinic=clinic).select_related("user").order_by("user__username")
    required = set(clinic.totp_required_roles or [])
    return {
        "form": ClinicSettingsForm(instance=clinic),
        "error": "",
        "members": [(m, m.role in required) for m in members],
        "user_form": NewUserForm(),
        "totp_form": TotpPolicyForm(initial={"roles": sorted(required)}),
        **overrides,
    }


@clinic_view("settings.manage")
@require_POST
def totp_policy(request: HttpRequest) -> HttpResponse:
    """Which roles must use the TOTP second factor (their members set it up at their next page)."""
    clinic = _m(request).clinic
    form = TotpPolicyForm(request.POST)
    if not form.is_valid():
        return render(request, "clinic/settings.html", _settings_context(clinic, totp_form=form), status=422)
    roles = sorted(form.cleaned_data["roles"])
    if roles != sorted(clinic.totp_required_roles or []):
        with transaction.atomic():
            clinic.totp_required_roles = roles
            clinic.save(update_fields=["totp_required_roles"])
            audit.record(
                "change", user=request.user, clinic_id=clinic.pk, obj=clinic, detail={"totp_required_roles": roles}
            )
    return redirect("clinic:settings")


@clinic_view("users.manage")
@require_POST
def user_new(request: HttpRequest) -> HttpResponse:
    clinic = _m(request).clinic
    form = NewUserForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
            membership = Membership.objects.create(user=user, clinic=clinic, role=form.cleaned_data["role"])
            audit.record(
                "create", user=request.user, clinic_id=clinic.pk, obj=membership, detail={"role": membership.role}
            )
        return redirect("clinic:settings")
    return render(request, "clinic/settings.html", _settings_context(clinic, user_form=form), status=422)


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
            audit.record(
                "change", user=request.user, clinic_id=membership.clinic_id, obj=membership, detail={"active": False}
            )
    return redirect("clinic:settings")


@clinic_view("users.manage")
@require_POST
def user_reset_totp(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Clear a member's TOTP (a lost phone): they set it up again at their next login if their role needs it."""
    membership = Membership.objects.filter(pk=membership_id, clinic=_m(request).clinic).first()
    if membership is None:
        raise Http404("No such user in this clinic.")
    if membership.totp_secret:
        with transaction.atomic():
            membership.totp_secret = ""
            membership.save(update_fields=["totp_secret"])
            audit.record(
                "change", user=request.user, clinic_id=membership.clinic_id, obj=membership, detail={"totp": "reset"}
            )
    return redirect("clinic:settings")


@clinic_view("audit.view")
@require_GET
def audit_page(request: HttpRequest) -> HttpResponse:
    clinic = _m(request).clinic
    report = audit.verify_chain()
    events = audit.AuditEvent.objects.filter(clinic_id=clinic.pk).order_by("-seq")[:200]
    return render(request, "clinic/audit.html", {"report": report, "events": events})
