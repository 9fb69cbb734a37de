"""The append-only, keyed hash chain of the audit log: who created, viewed, changed, exported or printed which
record; and its signed checkpoints outside the database.

Each row's ``hash`` is an HMAC-SHA-256, under ``FACEBALANCE_AUDIT_KEY`` (kept in the environment, never in
the database), of the previous row's hash and the row's own canonical content. Editing a row breaks its
own hash, removing one leaves a gap in ``seq`` and breaks the next row's ``prev_hash``, and whoever can
write the database but does not hold the key cannot compute the hashes of a changed row and the rows after
it: :func:`verify_chain` names the first row where the chain no longer holds. The rows carry ids, never
names or clinical text (the log must be safe to hand to an auditor).

Removing the *last* rows leaves a shorter chain that is still whole, so the head of the chain is also
written outside the database: a **checkpoint** (the number of rows, the last row's hash and the time,
signed with the same key) is appended to ``audit-checkpoints.jsonl`` in the data dir after audited changes
(by each server process at most every ``FACEBALANCE_AUDIT_CHECKPOINT_S`` seconds, and by every successful
``facebalance_integrity``), and that file is copied into every backup. The verifier then also finds a log
that ends before a checkpoint's count (truncated) or whose row differs from a checkpoint's head (rewritten,
or rolled back and written again).

Rows are written in the same transaction as the change they record, so a rolled-back change leaves no
audit row and a committed change always has one. Appends are serialised: SQLite takes its write lock at
BEGIN (``transaction_mode=IMMEDIATE``), PostgreSQL takes a transaction-level advisory lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.utils import timezone

from facebalance.clinic.models import AuditEvent

GENESIS_HASH = "0" * 64
SCHEME = "hmac-sha256"
_ROW = b"facebalance.audit.row\n"
_CHECKPOINT = b"facebalance.audit.checkpoint\n"
_KEY_ID = b"facebalance.audit.key-id"
log = logging.getLogger("facebalance.clinic")
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
        "rekey",
    }
)


def audit_key() -> bytes:
    """The chain's key (``FACEBALANCE_AUDIT_KEY``)."""
    key = str(settings.FACEBALANCE.audit_key)
    if not key:
        raise RuntimeError("FACEBALANCE_AUDIT_KEY is not configured")
    return key.encode("utf-8")


def key_id(key: bytes | None = None) -> str:
    """A short fingerprint of the key (not the key): which key signed a checkpoint."""
    return hmac.new(key or audit_key(), _KEY_ID, hashlib.sha256).hexdigest()[:16]


def _canonical(event: Any) -> bytes:
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


def event_hash(prev_hash: str, event: Any, *, key: bytes | None = None) -> str:
    """The row's keyed hash: HMAC-SHA-256 of the previous row's hash and the row's canonical content."""
    message = _ROW + prev_hash.encode("ascii") + b"\n" + _canonical(event)
    return hmac.new(key or audit_key(), message, hashlib.sha256).hexdigest()


def legacy_event_hash(prev_hash: str, event: Any) -> str:
    """The unkeyed SHA-256 of the rows written before the chain was keyed (read once, by the re-keying
    migration, to check the old chain before it is re-keyed)."""
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
        count, head = event.seq, event.hash
        transaction.on_commit(lambda: _checkpoint_after_commit(count, head))
    return event


# --- checkpoints -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as it stood at ``at``: ``count`` rows, the last one's ``head`` hash; signed."""

    count: int
    head: str
    at: str
    key_id: str
    mac: str

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "head": self.head, "at": self.at, "key_id": self.key_id, "mac": self.mac}


def _checkpoint_mac(count: int, head: str, at: str, key: bytes) -> str:
    body = json.dumps({"count": count, "head": head, "at": at}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, _CHECKPOINT + body.encode("ascii"), hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.FACEBALANCE.audit_checkpoint_path)


def write_checkpoint(count: int | None = None, head: str | None = None) -> Checkpoint | None:
    """Append a signed checkpoint to the checkpoint file: of ``count``/``head`` (a committed row), or of the
    chain's committed head read now. None when the log is empty. One ``write`` on an ``O_APPEND`` file,
    fsynced: checkpoints of concurrent processes never interleave and the file only grows."""
    if count is None or head is None:
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        if last is None:
            return None
        count, head = last.seq, last.hash
    key = audit_key()
    at = timezone.now().isoformat(timespec="microseconds")
    checkpoint = Checkpoint(count, head, at, key_id(key), _checkpoint_mac(count, head, at, key))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(checkpoint.as_dict(), sort_keys=True) + "\n").encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return checkpoint


