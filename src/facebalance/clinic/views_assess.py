"""Page 4: the assessment. "Run the assessment" queues the whole session's assessment
(:mod:`facebalance.clinic.assessments`: every view, one carried scale, five zones) and shows its progress; the
assessment page shows the five zones with their findings and views, what was not assessed and why, the scale of
each view, the annotated pictures, the frontal zones against their norms, and records the clinician's review
and grades."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from facebalance.clinic import assessments, audit, engine, jobs, photostore
from facebalance.clinic.access import clinic_view, scoped
from facebalance.clinic.forms import ClinicianFindingForm, ReviewForm
from facebalance.clinic.models import (
    CLINICIAN_NOTE,
    FRONTAL_VIEW,
    Assessment,
    AssessmentImage,
    AssessmentRun,
    FindingReview,
    Job,
    Membership,
    Photo,
    PhotoSession,
)
from facebalance.clinic.scalebar import ScaleBar, scale_bar
from facebalance.clinic.views import ViewState, current_photos, current_skips, view_states
from facebalance.errors import FacebalanceError
from facebalance.norms import NormSet
from facebalance.planning.scales import Scale, load_scales
from facebalance.session.protocol import Protocol

if TYPE_CHECKING:
    from facebalance.dynamics.results import DynamicsResult

#: The view whose analysis is the assessment's frontal document.
ANALYSIS_VIEW = FRONTAL_VIEW
ZONE_ORDER = ("proportions", "upper_face", "midface", "lower_face", "symmetry", "profile")
ZONE_LABELS = {
    "proportions": "Proportions (thirds and fifths)",
    "upper_face": "Upper face",
    "midface": "Mid-face",
    "lower_face": "Lower face",
    "symmetry": "Symmetry",
    "profile": "Profile",
}


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


@clinic_view("assessment.run")
@require_POST
def assessment_run(request: HttpRequest, session_id: str) -> HttpResponse:
    """Queue the whole session's assessment (several seconds for six views: run by the background worker, see
    :mod:`facebalance.clinic.assessments`) and show its progress. The frontal photo at rest is the session's
    ruler and the plan's input: without one that counts nothing is queued."""
    session = scoped(PhotoSession, session_id, _m(request), "patient")
    if not assessments.has_frontal_to_assess(session):
        return render(
            request,
            "clinic/message.html",
            {
                "title": "No frontal photo to analyse",
                "message": "The frontal photo at rest must pass its checks (or have its warning accepted) first.",
                "back": session,
            },
            status=409,
        )
    run = assessments.request_assessment(session, request.user)
    return redirect("clinic:assessment_progress", run_id=run.pk)


@clinic_view("assessment.run")
@require_GET
def assessment_progress(request: HttpRequest, run_id: str) -> HttpResponse:
    """A queued assessment's progress (polled by htmx every second), then the assessment itself (htmx is sent
    there by ``HX-Redirect``), or the reason it failed."""
    run = scoped(AssessmentRun, run_id, _m(request), "session__patient")
    if run.assessment_id is not None:
        url = reverse("clinic:assessment", args=[run.assessment_id])
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    job = assessments.latest_job(run)
    if job is not None and job.status in ("queued", "running"):
        jobs.ensure_worker()  # a restarted server picks up what was left queued
    context = {
        "run": run,
        "job": job,
        "session": run.session,
        "patient": run.session.patient,
        "percent": round(100 * job.progress) if job is not None else 0,
        "busy": job is not None and job.status in ("queued", "running"),
    }
    template = "clinic/_assessment_progress.html" if request.headers.get("HX-Request") == "true" else None
    return render(request, template or "clinic/assessment_progress.html", context)


@jobs.handler(assessments.JOB_KIND)
def run_assessment_job(job: Job, progress: jobs.Progress) -> None:
    """The whole-session assessment's job (:func:`facebalance.clinic.assessments.run_job`), with this module's
    :func:`dynamic_assessment` of the session's stills."""
    assessments.run_job(job, progress, still_dynamics=dynamic_assessment)


