"""Page 4: the assessment. Runs the frontal analysis on the session's frontal photo, shows the zones against
their norms and the proposed findings, and records the clinician's review and grades."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from facebalance.analysis import analyze_photo
from facebalance.clinic import audit, engine, photostore, recordings
from facebalance.clinic.access import clinic_view, scoped
from facebalance.clinic.forms import ReviewForm
from facebalance.clinic.models import Assessment, FindingReview, Membership, Photo, PhotoSession
from facebalance.clinic.scalebar import ScaleBar, scale_bar
from facebalance.clinic.views import current_photos
from facebalance.errors import FacebalanceError
from facebalance.norms import NormSet
from facebalance.planning.scales import Scale, load_scales
from facebalance.report.annotate import render_annotated
from facebalance.report.document import analysis_document
from facebalance.session.protocol import Protocol

#: The view the frontal analysis runs on.
ANALYSIS_VIEW = "frontal_rest"
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
    """Analyse the session's frontal photo (in the request: about 0.4 s, see engine.py) and store the result."""
    session = scoped(PhotoSession, session_id, _m(request))
    patient = session.patient
    photo = current_photos(session).get(ANALYSIS_VIEW)
    if photo is None or not photo.counts:
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
    data = photostore.photo_path(photo.stored_name).read_bytes()
    try:
        with engine.landmarker() as lm:
            result = analyze_photo(
                data,
                sex=patient.sex,
                ethnicity=patient.ethnicity or None,
                norms=engine.clinic_norms(patient.clinic),
                landmarker=lm,
            )
        document = analysis_document(result)
        annotated = render_annotated(result)
    except FacebalanceError as exc:
        return render(
            request,
            "clinic/message.html",
            {"title": "The photo could not be analysed", "message": photostore.refusal_message(exc), "back": session},
            status=422,
        )
    document["input"]["name"] = f"{ANALYSIS_VIEW}.jpg"  # never an uploaded file name
    # A session's analysed guided video (prompted, every expression) is read in preference to its stills.
    dynamics = recordings.session_dynamics(session) or dynamic_assessment(
        session, engine.clinic_protocol(patient.clinic), engine.clinic_norms(patient.clinic)
    )
    name = photostore.new_name(".png")
    part = photostore.write_part(annotated)

    def create() -> Assessment:
        assessment = Assessment.objects.create(
            session=session,
            photo=photo,
            analysis=document,
            dynamics=dynamics,
            annotated_name=name,
            created_by=request.user,
        )
        audit.record(
            "create",
            user=request.user,
            clinic_id=patient.clinic_id,
            obj=assessment,
            detail={"session": str(session.pk), "photo": str(photo.pk)},
        )
        return assessment

    assessment: Assessment = photostore.commit_files({name: part}, create)
    return redirect("clinic:assessment", assessment_id=assessment.pk)


def expression_series(session: PhotoSession, protocol: Protocol) -> list[tuple[str, Photo]]:
    """The session's photo series for the dynamic assessment: ``[(expression, photo), ...]``, rest first.

    The rest photo is the frontal one at rest; the expressions are the protocol's views that ask for one
    (``frontal_smile`` -> ``smile``, ``brow_raise``, ``frown``, ``eye_closure``, ``pucker``), named by the
    view's ``expression``, which the dynamics script knows by name. Empty without a rest photo or without
    any expression photo."""
    current = current_photos(session)
    rest = current.get(ANALYSIS_VIEW)
    series = [
        (v.expression, current[v.id])
        for v in protocol.views
        if v.expression not in ("neutral", "any") and v.id in current
    ]
    if rest is None or not series:
        return []
    return [("rest", rest), *series]


