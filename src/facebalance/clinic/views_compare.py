"""Before/after: two photo sessions of one patient compared on one view with ``facebalance.beforeafter``
(alignment on stable anatomy, aligned side-by-side, blink pair, overlay, measurement changes with the
2-sigma flag). Runs in the request like the frontal analysis (two analyses and the alignment, about a second);
the pictures are stored in the photo store and served only by :func:`comparison_picture`, audited."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from facebalance.analysis import analyze_photo
from facebalance.clinic import audit, engine, photostore
from facebalance.clinic.access import clinic_view, scoped
from facebalance.clinic.models import Comparison, Membership, Patient, Photo, PhotoSession
from facebalance.clinic.views import current_photos
from facebalance.errors import FacebalanceError


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _choices(patient: Patient) -> tuple[list[PhotoSession], list[str]]:
    sessions = list(PhotoSession.objects.filter(patient=patient).order_by("created_at"))
    views: list[str] = []
    for s in sessions:
        for view_id in current_photos(s):
            if view_id not in views:
                views.append(view_id)
    return sessions, views


def _label(photo: Photo, role: str) -> str:
    return f"{role} {photo.session.created_at:%Y-%m-%d} {photo.view_id}"


@clinic_view("assessment.run")
@require_http_methods(["GET", "POST"])
def compare_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Choose two sessions and a view (GET); compare them and keep the result (POST)."""
    m = _m(request)
    patient = scoped(Patient, patient_id, m)
    sessions, views = _choices(patient)
    context: dict[str, Any] = {
        "patient": patient,
        "sessions": sessions,
        "views": views,
        "comparisons": Comparison.objects.filter(patient=patient),
        "error": "",
    }
    if request.method == "GET":
        audit.record("view", user=request.user, clinic_id=patient.clinic_id, obj=patient, detail={"compare": True})
        return render(request, "clinic/compare_new.html", context)
    before_s = scoped(PhotoSession, request.POST.get("before", ""), m) if request.POST.get("before") else None
    after_s = scoped(PhotoSession, request.POST.get("after", ""), m) if request.POST.get("after") else None
    view_id = request.POST.get("view_id", "")
    for s in (before_s, after_s):
        if s is not None and s.patient_id != patient.pk:
            raise Http404("No such session for this patient.")
    before = current_photos(before_s).get(view_id) if before_s else None
    after = current_photos(after_s).get(view_id) if after_s else None
    if before_s is None or after_s is None or before_s.pk == after_s.pk:
        context["error"] = "Choose two different photo sessions of this patient."
    elif before is None or after is None:
        context["error"] = f"Both sessions need a photo of the view {view_id or '(none chosen)'}."
    elif not before.stored_name or not after.stored_name:
        context["error"] = "A photo imported without its pixels cannot be compared; take a new one."
    if context["error"]:
        return render(request, "clinic/compare_new.html", context, status=422)
    assert before is not None and after is not None
    from facebalance.beforeafter import aligned_pictures, compare_analyses, comparison_document, png_bytes

    norms = engine.clinic_norms(patient.clinic)
    try:
        analyses = []
        with engine.landmarker() as lm:
            for photo, role in ((before, "Before"), (after, "After")):
                data = photostore.photo_path(photo.stored_name).read_bytes()
                analysis = analyze_photo(
                    data, sex=patient.sex, ethnicity=patient.ethnicity or None, norms=norms, landmarker=lm
                )
                analyses.append(dataclasses.replace(analysis, source_name=_label(photo, role)))
        first, second = analyses
        result = compare_analyses(first, second)
        pictures = aligned_pictures(first, second, result.alignment)
        document = comparison_document(result, before_scale_to_full=first.image.scale_to_full)
        files = {
            "side_by_side_name": png_bytes(pictures.side_by_side),
            "blink_before_name": png_bytes(pictures.before),
            "blink_after_name": png_bytes(pictures.after_aligned),
            "overlay_name": png_bytes(pictures.overlay),
        }
    except FacebalanceError as exc:
        context["error"] = f"The photos could not be compared: {photostore.refusal_message(exc)}"
        return render(request, "clinic/compare_new.html", context, status=422)
    names = {field: photostore.new_name(".png") for field in files}
    parts = {names[field]: photostore.write_part(data) for field, data in files.items()}

    def create() -> Comparison:
        comparison = Comparison.objects.create(
            patient=patient,
            view_id=view_id,
            before_photo=before,
            after_photo=after,
            document=document,
            created_by=request.user,
            **names,
        )
        audit.record(
            "create",
            user=request.user,
            clinic_id=patient.clinic_id,
            obj=comparison,
            detail={"before": str(before.pk), "after": str(after.pk)},
        )
        return comparison

    comparison: Comparison = photostore.commit_files(parts, create)
    return redirect("clinic:comparison", comparison_id=comparison.pk)


@clinic_view("assessment.view")
@require_GET
def comparison_detail(request: HttpRequest, comparison_id: str) -> HttpResponse:
    comparison = scoped(Comparison, comparison_id, _m(request))
    audit.record("view", user=request.user, clinic_id=comparison.patient.clinic_id, obj=comparison)
    changes = comparison.document.get("changes", [])
    return render(
        request,
        "clinic/comparison.html",
        {
            "comparison": comparison,
            "patient": comparison.patient,
            "doc": comparison.document,
            "changes": changes,
            "changed": [c for c in changes if c.get("changed")],
        },
    )


@clinic_view("assessment.view")
@require_GET
def comparison_picture(request: HttpRequest, comparison_id: str, kind: str) -> HttpResponse:
    """One stored picture of the comparison (``side-by-side``, ``blink-before``, ``blink-after``, ``overlay``)."""
    comparison = scoped(Comparison, comparison_id, _m(request))
    field = Comparison.PICTURES.get(kind)
    name = getattr(comparison, field) if field else ""
    if not name:
        raise Http404("No such picture.")
    path = photostore.photo_path(name)
    if not path.is_file():
        raise Http404("The picture is missing; run the integrity check.")
    audit.record(
        "view", user=request.user, clinic_id=comparison.patient.clinic_id, obj=comparison, detail={"picture": kind}
    )
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{kind}.png"'
    return response