def expression_series(session: PhotoSession, protocol: Protocol) -> list[tuple[str, Photo]]:
    """The session's photo series for the dynamic assessment: ``[(expression, photo), ...]``, rest first
    (:func:`facebalance.assess.series.expression_series` over the session's current, not skipped photos)."""
    from facebalance.assess.series import expression_series as series_of

    current = current_photos(session)
    return series_of(current, protocol, skipped=current_skips(session, current), rest_view=ANALYSIS_VIEW)


def dynamic_assessment(
    session: PhotoSession, protocol: Protocol, norms: NormSet, read: DynamicsResult | None = None
) -> dict[str, Any]:
    """The dynamic assessment of the session's stored (sanitised) rest and expression photos. ``read`` is the
    session assessment's own reading of its stills (:attr:`facebalance.assess.SessionAssessment.dynamics`),
    taken as it is when it read the same views (the usual case); otherwise (a smile photo that failed its
    checks is measured here all the same, while the session assessment leaves it out) ``facebalance.dynamics``
    runs on this series (about one second for a rest and a smile on this machine). Never raises for the
    photos' sake: a series the engine refuses is kept as ``{"status": "failed", "message": ...}`` and the page
    says so."""
    series = expression_series(session, protocol)
    if not series:
        return {"status": "no_expression_photos"}
    from facebalance.dynamics import DynamicsOptions, assess_photos
    from facebalance.report.dynamics import dynamics_document

    source = ", ".join(p.view_id for _, p in series)  # view ids, never stored file names
    try:
        if read is not None and read.source == source:  # assess_session names its series the same way
            result = read
        else:
            result = assess_photos(
                [photostore.photo_path(p.stored_name) for _, p in series],
                labels=[label for label, _ in series],
                options=DynamicsOptions(norms=norms),
            )
        document = dynamics_document(result)
    except FacebalanceError as exc:
        return {"status": "failed", "message": photostore.refusal_message(exc)}
    document["status"] = "done"
    document["source"] = source
    document["photos"] = [
        {"view_id": p.view_id, "photo": str(p.pk), "expression": label, "status": p.status} for label, p in series
    ]
    return document


def dynamic_rows(dynamics: dict[str, Any]) -> list[dict[str, Any]]:
    """Rest and each expression with its per-side metrics, for the page (with its key frame, rest vs peak,
    when the dynamics come from an analysed video: ``keyframe`` is the key in its URL)."""
    entries = [(-1, dynamics["rest"])] if dynamics.get("rest") else []
    entries += list(enumerate(dynamics.get("expressions", [])))
    frames = set(dynamics.get("keyframes", []))
    out = []
    for index, e in entries:
        metrics = [{"id": mid, **m} for mid, m in e.get("metrics", {}).items()]
        out.append(
            {
                "name": e.get("name", ""),
                "label": e.get("label", e.get("name", "")),
                "primary": e.get("primary", True),
                "unclassified": e.get("name") == "unclassified",
                "candidate": (e.get("reading") or {}).get("candidate", ""),
                "warnings": e.get("warnings", []),
                "metrics": metrics,
                "keyframe": ("rest" if index < 0 else str(index)) if index in frames else "",
            }
        )
    return out


def latest_reviews(assessment: Assessment) -> dict[str, FindingReview]:
    latest: dict[str, FindingReview] = {}
    for review in assessment.reviews.select_related("reviewer").order_by("reviewed_at", "id"):
        latest[review.finding_id] = review
    return latest


