"""Re-key the audit chain: every existing row's hash becomes the HMAC under ``FACEBALANCE_AUDIT_KEY``.

The rows written before were chained with an unkeyed SHA-256, which anyone able to write the database could
recompute after a change. The old chain is verified first: if it does not hold, the upgrade stops and names
the first bad row (re-keying it would bless the change). Then, with the append-only triggers lifted for this
transaction only, each row's ``prev_hash`` and ``hash`` are recomputed in order (content, ``seq`` and time
unchanged), and a ``rekey`` event is appended that records how many rows were re-keyed, the old head's hash
and the key's fingerprint. All in the migration's one transaction: either the whole log is re-keyed and the
re-keying audited, or nothing changes.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations
from django.utils import timezone

from facebalance.errors import FacebalanceError

GUARDS = importlib.import_module("facebalance.clinic.migrations.0002_audit_append_only")
PG_DISABLE = "ALTER TABLE clinic_auditevent DISABLE TRIGGER clinic_auditevent_append_only"
PG_ENABLE = "ALTER TABLE clinic_auditevent ENABLE TRIGGER clinic_auditevent_append_only"


class LegacyChainBroken(FacebalanceError):
    code = "audit_legacy_chain"


def _guards(schema_editor: Any, *, on: bool) -> None:
    """Lift (``on=False``) or put back the append-only triggers of migration 0002."""
    statements = {
        "sqlite": GUARDS.SQLITE if on else GUARDS.SQLITE_DROP,
        "postgresql": [PG_ENABLE if on else PG_DISABLE],
    }
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def _rehash(schema_editor: Any, rows: list[Any], digest: Any) -> str:
    model = type(rows[0])
    prev = "0" * 64
    _guards(schema_editor, on=False)
    for row in rows:
        row.prev_hash = prev
        row.hash = digest(prev, row)
        model.objects.filter(pk=row.pk).update(prev_hash=row.prev_hash, hash=row.hash)
        prev = row.hash
    _guards(schema_editor, on=True)
    return prev


def rekey(apps: Any, schema_editor: Any) -> None:
    from facebalance.clinic import audit

    model = apps.get_model("clinic", "AuditEvent")
    rows = list(model.objects.order_by("seq"))
    if not rows:
        return
    prev = audit.GENESIS_HASH
    for expected, row in enumerate(rows, start=1):
        if row.seq != expected or row.prev_hash != prev or audit.legacy_event_hash(prev, row) != row.hash:
            raise LegacyChainBroken(
                f"The audit log does not verify at row {expected} before re-keying: it was changed or cut "
                "(re-keying would hide that, so the upgrade stops and nothing is changed).",
                hint="Have the change investigated, restore the audit log from a backup taken before it, then "
                "migrate again.",
            )
        prev = row.hash
    legacy_head = prev
    head = _rehash(schema_editor, rows, audit.event_hash)
    event = model(
        seq=rows[-1].seq + 1,
        at=timezone.now(),
        actor_id=None,
        actor="migration",
        clinic_id=None,
        action="rekey",
        object_type="auditevent",
        object_id="",
        detail={"rows": len(rows), "scheme": audit.SCHEME, "key_id": audit.key_id(), "legacy_head": legacy_head},
        prev_hash=head,
    )
    event.hash = audit.event_hash(head, event)
    event.save()


def unkey(apps: Any, schema_editor: Any) -> None:
    """Back to the unkeyed chain (the ``rekey`` rows stay, chained like the others)."""
    from facebalance.clinic import audit

    rows = list(apps.get_model("clinic", "AuditEvent").objects.order_by("seq"))
    if rows:
        _rehash(schema_editor, rows, audit.legacy_event_hash)


class Migration(migrations.Migration):
    dependencies = (("clinic", "0006_clinic_totp_required_roles"),)
    operations = (migrations.RunPython(rekey, unkey),)
