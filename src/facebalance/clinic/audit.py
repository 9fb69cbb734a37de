"""The append-only, hash-chained audit log: who created, viewed, changed, exported or printed which record.

Each row's ``hash`` is the SHA-256 of the previous row's hash and the row's own canonical content, so
editing a row breaks its own hash, removing one leaves a gap in ``seq`` and breaks the next row's
``prev_hash``, and :func:`verify_chain` names the first row where the chain no longer holds. The rows
carry ids, never names or clinical text (the log must be safe to hand to an auditor).

Rows are written in the same transaction as the change they record, so a rolled-back change leaves no
audit row and a committed change always has one. Appends are serialised: SQLite takes its write lock at
BEGIN (``transaction_mode=IMMEDIATE``), PostgreSQL takes a transaction-level advisory lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.utils import timezone

from facebalance.clinic.models import AuditEvent

GENESIS_HASH = "0" * 64
#: Arbitrary constant naming the PostgreSQL advisory lock of the audit chain.
_PG_LOCK_KEY = 0x66626175  # "fbau"

ACTIONS = frozenset(
    {
        "create",
        "view",
        "change",
        "export",
        "print",
        "accept",
        "review",
        "login",
        "login_failed",
        "login_throttled",
        "logout",
        "denied",
    }
)


def _canonical(event: AuditEvent) -> bytes:
    content = {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "clinic_id": event.clinic_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + _canonical(event)).hexdigest()


def record(
    action: str,
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    clinic_id: int | None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the chain (inside the caller's transaction, or its own)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
    authenticated = user is not None and user.is_authenticated
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        event = AuditEvent(
            seq=1 if last is None else last.seq + 1,
            # Microsecond precision round-trips through SQLite and PostgreSQL, so the hash recomputes exactly.
            at=timezone.now(),
            actor_id=user.pk if authenticated else None,  # type: ignore[union-attr]
            actor=user.get_username() if authenticated else actor_name[:150],  # type: ignore[union-attr]
            clinic_id=clinic_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail or {},
            prev_hash=GENESIS_HASH if last is None else last.hash,
        )
        event.hash = event_hash(event.prev_hash, event)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    """The verifier's answer. ``first_bad_seq`` is the first row that is altered or missing (None when clean)."""

    ok: bool
    rows: int
    first_bad_seq: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "first_bad_seq": self.first_bad_seq, "reason": self.reason}


def verify_events(events: Iterable[AuditEvent]) -> ChainReport:
    """Check the chain in ``seq`` order: contiguous numbers, each ``prev_hash`` and each ``hash``."""
    prev = GENESIS_HASH
    expected_seq = 1
    n = 0
    for event in events:
        n += 1
        if event.seq != expected_seq:
            return ChainReport(
                False, n, expected_seq, f"row {expected_seq} is missing (the next row present is {event.seq})"
            )
        if event.prev_hash != prev:
            return ChainReport(False, n, event.seq, f"row {event.seq} does not follow row {event.seq - 1}'s hash")
        if event_hash(prev, event) != event.hash:
            return ChainReport(False, n, event.seq, f"row {event.seq} was altered after it was written")
        prev = event.hash
        expected_seq += 1
    return ChainReport(True, n)


def verify_chain() -> ChainReport:
    """Verify the whole audit log as stored."""
    return verify_events(AuditEvent.objects.order_by("seq").iterator(chunk_size=2000))