def zones(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """Measurements grouped by zone, each with its scale bar against the norm."""
    grouped: OrderedDict[str, list[dict[str, Any]]] = OrderedDict((z, []) for z in ZONE_ORDER)
    for mid, m in analysis.get("measurements", {}).items():
        norm = m.get("norm")
        grouped.setdefault(m.get("zone", "proportions"), []).append(
            {
                "id": mid,
                "label": m.get("label", mid),
                "value": m.get("value"),
                "uncertainty": m.get("uncertainty"),
                "unit": m.get("unit", ""),
                "norm": norm,
                "reason": m.get("not_measurable_reason", ""),
                "bar": _bar_attributes(scale_bar(m.get("value"), m.get("uncertainty"), norm)),
            }
        )
    return [{"id": z, "label": ZONE_LABELS.get(z, z), "rows": rows} for z, rows in grouped.items() if rows]


def _bar_attributes(bar: ScaleBar | None) -> dict[str, Any] | None:
    """The bar's SVG attributes as text (a float printed by the template goes through number localisation,
    a hundred times slower than this on a page of 50 bars)."""
    if bar is None:
        return None
    names = ("band_x", "band_width", "value_x", "interval_x", "interval_width")
    return {**{n: f"{getattr(bar, n):g}" for n in names}, "outside": bar.outside}


def view_words(view_id: str) -> str:
    """``'oblique_left'`` -> ``'oblique left'``: a protocol view in the page's words."""
    return view_id.replace("_", " ")


def _finding_rows(findings: list[dict[str, Any]], reviews: dict[str, FindingReview]) -> list[dict[str, Any]]:
    return [
        {
            "finding": f,
            "views": [view_words(str(v)) for v in f.get("views", [])],
            "review": reviews.get(f["id"]),
            "form": ReviewForm(
                auto_id=_form_ids(f["id"]),
                initial={"sentence": f.get("sentence", ""), "severity": f.get("severity", "")},
            ),
        }
        for f in findings
    ]


def _form_ids(finding_id: str) -> str:
    """Element ids unique to one finding's form: the page holds one form per finding, and htmx matches the
    elements of a swapped form by id (repeated ids would be invalid HTML and mislead its settling)."""
    return f"review-{finding_id}-%s"


def _scales() -> list[Scale]:
    return list(load_scales().values())


def grade_rows(grades: dict[str, int]) -> list[dict[str, Any]]:
    """Each scale with its grade options (value, anchor words, selected) for the grading form."""
    return [
        {
            "scale": s,
            "options": [(s.min + i, anchor, grades.get(s.id) == s.min + i) for i, anchor in enumerate(s.anchors)],
        }
        for s in _scales()
    ]


def _part_of(view: Any) -> str:
    """What a protocol view is for: the frontal analysis, the profile, the oblique views or a movement."""
    if view.id == ANALYSIS_VIEW:
        return "frontal"
    if view.expression not in ("neutral", "any"):
        return "movement"
    return "oblique" if view.mesh else "profile"


def _view_note(s: ViewState) -> str:
    note = f"{s.view.label}: {s.words}"
    if s.skip is not None:
        note += f" ({s.skip.reason})"
    return note


def not_assessed(
    states: list[ViewState], dynamics: dict[str, Any], *, whole_session: bool = False
) -> list[dict[str, str]]:
    """What this assessment says nothing about, and why: each movement whose photo was refused by the dynamic
    assessment, and, for an assessment of the frontal photo only (made before the whole session was assessed),
    each movement whose photo was skipped or not taken and the profile and the oblique views. A whole-session
    assessment says what each zone could not assess (a skipped or missing view, with the reason) in the zone."""
    out = []
    parts = (("profile", "Profile"), ("oblique", "Oblique views (cheek and jaw contour from the side)"))
    if whole_session:
        parts = ()
    for part, title in parts:
        views = [s for s in states if _part_of(s.view) == part]
        if not views:
            continue
        usable = [s for s in views if s.counts]
        why = "; ".join(_view_note(s) for s in views)
        if usable:
            why = f"not measured by this assessment; the photos are in the session for the clinician's review ({why})"
        out.append({"part": title, "why": why})
    failed = dynamics.get("status") == "failed"
    for s in states:
        if _part_of(s.view) != "movement":
            continue
        if (s.state in ("skipped", "missing") and not whole_session) or failed:
            why = dynamics.get("message", "") if failed and s.state not in ("skipped", "missing") else _view_note(s)
            out.append({"part": f"Movement: {s.view.expression.replace('_', ' ')}", "why": why})
    return out


def _findings_context(assessment: Assessment) -> dict[str, Any]:
    """The findings, their review state and what the confirm button may do: the parts of the page a review
    changes (the review answer swaps them out of band, so the count and the button are never stale)."""
    reviews = latest_reviews(assessment)
    rows = _finding_rows(assessment.frontal_findings(), reviews)
    other = _finding_rows(assessment.session_findings(), reviews)
    dynamic = _finding_rows(assessment.dynamic_findings(), reviews)
    added = _finding_rows(assessment.clinician_findings(), reviews)
    unreviewed = sum(1 for r in rows + other + dynamic + added if r["review"] is None)
    return {
        "assessment": assessment,
        "findings": rows,
        "session_findings": other,
        "dynamic_findings": dynamic,
        "added_findings": added,
        "unreviewed": unreviewed,
    }


def _scale_rows(scale: dict[str, Any]) -> list[dict[str, Any]]:
    """The carried scale per view: ``mm/px ± %`` (one sigma), how it was obtained."""
    rows = []
    for view_id, v in (scale.get("views") or {}).items():
        mm = v.get("mm_per_px")
        rel = v.get("relative_uncertainty")
        rows.append(
            {
                "view_id": view_id,
                "view": view_words(view_id),
                "mm_per_px": f"{mm:.4f}" if isinstance(mm, (int, float)) else "",
                "percent": f"{100 * rel:.1f}" if isinstance(rel, (int, float)) else "",
                "method": str(v.get("method", "")).replace("_", " "),
                "detail": v.get("detail", ""),
            }
        )
    return rows


def session_context(assessment: Assessment) -> dict[str, Any]:
    """The whole session's part of the page: the five zones (each finding with its views and the id it is reviewed
    under), each view's status, the carried scale and the annotated pictures of the views other than the frontal
    one at rest. Empty lists for an assessment of the frontal photo only."""
    doc = assessment.session_document or {}
    review_ids = {(f["rule"], tuple(f.get("views", []))): f["id"] for f in assessment.session_findings()}
    review_ids.update({(f["id"], (ANALYSIS_VIEW,)): f["id"] for f in assessment.frontal_findings()})
    session_zones = []
    for z in doc.get("zones", []):
        findings = []
        for f in z.get("findings", []):
            views = tuple(f.get("views", []))
            rule = str(f.get("id", ""))
            anchor = review_ids.get((rule, views), "")
            findings.append(
                {
                    "finding": f,
                    "views": [view_words(str(v)) for v in views],
                    "anchor": f"finding-{anchor}" if anchor else ("dynamics" if rule.startswith("dynamic.") else ""),
                }
            )
        session_zones.append(
            {
                "zone": z.get("zone", ""),
                "label": z.get("label", ""),
                "views": [view_words(str(v)) for v in z.get("views", [])],
                "findings": findings,
                "not_assessed": list(z.get("not_assessed", [])),
            }
        )
    scale = doc.get("scale") or {}
    mm, rel = scale.get("frontal_mm_per_px"), scale.get("frontal_relative_uncertainty")
    images = (
        [
            {"view_id": i.view_id, "view": view_words(i.view_id)}
            for i in assessment.view_images.all()  # type: ignore[attr-defined]
        ]
        if doc
        else []
    )
    return {
        "session_zones": session_zones,
        "session_views": [dict(v, words=view_words(str(v.get("view_id", "")))) for v in doc.get("views", [])],
        "scale": scale,
        "frontal_scale": {
            "ruler": scale.get("ruler", "none"),
            "mm_per_px": f"{mm:.4f}" if isinstance(mm, (int, float)) else "",
            "percent": f"{100 * rel:.1f}" if isinstance(rel, (int, float)) else "",
        },
        "scale_rows": _scale_rows(scale),
        "view_images": images,
        "session_warnings": list(doc.get("warnings", [])),
    }


def _annotated_picture(request: HttpRequest, assessment: Assessment, stored_name: str, view: Any) -> FileResponse:
    """An annotated picture of the assessment from the photo store, audited as a ``view`` of the assessment
    (``detail.annotated``: the view id, ``True`` for the frontal photo at rest)."""
    path = photostore.photo_path(stored_name)
    if not path.is_file():
        raise Http404("The annotated picture is missing; run the integrity check.")
    audit.record(
        "view",
        user=request.user,
        clinic_id=assessment.session.patient.clinic_id,
        obj=assessment,
        detail={"annotated": view},
    )
    return FileResponse(path.open("rb"), content_type="image/png")


@clinic_view("assessment.view")
@require_GET
def assessment_view_image(request: HttpRequest, assessment_id: str, view_id: str) -> HttpResponse:
    """The annotated picture of one analysed view other than the frontal one at rest (oblique, profile, smile):
    an assessment picture, so only to providers of the assessment's clinic, audited, never cached publicly."""
    assessment = scoped(Assessment, assessment_id, _m(request), "session__patient")
    image = AssessmentImage.objects.filter(assessment=assessment, view_id=view_id).first()
    if image is None:
        raise Http404("No annotated picture of that view.")
    response = _annotated_picture(request, assessment, image.stored_name, view_id)
    response["Content-Disposition"] = f'inline; filename="{view_id}-annotated.png"'
    return response


@clinic_view("assessment.view")
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: str) -> HttpResponse:
    membership = _m(request)
    assessment = scoped(Assessment, assessment_id, membership, "session__patient", "confirmed_by")
    session = assessment.session
    audit.record("view", user=request.user, clinic_id=membership.clinic_id, obj=assessment)
    states = view_states(session, engine.clinic_protocol(membership.clinic))
    whole = session_context(assessment)
    return render(
        request,
        "clinic/assessment.html",
        {
            **_findings_context(assessment),
            **whole,
            "session": session,
            "patient": session.patient,
            "zones": zones(assessment.analysis),
            "dynamics": assessment.dynamics or {},
            "dynamic_rows": dynamic_rows(assessment.dynamics or {}),
            "views": [s for s in states if s.view.id != ANALYSIS_VIEW],
            "not_assessed": not_assessed(states, assessment.dynamics or {}, whole_session=bool(whole["session_zones"])),
            "grade_rows": grade_rows(assessment.grades),
            "warnings": assessment.analysis.get("warnings", []),
            "finding_form": ClinicianFindingForm(auto_id="add-finding-%s"),
        },
    )


