"""The audit chain is an HMAC under FACEBALANCE_AUDIT_KEY: whoever can write the database but lacks the key
cannot change a row and re-hash the rest (with SHA-256 as before, or under a guessed key) without the
verifier naming the changed row; a server started with another key is told so."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from typing import Any

import pytest

from facebalance.clinic import audit
from facebalance.clinic.models import AuditEvent
from tests.clinic.clinic_records import ClinicRecords
from tests.clinic.test_audit_log_is_a_verified_chain import drop_guards, some_events


def _sha256(prev: str, event: Any) -> str:
    return audit.legacy_event_hash(prev, event)


def _guessed_key(prev: str, event: Any) -> str:
    message = b"facebalance.audit.row\n" + prev.encode() + b"\n" + audit._canonical(event)
    return hmac.new(b"a key the writer guessed, 32+ chars", message, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("rehash", [_sha256, _guessed_key], ids=["sha256", "guessed-key"])
def test_a_changed_row_rehashed_without_the_key_is_named(clinic_a: ClinicRecords, rehash: Any) -> None:
    some_events(clinic_a, 6)
    drop_guards()
    rows = list(AuditEvent.objects.order_by("seq"))
    prev = rows[1].hash
    for row in rows[2:]:  # change row 3, then chain rows 3-6 again as the writer can
        if row.seq == 3:
            row.detail = {"forged": True}
        row.prev_hash = prev
        row.hash = rehash(prev, row)
        AuditEvent.objects.filter(pk=row.pk).update(detail=row.detail, prev_hash=row.prev_hash, hash=row.hash)
        prev = row.hash
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 3 and "altered" in report.reason


def test_the_hash_depends_on_the_key(clinic_a: ClinicRecords) -> None:
    event = some_events(clinic_a, 1)[0]
    assert event.hash == audit.event_hash(event.prev_hash, event)
    assert event.hash != audit.event_hash(event.prev_hash, event, key=b"another key of thirty-two chars!")
    assert event.hash != audit.legacy_event_hash(event.prev_hash, event)


def test_another_key_is_named_as_the_likely_cause(clinic_a: ClinicRecords, settings: Any) -> None:
    some_events(clinic_a, 3)
    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, audit_key="k" * 40)
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 1 and "FACEBALANCE_AUDIT_KEY" in report.reason
