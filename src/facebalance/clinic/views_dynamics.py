"""The dynamics step of a photo session: guided video capture in the browser (or a phone video), the analysis
in the background with its progress, and the segmented expressions with their key frames.

The capture page's prompts come from the guided script (``dynamics/data/script_default.toml``: rest, then each
expression held for ``hold_s`` and relaxed for ``relax_s``); ``static/clinic/capture.js`` records the camera
with MediaRecorder while it shows them and sends their times with the video as its labels. Nothing is analysed
in the request: the upload is checked and quarantined, a job is queued (:mod:`facebalance.clinic.jobs`) and
the step polls its progress with htmx.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from facebalance.clinic import audit, jobs, photostore, recordings
from facebalance.clinic.access import clinic_view, scoped
from facebalance.clinic.models import Membership, PhotoSession
from facebalance.clinic.models_dynamics import DynamicsKeyframe, DynamicsRecording
from facebalance.errors import FacebalanceError


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def capture_plan() -> dict[str, Any]:
    """The guided capture's prompts in order, with how long each is shown (from the default script)."""
    from facebalance.dynamics.script import load_script

    script = load_script()
    timing = script.capture
    if timing is None:  # pragma: no cover - the default script has one
        raise Http404("The guided script has no capture timing.")
    rest = script.rest
    prompts = [{"name": rest.name, "label": rest.label, "instruction": rest.instruction, "hold_s": timing.rest_s}]
    prompts += [
        {"name": e.name, "label": e.label, "instruction": e.instruction, "hold_s": timing.hold_s}
        for e in script.movements
    ]
    return {
        "prompts": prompts,
        "relax_s": timing.relax_s,
        "total_s": round(timing.total_s(len(script.movements)), 1),
        "review": timing.review,
    }


def recording_rows(recording: DynamicsRecording) -> list[dict[str, Any]]:
    """The rest and each segmented expression of an analysed recording, for the page: name, reading, times,
    the main per-side movements and whether a key-frame picture exists."""
    document = recording.document or {}
    frames = set(document.get("keyframes", []))
    rows = []
    entries = [(-1, document.get("rest") or {}), *enumerate(document.get("expressions", []))]
    for index, entry in entries:
        if not entry:
            continue
        reading = entry.get("reading") or {}
        metrics = [{"id": k, **v} for k, v in (entry.get("metrics") or {}).items()]
        rows.append(
            {
                "index": index,
                "name": entry.get("name", ""),
                "label": entry.get("label", ""),
                "unclassified": entry.get("name") == "unclassified",
                "candidate": reading.get("candidate", ""),
                "verdict": reading.get("verdict", ""),
                "proposed_by": reading.get("proposed_by", ""),
                "primary": entry.get("primary", True),
                "start_s": entry.get("start_s"),
                "end_s": entry.get("end_s"),
                "peak_s": entry.get("peak_s"),
                "warnings": entry.get("warnings", []),
                "metrics": metrics,
                "keyframe": index in frames,
                "key": "rest" if index < 0 else str(index),
            }
        )
    return rows


def status_context(recording: DynamicsRecording) -> dict[str, Any]:
    """One recording's status for the page (no query: its progress is on its row, its key frames in its document)."""
    return {
        "recording": recording,
        "percent": round(100 * recording.progress),
        "rows": recording_rows(recording) if recording.document else [],
        "document": recording.document or {},
    }


def step_context(session: PhotoSession) -> dict[str, Any]:
    """What the session page's dynamics step shows: the capture plan and the session's recordings."""
    # One query whatever the history: the newest recordings (progress on each row, key frames in each document).
    items = list(session.recordings.order_by("-uploaded_at")[:5])
    if any(r.busy for r in items):
        jobs.ensure_worker()  # a restarted server picks up what was left queued
    plan = capture_plan()
    return {
        "session": session,
        "plan": plan,
        "plan_json": json.dumps(plan),
        "recordings": [status_context(r) for r in items],
    }


@clinic_view("photo.upload")
@require_POST
def recording_upload(request: HttpRequest, session_id: str) -> HttpResponse:
    """Receive a video (the browser's recording or a phone video) with its prompt times; queue its analysis.

    The body was already streamed to the photo store's temporary folder by :class:`recordings.VideoUploadHandler`
    (bounded by ``FACEBALANCE_VIDEO_MAX_BYTES``), which the upload-limit middleware sets for this path before
    anything reads the body; a body over the limit never reaches the view (413).
    """
    session = scoped(PhotoSession, session_id, _m(request))
    error = ""
    recording: DynamicsRecording | None = None
    upload = request.FILES.get("video")
    try:
        prompts = recordings.check_prompts(request.POST.get("prompts", ""))
        recording = recordings.add_recording(
            session, upload, prompts=prompts, source=request.POST.get("source", "upload"), user=request.user
        )
    except FacebalanceError as exc:
        recordings.discard(upload)
        error = photostore.refusal_message(exc)
    if recording is not None:
        jobs.ensure_worker()
    if _is_htmx(request) or request.headers.get("X-Requested-With") == "capture":
        ctx = status_context(recording) if recording is not None else {}
        return render(request, "clinic/_dynamics_status.html", {**ctx, "error": error, "session": session})
    if error:
        return render(
            request,
            "clinic/message.html",
            {"title": "The video was refused", "message": error, "back": session},
            status=422,
        )
    return redirect("clinic:session", session_id=session.pk)


@clinic_view("photo.view")
@require_GET
def recording_status(request: HttpRequest, recording_id: str) -> HttpResponse:
    """One recording's progress (polled by htmx while it is queued or running), then its expressions: their
    movements and key frames only to those who may see the assessment (the front desk records and waits)."""
    recording = scoped(DynamicsRecording, recording_id, _m(request))
    if recording.busy:
        jobs.ensure_worker()
    return render(request, "clinic/_dynamics_status.html", {**status_context(recording), "session": recording.session})


@clinic_view("assessment.view")
@require_GET
def recording_keyframe(request: HttpRequest, recording_id: str, key: str) -> HttpResponse:
    """One expression's rest-vs-peak picture with its movement drawn (``key``: its index in the document,
    ``rest`` for the rest frame): an assessment picture, so only to providers of the recording's clinic, audited."""
    recording = scoped(DynamicsRecording, recording_id, _m(request))
    try:
        index = -1 if key == "rest" else int(key)
    except ValueError:
        raise Http404("No key frame for that expression.") from None
    frame = DynamicsKeyframe.objects.filter(recording=recording, index=index).first()
    if frame is None:
        raise Http404("No key frame for that expression.")
    path = photostore.photo_path(frame.stored_name)
    if not path.is_file():
        raise Http404("The key frame is missing; run the integrity check.")
    audit.record(
        "view",
        user=request.user,
        clinic_id=recording.session.patient.clinic_id,
        obj=recording,
        detail={"keyframe": index},
    )
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="keyframe-{index}.jpg"'
    return response