@clinic_view("assessment.review")
@require_POST
def finding_add(request: HttpRequest, assessment_id: str) -> HttpResponse:
    """The clinician's own finding (any zone, a severity, the sentence, optionally the finding id the planner
    reads); it counts as confirmed, can be rejected like any other, and goes to the plan and the documents."""
    assessment = scoped(Assessment, assessment_id, _m(request))
    form = ClinicianFindingForm(request.POST, auto_id="add-finding-%s")
    if assessment.confirmed_at is None and form.is_valid():
        d = form.cleaned_data
        with transaction.atomic():
            # The row is locked while the finding is appended, so two clinicians adding at once both keep theirs.
            locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
            added = list(locked.added_findings or [])
            n = max((a["n"] for a in added), default=0) + 1
            added.append(
                {
                    "n": n,
                    "rule": d["rule"] or CLINICIAN_NOTE,
                    "zone": d["zone"],
                    "severity": d["severity"],
                    "sentence": d["sentence"],
                    "by": request.user.get_username(),
                    "by_id": request.user.pk,
                    "at": timezone.now().isoformat(),
                }
            )
            locked.added_findings = added
            locked.save(update_fields=["added_findings"])
            review = FindingReview.objects.create(
                assessment=assessment, finding_id=f"clinician-{n}", decision="confirm", reviewer=request.user
            )
            audit.record(
                "change",
                user=request.user,
                clinic_id=assessment.session.patient.clinic_id,
                obj=assessment,
                detail={"added_finding": f"clinician-{n}", "rule": d["rule"] or CLINICIAN_NOTE, "review": review.pk},
            )
    return redirect(f"{reverse('clinic:assessment', args=[assessment.pk])}#added-findings")


