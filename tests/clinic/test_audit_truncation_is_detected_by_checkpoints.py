"""Signed checkpoints of the chain's head (count, last hash, time) are appended to a file outside the database:
cutting the log's tail, or cutting it and writing on (a rollback), no longer verifies, though the shorter
chain holds together; a checkpoint line that is not signed with the key is reported; server processes and
the integrity command write the checkpoints."""

from __future__ import annotations

import dataclasses
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from facebalance.clinic import audit
from facebalance.clinic.models import AuditEvent
from tests.clinic.clinic_records import ClinicRecords
from tests.clinic.test_audit_log_is_a_verified_chain import drop_guards, some_events


def _lines(settings: Any) -> list[dict[str, Any]]:
    path = Path(settings.FACEBALANCE.audit_checkpoint_path)
    return [json.loads(line) for line in path.read_text("ascii").splitlines()] if path.exists() else []


def test_cutting_the_tail_is_detected(clinic_a: ClinicRecords) -> None:
    some_events(clinic_a, 5)
    checkpoint = audit.write_checkpoint()
    assert checkpoint is not None and checkpoint.count == 5
    drop_guards()
    AuditEvent.objects.filter(seq__gte=4).delete()
    # The four rows left hold together as a chain ...
    assert audit.verify_events(AuditEvent.objects.order_by("seq")).ok
    # ... but the checkpoint counted five.
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 4 and report.rows == 3
    assert "rows 4-5 are missing" in report.reason and checkpoint.at in report.reason


def test_a_rolled_back_and_rewritten_tail_differs_from_the_checkpoint(clinic_a: ClinicRecords) -> None:
    some_events(clinic_a, 5)
    audit.write_checkpoint()
    drop_guards()
    AuditEvent.objects.filter(seq__gte=3).delete()
    # The app (which holds the key) writes on: rows 3-5 again, validly chained, but not the rows of before.
    audit.record("login", user=clinic_a.admin, clinic_id=clinic_a.clinic.pk)
    audit.record("logout", user=clinic_a.admin, clinic_id=clinic_a.clinic.pk)
    audit.record("login", user=clinic_a.admin, clinic_id=clinic_a.clinic.pk)
    assert audit.verify_events(AuditEvent.objects.order_by("seq")).ok
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 5 and "differs from the checkpoint" in report.reason


def test_a_checkpoint_not_signed_with_the_key_is_reported(clinic_a: ClinicRecords, settings: Any) -> None:
    some_events(clinic_a, 5)
    good = audit.write_checkpoint()
    assert good is not None
    forged = dict(good.as_dict(), count=3, head=AuditEvent.objects.get(seq=3).hash)
    with Path(settings.FACEBALANCE.audit_checkpoint_path).open("a", encoding="ascii") as fh:
        fh.write(json.dumps(forged) + "\n")
    report = audit.verify_chain()
    assert not report.ok and "checkpoint line 2 is not signed" in report.reason
    assert report.checkpoints == 1


def test_a_checkpoint_mismatch_fails_the_integrity_command(clinic_a: ClinicRecords, settings: Any) -> None:
    some_events(clinic_a, 4)
    out = StringIO()
    call_command("facebalance_integrity", stdout=out)
    written = json.loads(out.getvalue())["checkpoint"]
    assert written["count"] == 4 and _lines(settings)[-1] == written
    drop_guards()
    AuditEvent.objects.filter(seq=4).delete()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("facebalance_integrity", stdout=out)
    chain = json.loads(out.getvalue())["audit_chain"]
    assert chain["ok"] is False and chain["first_bad_seq"] == 4 and chain["checkpoints"] == 1
    assert len(_lines(settings)) == 1  # a failed check writes no checkpoint


def test_server_processes_checkpoint_after_commits(
    clinic_a: ClinicRecords, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    audit._pace.last = float("-inf")
    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, audit_checkpoint_s=60)
    with django_capture_on_commit_callbacks(execute=True):
        some_events(clinic_a, 3)
    # One checkpoint per interval and process: the first change's.
    assert [c["count"] for c in _lines(settings)] == [1]
    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, audit_checkpoint_s=0)
    with django_capture_on_commit_callbacks(execute=True):
        some_events(clinic_a, 2)
    assert [c["count"] for c in _lines(settings)] == [1, 4, 5]
    assert audit.verify_chain().ok
    assert oct(Path(settings.FACEBALANCE.audit_checkpoint_path).stat().st_mode & 0o777) == "0o600"


def test_a_rolled_back_change_writes_no_checkpoint(
    clinic_a: ClinicRecords, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, audit_checkpoint_s=0)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                some_events(clinic_a, 1)
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert _lines(settings) == []
    assert audit.verify_chain().ok
