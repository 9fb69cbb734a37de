"""Upgrading re-keys the existing audit log: the rows written with the old unkeyed SHA-256 chain are checked,
chained again under FACEBALANCE_AUDIT_KEY (content, order and times unchanged) and the re-keying is itself an
audited row; an old chain that does not verify stops the upgrade and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from facebalance.clinic import audit
from facebalance.errors import FacebalanceError
from tests.clinic.clinic_records import clear_audit_log

BEFORE = ("clinic", "0006_clinic_totp_required_roles")

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: list[tuple[str, str]] | None = None) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(target).apps if target else None


def _legacy_rows(apps: Any, n: int, *, tamper_at: int | None = None) -> list[tuple[Any, ...]]:
    model = apps.get_model("clinic", "AuditEvent")
    prev = audit.GENESIS_HASH
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for seq in range(1, n + 1):
        event = model(
            seq=seq,
            at=start + timedelta(minutes=seq),
            actor_id=None,
            actor="old.provider",
            clinic_id=1,
            action="view",
            object_type="patient",
            object_id=f"p{seq}",
            detail={"n": seq},
            prev_hash=prev,
        )
        event.hash = audit.legacy_event_hash(prev, event)
        if seq == tamper_at:
            event.detail = {"n": "changed after hashing"}
        event.save()
        prev = event.hash
    return list(model.objects.order_by("seq").values_list("seq", "at", "action", "object_id", "detail"))


def test_the_old_chain_is_rekeyed_and_the_rekeying_audited() -> None:
    from facebalance.clinic.models import AuditEvent

    try:
        legacy = _legacy_rows(_migrate([BEFORE]), 4)
        old_head = audit.legacy_event_hash(audit.GENESIS_HASH, AuditEvent.objects.get(seq=1))
        _migrate()
        rows = list(AuditEvent.objects.order_by("seq"))
        assert [(r.seq, r.at, r.action, r.object_id, r.detail) for r in rows[:4]] == legacy
        assert rows[0].hash != old_head  # re-keyed
        rekey = rows[4]
        assert (rekey.seq, rekey.action, rekey.actor) == (5, "rekey", "migration")
        assert rekey.detail["rows"] == 4 and rekey.detail["scheme"] == "hmac-sha256"
        assert rekey.detail["key_id"] == audit.key_id()
        report = audit.verify_chain()
        assert report.ok and report.rows == 5
        # The append-only guards are back.
        with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
            cursor.execute("UPDATE clinic_auditevent SET action = 'x'")
    finally:
        clear_audit_log()
        _migrate()


def test_an_old_chain_that_does_not_verify_stops_the_upgrade() -> None:
    try:
        legacy = _legacy_rows(_migrate([BEFORE]), 4, tamper_at=2)
        with pytest.raises(FacebalanceError, match="does not verify at row 2"):
            _migrate()
        executor = MigrationExecutor(connection)
        assert ("clinic", "0007_audit_chain_keyed") not in executor.loader.applied_migrations
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq, action, object_id, hash FROM clinic_auditevent ORDER BY seq")
            after = cursor.fetchall()
        assert [r[:3] for r in after] == [(s, a, o) for s, _, a, o, _ in legacy]
        assert not any(r[2] == "rekey" for r in after)
    finally:
        clear_audit_log()
        _migrate()


def test_an_empty_log_needs_no_rekeying() -> None:
    from facebalance.clinic.models import AuditEvent

    try:
        _migrate([BEFORE])
        _migrate()
        assert not AuditEvent.objects.exists()
    finally:
        _migrate()