@clinic_view("assessment.review")
@require_POST
def finding_review(request: HttpRequest, assessment_id: str, finding_id: str) -> HttpResponse:
    assessment = scoped(Assessment, assessment_id, _m(request))
    finding = next((f for f in assessment.findings() if f["id"] == finding_id), None)
    if finding is None:
        raise Http404("No such finding in this assessment.")
    form = ReviewForm(request.POST, auto_id=_form_ids(finding_id))
    error = ""
    if assessment.confirmed_at is not None:
        error = "The assessment is confirmed; its review is closed."
    elif form.is_valid():
        d = form.cleaned_data
        with transaction.atomic():
            review = FindingReview.objects.create(
                assessment=assessment,
                finding_id=finding_id,
                decision=d["decision"],
                sentence=d["sentence"] if d["decision"] == "edit" else "",
                severity=d["severity"] if d["decision"] == "edit" else "",
                note=d["note"],
                reviewer=request.user,
            )
            audit.record(
                "review",
                user=request.user,
                clinic_id=assessment.session.patient.clinic_id,
                obj=review,
                detail={"assessment": str(assessment.pk), "finding": finding_id, "decision": d["decision"]},
            )
    else:
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
    row = {
        "finding": finding,
        "views": [view_words(str(v)) for v in finding.get("views", [])],
        "review": latest_reviews(assessment).get(finding_id),
        "form": form,
        "error": error,
    }
    if request.headers.get("HX-Request") == "true":
        # The finding is swapped in place; the count awaiting review and the confirm button out of band.
        return render(request, "clinic/_finding_swap.html", {**_findings_context(assessment), "row": row})
    return redirect("clinic:assessment", assessment_id=assessment.pk)