class _Pace(threading.local):
    last = float("-inf")


_pace = _Pace()


def _checkpoint_after_commit(count: int, head: str) -> None:
    """After an audited change commits: a checkpoint, unless this process wrote one within the interval."""
    interval = settings.FACEBALANCE.audit_checkpoint_s
    now = time.monotonic()
    if interval and now - _pace.last < interval:
        return
    _pace.last = now
    try:
        write_checkpoint(count, head)
    except OSError as exc:  # the change is committed: never fail the request for its checkpoint
        log.error("audit checkpoint not written: %s", exc.strerror or exc)


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints of the file whose signature holds under this key, and what is wrong with the others."""
    path = checkpoint_path() if path is None else path
    if not path.is_file():
        return [], []
    key = audit_key()
    good, bad = [], []
    for n, line in enumerate(path.read_text("ascii", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            checkpoint = Checkpoint(
                int(doc["count"]), str(doc["head"]), str(doc["at"]), str(doc["key_id"]), str(doc["mac"])
            )
        except (ValueError, KeyError, TypeError):
            bad.append(f"checkpoint line {n} is not a checkpoint")
            continue
        expected = _checkpoint_mac(checkpoint.count, checkpoint.head, checkpoint.at, key)
        if not hmac.compare_digest(expected, checkpoint.mac):
            bad.append(
                f"checkpoint line {n} is not signed with FACEBALANCE_AUDIT_KEY (forged, or written under another key)"
            )
            continue
        good.append(checkpoint)
    return good, bad


@dataclass(frozen=True)
class ChainReport:
    """The verifier's answer. ``first_bad_seq`` is the first row that is altered or missing (None when clean);
    ``checkpoints`` the signed checkpoints the chain was checked against."""

    ok: bool
    rows: int
    first_bad_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0
    last_checkpoint_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
            "checkpoints": self.checkpoints,
            "last_checkpoint_at": self.last_checkpoint_at,
        }


def verify_events(
    events: Iterable[AuditEvent], checkpoints: Iterable[Checkpoint] = (), *, key: bytes | None = None
) -> ChainReport:
    """Check the chain in ``seq`` order: contiguous numbers, each ``prev_hash`` and each keyed ``hash``; then
    that the chain reaches every checkpoint's count and holds its head there."""
    key = key or audit_key()
    heads: dict[int, list[Checkpoint]] = {}
    for c in checkpoints:
        heads.setdefault(c.count, []).append(c)
    n_checkpoints = sum(len(v) for v in heads.values())
    last_at = max((c.at for v in heads.values() for c in v), default="")

    def report(ok: bool, rows: int, seq: int | None = None, reason: str = "") -> ChainReport:
        return ChainReport(ok, rows, seq, reason, n_checkpoints, last_at)

    prev = GENESIS_HASH
    expected_seq = 1
    n = 0
    for event in events:
        n += 1
        if event.seq != expected_seq:
            return report(
                False, n, expected_seq, f"row {expected_seq} is missing (the next row present is {event.seq})"
            )
        if event.prev_hash != prev:
            return report(False, n, event.seq, f"row {event.seq} does not follow row {event.seq - 1}'s hash")
        if not hmac.compare_digest(event_hash(prev, event, key=key), event.hash):
            reason = f"row {event.seq} was altered after it was written"
            if event.seq == 1:
                reason += " (or FACEBALANCE_AUDIT_KEY is not the key the log was written with)"
            return report(False, n, event.seq, reason)
        for c in heads.get(event.seq, []):
            if not hmac.compare_digest(c.head, event.hash):
                return report(
                    False,
                    n,
                    event.seq,
                    f"row {event.seq} differs from the checkpoint of {c.at}: the log was rewritten or rolled back "
                    "after it",
                )
        prev = event.hash
        expected_seq += 1
    beyond = [c for count, cs in heads.items() if count > n for c in cs]
    if beyond:
        last = max(beyond, key=lambda c: c.count)
        return report(
            False,
            n,
            n + 1,
            f"rows {n + 1}-{last.count} are missing: the log ends at row {n} but the checkpoint of {last.at} "
            f"counted {last.count} rows",
        )
    return report(True, n)


def verify_chain() -> ChainReport:
    """Verify the whole audit log as stored, against the checkpoint file."""
    checkpoints, bad = read_checkpoints()
    report = verify_events(AuditEvent.objects.order_by("seq").iterator(chunk_size=2000), checkpoints)
    if bad and report.ok:
        return ChainReport(False, report.rows, None, "; ".join(bad[:3]), report.checkpoints, report.last_checkpoint_at)
    return report
