"""A small job queue in the database, for work too long for a request (analysing a video takes seconds to
minutes on the clinic's machine).

A request adds a :class:`~facebalance.clinic.models.Job` row (in the same transaction as the row it is about)
and returns at once; a worker claims the oldest queued job, runs the handler registered for its ``kind`` and
records the outcome; the page polls the job's progress with htmx. Who runs the worker is a setting
(``FACEBALANCE_WORKER``): ``thread``, a daemon thread in the web process, started with the first request
that needs it (:func:`ensure_worker`) and picking up anything left queued; ``external``, the
``facebalance_worker`` management command (gunicorn's configuration starts one beside the web workers).

Handlers register themselves when their module is imported (the app's ``ready`` imports
:mod:`facebalance.clinic.recordings`, so every process with the app loaded knows the video analysis).
Claiming is one transaction: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED``, on SQLite the write lock
the app takes at ``BEGIN`` (``transaction_mode = IMMEDIATE``), so two workers never claim one job. A running
job beats a heartbeat; one whose heartbeat is older than :data:`STALE_AFTER_S` (its worker died) is queued
again, at most :data:`MAX_ATTEMPTS` times in all, then failed. A handler raising a
:class:`~facebalance.errors.FacebalanceError` fails its job with the error's message and hint; any other
exception fails it with a generic message, and is logged by id only (no health data in logs).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from facebalance.clinic.models_dynamics import Job, JobStatus
from facebalance.errors import FacebalanceError

log = logging.getLogger("facebalance.clinic.jobs")

#: A running job whose heartbeat is older than this is taken to have lost its worker.
STALE_AFTER_S = 180
#: Runs of one job before it is failed for good (a job that kills its worker every time).
MAX_ATTEMPTS = 3
#: How often an idle worker looks for work.
POLL_S = 1.0
#: Progress is written to the database at most this often.
PROGRESS_EVERY_S = 0.5

#: Reports progress: fraction done (0-1) and what is being done.
Progress = Callable[[float, str], None]
Handler = Callable[[Job, Progress], None]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def unregister(kind: str) -> None:
    """Forget the handler of ``kind`` (tests register their own)."""
    _HANDLERS.pop(kind, None)


def enqueue(kind: str, object_id: str) -> Job:
    """Queue a job (call it inside the transaction that creates its object); wakes the thread worker."""
    job = Job.objects.create(kind=kind, object_id=str(object_id))
    transaction.on_commit(_wake.set)
    return job


def latest(kind: str, object_id: str) -> Job | None:
    return Job.objects.filter(kind=kind, object_id=str(object_id)).order_by("-created_at", "-id").first()


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _requeue_stale(now: datetime) -> None:
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - timedelta(seconds=STALE_AFTER_S))
    for job in stale:
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = JobStatus.FAILED, now
            job.message = f"Stopped after {job.attempts} attempts: the worker ended while running it each time."
        else:
            job.status, job.message = JobStatus.QUEUED, "Queued again: its worker stopped."
        job.save(update_fields=["status", "finished_at", "message"])


def claim(worker: str | None = None) -> Job | None:
    """The oldest queued job, marked running by this worker; ``None`` when there is none."""
    now = timezone.now()
    with transaction.atomic():
        _requeue_stale(now)
        queued = Job.objects.filter(status=JobStatus.QUEUED, kind__in=list(_HANDLERS)).order_by("created_at", "id")
        if connection.vendor == "postgresql":
            queued = queued.select_for_update(skip_locked=True)
        job = queued.first()
        if job is None:
            return None
        job.status, job.worker = JobStatus.RUNNING, worker or _worker_name()
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.progress, job.message = 0.0, "Started."
        job.save(update_fields=["status", "worker", "attempts", "started_at", "heartbeat_at", "progress", "message"])
        return job


def _reporter(job: Job) -> Progress:
    last = [0.0]

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S and fraction < 1.0:
            return
        last[0] = now
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            progress=max(0.0, min(1.0, fraction)), message=message[:300], heartbeat_at=timezone.now()
        )

    return report


def _finish(job: Job, status: str, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status, message=message[:300], finished_at=timezone.now(), progress=1.0 if status == "done" else 0.0
    )


def run(job: Job) -> str:
    """Run one claimed job to its end; its final status."""
    fn = _HANDLERS.get(job.kind)
    if fn is None:
        _finish(job, JobStatus.FAILED, f"No handler for jobs of kind {job.kind!r}.")
        return JobStatus.FAILED
    try:
        fn(job, _reporter(job))
    except FacebalanceError as exc:
        _finish(job, JobStatus.FAILED, f"{exc.message} {exc.hint}".strip())
        return JobStatus.FAILED
    except Exception:
        log.exception("job %s (%s %s) failed", job.pk, job.kind, job.object_id)
        _finish(job, JobStatus.FAILED, "The analysis failed unexpectedly; the error is in the server log.")
        return JobStatus.FAILED
    _finish(job, JobStatus.DONE, "Done.")
    return JobStatus.DONE


def run_pending(*, limit: int | None = None, worker: str | None = None) -> int:
    """Claim and run jobs until none is queued (or ``limit`` were run); how many ran."""
    done = 0
    while limit is None or done < limit:
        job = claim(worker)
        if job is None:
            break
        run(job)
        done += 1
    return done


_wake = threading.Event()
_thread: threading.Thread | None = None
_stop: threading.Event | None = None
_thread_lock = threading.Lock()


def _loop(stop: threading.Event) -> None:
    try:
        _work(stop)
    finally:
        connections.close_all()  # this thread's own connections (PostgreSQL would keep them open)


def _work(stop: threading.Event) -> None:
    while not stop.is_set():
        ran = 0
        try:
            close_old_connections()
            ran = run_pending()
        except Exception:  # the database went away for a moment: keep the worker alive
            log.exception("job worker loop")
        finally:
            try:
                close_old_connections()
            except Exception:
                log.exception("job worker loop")
        if not ran and not stop.is_set():
            _wake.wait(POLL_S)
            _wake.clear()


def ensure_worker() -> None:
    """Start this process's worker thread if the app runs its jobs in threads and none is running."""
    global _thread, _stop
    if settings.FACEBALANCE.worker != "thread":
        return
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return
        _stop = threading.Event()
        _thread = threading.Thread(target=_loop, args=(_stop,), name="facebalance-jobs", daemon=True)
        _thread.start()


def stop_worker(timeout_s: float = 60.0) -> None:
    """Stop this process's worker thread after its current job (tests; a server's shutdown)."""
    global _thread
    with _thread_lock:
        thread, stop = _thread, _stop
        _thread = None
    if thread is None or stop is None:
        return
    stop.set()
    _wake.set()
    thread.join(timeout_s)


def serve(stop: threading.Event, *, poll_s: float = POLL_S) -> None:
    """The ``facebalance_worker`` loop: run jobs until ``stop`` is set."""
    while not stop.is_set():
        close_old_connections()
        if not run_pending():
            stop.wait(poll_s)