@clinic_view("assessment.review")
@require_POST
def assessment_grades(request: HttpRequest, assessment_id: str) -> HttpResponse:
    """The clinician's grades on the validated scales (blank = not graded)."""
    assessment = scoped(Assessment, assessment_id, _m(request))
    grades: dict[str, int] = {}
    errors = []
    for scale in _scales():
        raw = request.POST.get(f"grade_{scale.id}", "").strip()
        if not raw:
            continue
        try:
            value = int(raw)
        except ValueError:
            errors.append(scale.label)
            continue
        if not scale.min <= value <= scale.max:
            errors.append(scale.label)
            continue
        grades[scale.id] = value
    if not errors and assessment.confirmed_at is None:
        with transaction.atomic():
            assessment.grades = grades
            assessment.save(update_fields=["grades"])
            audit.record(
                "change",
                user=request.user,
                clinic_id=assessment.session.patient.clinic_id,
                obj=assessment,
                detail={"grades": sorted(grades)},
            )
    return redirect("clinic:assessment", assessment_id=assessment.pk)


@clinic_view("assessment.review")
@require_POST
def assessment_confirm(request: HttpRequest, assessment_id: str) -> HttpResponse:
    """Confirm the assessment once every finding has a decision."""
    assessment = scoped(Assessment, assessment_id, _m(request))
    reviews = latest_reviews(assessment)
    if assessment.confirmed_at is None and all(f["id"] in reviews for f in assessment.findings()):
        with transaction.atomic():
            assessment.confirmed_by = request.user
            assessment.confirmed_at = timezone.now()
            assessment.save(update_fields=["confirmed_by", "confirmed_at"])
            audit.record(
                "change",
                user=request.user,
                clinic_id=assessment.session.patient.clinic_id,
                obj=assessment,
                detail={"confirmed": True},
            )
    return redirect("clinic:assessment", assessment_id=assessment.pk)


