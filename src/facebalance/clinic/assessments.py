"""The whole-session assessment, run by the background worker (:mod:`facebalance.clinic.jobs`).

"Run the assessment" on the session page adds an :class:`~facebalance.clinic.models.AssessmentRun` and its job
(kind :data:`JOB_KIND`, whose handler :mod:`facebalance.clinic.views_assess` registers) in one transaction and
returns at once; the worker reads the session's current photos that count (each from the photo store, named
``<view>.jpg``, never an uploaded file name) and the views skipped with their reasons, runs
:func:`facebalance.assess.assess_session` with the patient's sex and ethnicity, the clinic's norm set and
protocol and the process's shared landmarker, and stores in one transaction the
:class:`~facebalance.clinic.models.Assessment` (the frontal document, the session document, the dynamic
assessment), one annotated picture per analysed view and the audit row. A six-view session takes about 6 s on the
clinic's machine, 7.4 s the first time in a process (docs/clinic.md), too long for a request.

The frontal photo at rest is the session's ruler and the plan's input: when it is refused the run fails with
the engine's reason and no assessment is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from facebalance.assess import SessionPhoto, assess_session
from facebalance.clinic import audit, engine, jobs, photostore, recordings
from facebalance.clinic.models import (
    FRONTAL_VIEW,
    Assessment,
    AssessmentImage,
    AssessmentRun,
    Job,
    PhotoSession,
)
from facebalance.clinic.views import current_photos, current_skips
from facebalance.errors import FacebalanceError
from facebalance.norms import NormSet
from facebalance.report.session import session_document, session_images
from facebalance.session.protocol import Protocol

if TYPE_CHECKING:
    from facebalance.dynamics.results import DynamicsResult

#: The job kind that assesses one session.
JOB_KIND = "session_assessment"


class AssessmentRefused(FacebalanceError):
    """The session cannot be assessed (its frontal photo at rest was refused by the engine)."""

    code = "assessment_refused"


def session_inputs(session: PhotoSession, protocol: Protocol) -> tuple[list[SessionPhoto], dict[str, str]]:
    """The session's photos for :func:`~facebalance.assess.assess_session` (the newest photo of each view that
    counts: passed, or its warning accepted; not skipped after it) and the protocol views skipped with their
    reasons."""
    current = current_photos(session)
    skipped = current_skips(session, current)
    photos = [
        SessionPhoto(view_id, photostore.photo_path(p.stored_name).read_bytes(), f"{view_id}.jpg")
        for view_id, p in current.items()
        if p.counts and p.stored_name and view_id not in skipped
    ]
    known = {v.id for v in protocol.views}
    return photos, {v: s.reason for v, s in skipped.items() if v in known}


def has_frontal_to_assess(session: PhotoSession) -> bool:
    """Whether the session's frontal photo at rest (its ruler and the plan's input) counts: passed its checks,
    or its warning accepted. Without one no assessment is queued (the page and the API say so)."""
    photo = current_photos(session).get(FRONTAL_VIEW)
    return photo is not None and photo.counts


def request_assessment(session: PhotoSession, user: Any) -> AssessmentRun:
    """Queue the assessment of a session: its run, its job and the audit row in one transaction."""
    with transaction.atomic():
        run = AssessmentRun.objects.create(session=session, requested_by=user)
        job = jobs.enqueue(JOB_KIND, str(run.pk))
        audit.record(
            "create",
            user=user,
            clinic_id=session.patient.clinic_id,
            obj=run,
            detail={"session": str(session.pk), "job": job.pk},
        )
    jobs.ensure_worker()
    return run


def latest_job(run: AssessmentRun) -> Job | None:
    return jobs.latest(JOB_KIND, str(run.pk))


def _stepper(progress: jobs.Progress, steps: int) -> Any:
    done = [0]

    def step(line: str) -> None:
        done[0] += 1
        progress(0.05 + 0.8 * min(done[0], steps) / steps, f"Analysing {line}")

    return step


#: The clinic's dynamic assessment of a session's stills (``views_assess.dynamic_assessment``), given the
#: session assessment's own reading of them (reused when it read the same photos).
StillDynamics = Callable[[PhotoSession, Protocol, NormSet, "DynamicsResult | None"], dict[str, Any]]


def run_job(job: Job, progress: jobs.Progress, *, still_dynamics: StillDynamics) -> None:
    """Assess one run's session and store the assessment (nothing when it was stored already); the handler of
    :data:`JOB_KIND` (registered by :mod:`facebalance.clinic.views_assess`, which owns ``still_dynamics``: the
    dynamic assessment of the session's rest and expression stills, used when the session has no analysed
    video)."""
    run = AssessmentRun.objects.select_related("session__patient__clinic", "requested_by").get(pk=job.object_id)
    if run.assessment_id is not None:
        return
    session = run.session
    patient = session.patient
    protocol = engine.clinic_protocol(patient.clinic)
    norms = engine.clinic_norms(patient.clinic)
    progress(0.02, "Reading the session's photos.")
    photos, skipped = session_inputs(session, protocol)
    with engine.landmarker() as lm:
        result = assess_session(
            photos,
            skipped=skipped,
            sex=patient.sex,
            ethnicity=patient.ethnicity or None,
            norms=norms,
            protocol=protocol,
            landmarker=lm,
            progress=_stepper(progress, len(photos) + 2),
        )
    frontal = next((v for v in result.views if v.view_id == FRONTAL_VIEW), None)
    if frontal is None or not frontal.usable:
        why = frontal.reason if frontal is not None and frontal.reason else "it is not in the session"
        raise AssessmentRefused(
            f"The frontal photo at rest could not be analysed: {why}",
            hint="Retake the frontal photo at rest and run the assessment again.",
        )
    progress(0.88, "Drawing the annotated pictures.")
    document = session_document(result)
    images = session_images(result)
    analysis = next(v["document"] for v in document["views"] if v["view_id"] == FRONTAL_VIEW)
    analysis["input"]["name"] = f"{FRONTAL_VIEW}.jpg"  # never an uploaded file name
    progress(0.92, "Assessing the movements.")
    # A session's analysed guided video (prompted, every expression) is read in preference to its stills.
    dynamics = recordings.session_dynamics(session) or still_dynamics(session, protocol, norms, result.dynamics)
    store_assessment(run, analysis=analysis, document=document, images=images, dynamics=dynamics)


def store_assessment(
    run: AssessmentRun,
    *,
    analysis: dict[str, Any],
    document: dict[str, Any],
    images: dict[str, bytes],
    dynamics: dict[str, Any],
) -> Assessment:
    """Write the annotated pictures and create the assessment, its pictures' rows, the run's link and the audit
    row, all or nothing (:func:`facebalance.clinic.photostore.commit_files`)."""
    session = run.session
    photo = current_photos(session)[FRONTAL_VIEW]
    names = {view: photostore.new_name(".png") for view in images}
    parts = {names[view]: photostore.write_part(data) for view, data in images.items()}

    def create() -> Assessment:
        locked = AssessmentRun.objects.select_for_update().get(pk=run.pk)
        if locked.assessment_id is not None:  # a second run of the job (its worker was taken for dead)
            raise AssessmentRefused("This session's assessment was already stored by another worker.")
        assessment = Assessment.objects.create(
            session=session,
            photo=photo,
            analysis=analysis,
            session_document=document,
            dynamics=dynamics,
            annotated_name=names.get(FRONTAL_VIEW, ""),
            created_by=run.requested_by,
        )
        AssessmentImage.objects.bulk_create(
            AssessmentImage(assessment=assessment, view_id=view, stored_name=name)
            for view, name in names.items()
            if view != FRONTAL_VIEW
        )
        locked.assessment = assessment
        locked.save(update_fields=["assessment"])
        audit.record(
            "create",
            user=run.requested_by,
            clinic_id=session.patient.clinic_id,
            obj=assessment,
            detail={
                "session": str(session.pk),
                "photo": str(photo.pk),
                "run": str(run.pk),
                "views": sorted(v["view_id"] for v in document.get("views", []) if v.get("status") == "analysed"),
            },
        )
        return assessment

    assessment: Assessment = photostore.commit_files(parts, create)
    return assessment
