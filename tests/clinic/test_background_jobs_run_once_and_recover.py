"""The job queue: a job is claimed by one worker only, runs its handler once, records how it ended (a domain
error with its message, anything else without its details), and a job whose worker died is run again, then
failed for good after its last attempt. The management command runs what is queued."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from facebalance.clinic import jobs
from facebalance.clinic.models import Job
from facebalance.errors import FacebalanceError

RAN: list[str] = []


@pytest.fixture(autouse=True)
def handlers() -> Any:
    @jobs.handler("test.ok")
    def ok(job: Job, progress: jobs.Progress) -> None:
        progress(0.5, "half way")
        RAN.append(job.object_id)

    @jobs.handler("test.refused")
    def refused(job: Job, progress: jobs.Progress) -> None:
        raise FacebalanceError("The clip is too dark.", hint="Film in daylight.")

    @jobs.handler("test.crash")
    def crash(job: Job, progress: jobs.Progress) -> None:
        raise RuntimeError("patient Jane Doe's secret detail")

    RAN.clear()
    yield
    for kind in ("test.ok", "test.refused", "test.crash"):
        jobs.unregister(kind)


def test_each_job_is_claimed_once_and_in_order(db: Any) -> None:
    first, second = jobs.enqueue("test.ok", "1"), jobs.enqueue("test.ok", "2")
    claimed = jobs.claim("worker-a")
    assert claimed is not None and claimed.pk == first.pk and claimed.status == "running" and claimed.attempts == 1
    other = jobs.claim("worker-b")
    assert other is not None and other.pk == second.pk
    assert jobs.claim("worker-c") is None  # nothing left: a running job is never claimed twice
    assert jobs.run(claimed) == "done" and RAN == ["1"]
    done = Job.objects.get(pk=first.pk)
    assert done.status == "done" and done.progress == 1.0 and done.finished_at is not None


def test_failures_say_why_without_leaking_details(db: Any) -> None:
    jobs.enqueue("test.refused", "1")
    jobs.enqueue("test.crash", "2")
    assert jobs.run_pending() == 2
    refused, crashed = Job.objects.get(object_id="1"), Job.objects.get(object_id="2")
    assert refused.status == "failed" and refused.message == "The clip is too dark. Film in daylight."
    assert crashed.status == "failed" and "Jane" not in crashed.message and "server log" in crashed.message


def test_a_job_whose_worker_died_runs_again_then_fails_for_good(db: Any) -> None:
    job = jobs.enqueue("test.ok", "1")
    stale = timezone.now() - timedelta(seconds=jobs.STALE_AFTER_S + 5)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, heartbeat_at=stale)
    again = jobs.claim()
    assert again is not None and again.pk == job.pk and again.attempts == 2
    Job.objects.filter(pk=job.pk).update(status="running", attempts=jobs.MAX_ATTEMPTS, heartbeat_at=stale)
    assert jobs.claim() is None
    failed = Job.objects.get(pk=job.pk)
    assert failed.status == "failed" and f"{jobs.MAX_ATTEMPTS} attempts" in failed.message


def test_the_worker_command_runs_the_queue(db: Any, capsys: Any) -> None:
    jobs.enqueue("test.ok", "1")
    call_command("facebalance_worker", "--once")
    assert RAN == ["1"] and "ran 1 job(s)" in capsys.readouterr().out