@clinic_view("assessment.view")
@require_GET
def assessment_annotated(request: HttpRequest, assessment_id: str) -> HttpResponse:
    assessment = scoped(Assessment, assessment_id, _m(request))
    return _annotated_picture(request, assessment, assessment.annotated_name, True)


def reviewed_findings(
    assessment: Assessment,
    *,
    dynamic: bool = False,
    added: bool = False,
    session: bool = False,
    keep_rejected: bool = False,
    reviews: dict[str, FindingReview] | None = None,
) -> list[dict[str, Any]]:
    """The findings as the clinician left them (rejected ones dropped, edits applied, unreviewed kept as
    proposed), for the planner and the documents: the frontal ones (the planner reads a frontal analysis
    document), with ``dynamic=True`` the dynamic ones (engine rule id kept in ``rule``), with ``added=True`` the
    clinician's own, with ``session=True`` the other views' and cross-view ones (engine id kept in ``rule``,
    their views in ``views``). ``keep_rejected`` keeps rejected ones marked ``status: rejected``. ``reviews``: the
    assessment's :func:`latest_reviews`, when the caller has them already."""
    reviews = latest_reviews(assessment) if reviews is None else reviews
    if added:
        source = assessment.clinician_findings()
    elif session:
        source = assessment.session_findings()
    else:
        source = assessment.dynamic_findings() if dynamic else assessment.frontal_findings()
    out = []
    for f in source:
        review = reviews.get(f["id"])
        g = dict(f)
        if review is not None and review.decision == "reject":
            if not keep_rejected:
                continue
            g["status"] = "rejected"
            g["review_note"] = review.note
        elif review is not None:
            g["status"] = "confirmed" if review.decision == "confirm" else "edited"
            if review.decision == "edit":
                g["engine_sentence"] = g.get("sentence", "")
                g["sentence"] = review.sentence or g.get("sentence", "")
                g["severity"] = review.severity or g.get("severity", "")
        else:
            g["status"] = "proposed"
        if review is not None:
            g["reviewer"] = review.reviewer.get_username()
        out.append(g)
    return out


def reviewed_analysis(assessment: Assessment, *, keep_rejected: bool = False) -> dict[str, Any]:
    """The frontal analysis document with the findings as reviewed: every finding the clinician kept (frontal,
    the other views' and cross-view ones, dynamic and their own, in that order), with the clinician's wording and
    grade; what the documents print."""
    findings = (
        reviewed_findings(assessment, keep_rejected=keep_rejected)
        + reviewed_findings(assessment, session=True, keep_rejected=keep_rejected)
        + reviewed_findings(assessment, dynamic=True, keep_rejected=keep_rejected)
        + reviewed_findings(assessment, added=True, keep_rejected=keep_rejected)
    )
    return dict(assessment.analysis, findings=findings)


def clinician_finding_inputs(
    assessment: Assessment, reviews: dict[str, FindingReview] | None = None
) -> list[dict[str, Any]]:
    """The clinician's own findings as the intake document's ``findings`` (the planner reads them by ``rule``); a
    note with no finding id the rules read stays with the assessment and the documents."""
    return [
        {"id": f["rule"], "zone": f["zones"][0], "severity": f["severity"], "sentence": f["sentence"]}
        for f in reviewed_findings(assessment, added=True, reviews=reviews)
        if f["rule"] != CLINICIAN_NOTE
    ]