def dynamic_assessment(session: PhotoSession, protocol: Protocol, norms: NormSet) -> dict[str, Any]:
    """Run ``facebalance.dynamics`` on the session's stored (sanitised) rest and expression photos, in the
    request (about one second for a rest and a smile on this machine). Never raises for the photos' sake: a
    series the engine refuses is kept as ``{"status": "failed", "message": ...}`` and the page says so."""
    series = expression_series(session, protocol)
    if not series:
        return {"status": "no_expression_photos"}
    from facebalance.dynamics import DynamicsOptions, assess_photos
    from facebalance.report.dynamics import dynamics_document

    try:
        result = assess_photos(
            [photostore.photo_path(p.stored_name) for _, p in series],
            labels=[label for label, _ in series],
            options=DynamicsOptions(norms=norms),
        )
        document = dynamics_document(result)
    except FacebalanceError as exc:
        return {"status": "failed", "message": photostore.refusal_message(exc)}
    document["status"] = "done"
    document["source"] = ", ".join(p.view_id for _, p in series)  # view ids, never stored file names
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


def _finding_rows(findings: list[dict[str, Any]], reviews: dict[str, FindingReview]) -> list[dict[str, Any]]:
    return [
        {
            "finding": f,
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


@clinic_view("assessment.view")
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: str) -> HttpResponse:
    membership = _m(request)
    assessment = scoped(Assessment, assessment_id, membership, "session__patient", "confirmed_by")
    session = assessment.session
    audit.record("view", user=request.user, clinic_id=membership.clinic_id, obj=assessment)
    reviews = latest_reviews(assessment)
    rows = _finding_rows(assessment.frontal_findings(), reviews)
    dynamic = _finding_rows(assessment.dynamic_findings(), reviews)
    unreviewed = sum(1 for r in rows + dynamic if r["review"] is None)
    return render(
        request,
        "clinic/assessment.html",
        {
            "assessment": assessment,
            "session": session,
            "patient": session.patient,
            "zones": zones(assessment.analysis),
            "findings": rows,
            "unreviewed": unreviewed,
            "dynamic_findings": dynamic,
            "dynamics": assessment.dynamics or {},
            "dynamic_rows": dynamic_rows(assessment.dynamics or {}),
            "photos": list(current_photos(session).values()),
            "grade_rows": grade_rows(assessment.grades),
            "warnings": assessment.analysis.get("warnings", []),
        },
    )


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
    row = {"finding": finding, "review": latest_reviews(assessment).get(finding_id), "form": form, "error": error}
    if request.headers.get("HX-Request") == "true":
        return render(request, "clinic/_finding.html", {"row": row, "assessment": assessment})
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
    path = photostore.photo_path(assessment.annotated_name)
    if not path.is_file():
        raise Http404("The annotated picture is missing; run the integrity check.")
    audit.record(
        "view",
        user=request.user,
        clinic_id=assessment.session.patient.clinic_id,
        obj=assessment,
        detail={"annotated": True},
    )
    return FileResponse(path.open("rb"), content_type="image/png")


def reviewed_findings(
    assessment: Assessment, *, dynamic: bool = False, reviews: dict[str, FindingReview] | None = None
) -> list[dict[str, Any]]:
    """The findings as the clinician left them (rejected ones dropped, edits applied, unreviewed kept as
    proposed), for the planner: the frontal ones (the planner reads a frontal analysis document), or with
    ``dynamic=True`` the dynamic ones (engine rule id kept in ``rule``). ``reviews``: the assessment's
    :func:`latest_reviews`, when the caller has them already."""
    reviews = latest_reviews(assessment) if reviews is None else reviews
    out = []
    for f in assessment.dynamic_findings() if dynamic else assessment.frontal_findings():
        review = reviews.get(f["id"])
        if review is not None and review.decision == "reject":
            continue
        g = dict(f)
        if review is not None:
            g["status"] = "confirmed" if review.decision == "confirm" else "edited"
            if review.decision == "edit":
                g["sentence"] = review.sentence or g.get("sentence", "")
                g["severity"] = review.severity or g.get("severity", "")
        out.append(g)
    return out
