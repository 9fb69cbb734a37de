"""``facebalance backup`` while the app writes, then ``facebalance restore`` into an empty instance: every
row, every photo and the signed audit checkpoints come back, the write made during the backup is consistently
absent (row, file and checkpoint), the restored audit log verifies against the restored checkpoints, and a
tampered backup is refused before anything is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.records import backup

pytestmark = pytest.mark.django_db(transaction=True)
LATE = "late0000000000000000000000000000"
PG_LATE = "1a7e0000-0000-4000-8000-000000000001"


def _audit_trail(records: Any, n: int = 3) -> None:
    """Some audited views and a checkpoint of the chain's head, as a running clinic has."""
    from facebalance.clinic import audit

    for _ in range(n):
        audit.record("view", user=records.provider, clinic_id=records.clinic.pk, obj=records.patient)
    audit.write_checkpoint()


@pytest.fixture(autouse=True)
def _empty_the_audit_log_afterwards(transactional_db: Any) -> Any:
    from tests.clinic.clinic_records import clear_audit_log

    yield
    clear_audit_log()  # the committed rows are append-only: the flush after the test could not remove them


def _late_audit(records: Any) -> None:
    """During the backup: one more audited change and its checkpoint (neither belongs in the backup)."""
    from facebalance.clinic import audit

    audit.record("view", user=records.provider, clinic_id=records.clinic.pk, obj=records.patient)
    audit.write_checkpoint()


def verify_restored(rows: list[tuple[Any, ...]], checkpoints: Path) -> Any:
    """The restored audit rows (seq, at, actor_id, actor, clinic_id, action, object_type, object_id, detail,
    prev_hash, hash) verified with the key against the restored checkpoint file."""
    import json
    from datetime import UTC, datetime

    from facebalance.clinic import audit
    from facebalance.clinic.models import AuditEvent

    events = []
    for seq, at, actor_id, actor, clinic_id, action, otype, oid, detail, prev, digest in rows:
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        events.append(
            AuditEvent(
                seq=seq,
                at=when,
                actor_id=actor_id,
                actor=actor,
                clinic_id=clinic_id,
                action=action,
                object_type=otype,
                object_id=oid,
                detail=json.loads(detail) if isinstance(detail, str) else detail,
                prev_hash=prev,
                hash=digest,
            )
        )
    good, bad = audit.read_checkpoints(checkpoints)
    assert good and not bad
    return audit.verify_events(events, good)


AUDIT_COLUMNS = (
    "seq, at, actor_id, actor, clinic_id, action, object_type, object_id, detail, prev_hash, hash "
    "FROM clinic_auditevent ORDER BY seq"
)


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


@pytest.fixture
def running_clinic(transactional_db: Any, photo_store: Path) -> Any:
    from django.db import connection

    from tests.clinic.clinic_records import make_clinic
    from tests.records.test_web_cross_clinic_access_is_refused import _visit

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup path; PostgreSQL uses pg_dump (docs/records.md)")
    records = make_clinic("Harbour Clinic", "harbour")
    _visit(records)
    return records


def test_a_backup_taken_while_writing_restores_equal(
    running_clinic: Any, photo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    db = Path(connection.settings_dict["NAME"])
    _audit_trail(running_clinic)
    checkpoints = photo_store.parent / backup.CHECKPOINTS_NAME
    checkpoints_before = checkpoints.read_bytes()
    before = _rows(db)
    files_before = {p.name: backup.sha256_of(p) for p in photo_store.iterdir() if p.is_file()}
    # the photo, the annotated PNG, the before/after picture, and a dynamics recording's video and key frame
    assert len(files_before) == 5

    real_copy = backup._copy_files

    def copy_while_the_app_writes(names: Any, photo_dir: Path, dest: Path) -> dict[str, str]:
        # Another connection commits a new photo row and its file in the middle of the backup.
        (photo_dir / "late.jpg").write_bytes(b"late")
        _late_audit(running_clinic)
        with sqlite3.connect(db, timeout=20) as writer:
            writer.execute("UPDATE clinic_photo SET stored_name = stored_name")  # any write: WAL lets it in
            columns = (
                "patient_id, plan_item, performed_on, modality, area, product, lot, disliked, note, "
                "clinician_id, created_at, source_clinician, source_clinic"
            )
            writer.execute(
                f"INSERT INTO records_treatmentvisit (id, {columns}) "
                f"SELECT '{LATE}', {columns} FROM records_treatmentvisit LIMIT 1"
            )
        return real_copy(names, photo_dir, dest)

    monkeypatch.setattr(backup, "_copy_files", copy_while_the_app_writes)
    runner = CliRunner()
    dest = tmp_path / "backup"
    result = runner.invoke(
        app,
        ["backup", str(dest), "--data-dir", str(photo_store.parent), "--database-url", "", "--database-file", str(db)],
    )
    assert result.exit_code == 0, result.output
    manifest = backup.read_manifest(dest)
    assert set(manifest.files) == set(files_before)  # the late file has no row in the snapshot
    assert LATE in repr(_rows(db)["records_treatmentvisit"])  # it was committed
    backed = _rows(dest / backup.SQLITE_NAME)
    assert backed == before  # the late row is not in the snapshot either
    assert (dest / backup.CHECKPOINTS_NAME).read_bytes() == checkpoints_before  # nor the late checkpoint
    assert checkpoints.read_bytes() != checkpoints_before
    assert manifest.checkpoints_sha256 == backup.sha256_of(dest / backup.CHECKPOINTS_NAME)

    empty = tmp_path / "empty-instance"
    restored = runner.invoke(app, ["restore", str(dest), "--data-dir", str(empty), "--database-url", ""])
    assert restored.exit_code == 0, restored.output
    assert _rows(empty / "clinic.sqlite3") == before
    assert {p.name: backup.sha256_of(p) for p in (empty / "photos").iterdir()} == files_before
    with sqlite3.connect(empty / "clinic.sqlite3") as conn:
        restored_log = conn.execute(f"SELECT {AUDIT_COLUMNS}").fetchall()
    report = verify_restored(restored_log, empty / backup.CHECKPOINTS_NAME)
    assert report.ok and report.rows == 3 and report.checkpoints == len(checkpoints_before.splitlines())

    again = runner.invoke(app, ["restore", str(dest), "--data-dir", str(empty), "--database-url", ""])
    assert again.exit_code == 2 and "already a database" in again.output.replace("\n", " ")


def test_a_tampered_backup_is_refused_before_anything_is_written(
    running_clinic: Any, photo_store: Path, tmp_path: Path
) -> None:
    from datetime import datetime

    from django.db import connection

    _audit_trail(running_clinic)
    checkpoints = photo_store.parent / backup.CHECKPOINTS_NAME
    dest = tmp_path / "backup"
    manifest = backup.backup_sqlite(
        Path(connection.settings_dict["NAME"]), photo_store, dest, now=datetime(2026, 1, 1), checkpoints=checkpoints
    )
    name = next(iter(manifest.files))
    (dest / "photos" / name).write_bytes(b"altered")
    target = tmp_path / "empty"
    with pytest.raises(backup.BackupError, match="checksum"):
        backup.restore_sqlite(dest, target / "clinic.sqlite3", target / "photos")
    assert not target.exists()
    (dest / "photos" / name).write_bytes((photo_store / name).read_bytes())
    with (dest / backup.CHECKPOINTS_NAME).open("ab") as fh:
        fh.write(b'{"count": 1}\n')
    with pytest.raises(backup.BackupError, match="audit checkpoints"):
        backup.restore_sqlite(dest, target / "clinic.sqlite3", target / "photos", checkpoints=target / "c.jsonl")
    assert not target.exists()
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup_sqlite(Path(connection.settings_dict["NAME"]), photo_store, dest, now=datetime(2026, 1, 1))


# --- PostgreSQL (DATABASE_URL=postgres://..., e.g. `make test-postgres`) ------------------------------------


def _pg_url(name: str) -> str:
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    return (
        f"postgresql://{quote(s['USER'] or '', safe='')}:{quote(s['PASSWORD'] or '', safe='')}@"
        f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    )


def _pg_rows(url: str) -> dict[str, list[str]]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        return {t: sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


@pytest.fixture
def postgres_clinic(transactional_db: Any, photo_store: Path) -> Any:
    from django.db import connection

    from tests.clinic.clinic_records import make_clinic
    from tests.records.test_web_cross_clinic_access_is_refused import _visit

    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://... (make test-postgres)")
    records = make_clinic("Harbour Clinic", "harbour")
    _visit(records)
    return records


@pytest.fixture
def empty_database(postgres_clinic: Any) -> Any:
    """A second, empty database on the same server (the restore target), dropped afterwards."""
    import psycopg
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}_restore"
    admin = _pg_url(connection.settings_dict["NAME"])
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_postgres_backup_taken_while_writing_restores_equal(
    postgres_clinic: Any, empty_database: str, photo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg
    from django.db import connection

    source = _pg_url(connection.settings_dict["NAME"])
    _audit_trail(postgres_clinic)
    checkpoints_before = (photo_store.parent / backup.CHECKPOINTS_NAME).read_bytes()
    before = _pg_rows(source)
    assert before["records_treatmentvisit"] and before["clinic_photo"]
    files_before = {p.name: backup.sha256_of(p) for p in photo_store.iterdir() if p.is_file()}
    real_copy = backup._copy_files

    def copy_while_the_app_writes(names: Any, photo_dir: Path, dest: Path) -> dict[str, str]:
        # Another connection commits a new treatment row and a file while pg_dump's snapshot is held.
        (photo_dir / "late.jpg").write_bytes(b"late")
        _late_audit(postgres_clinic)
        columns = (
            "patient_id, plan_item, performed_on, modality, area, product, lot, disliked, note, clinician_id, "
            "created_at, source_clinician, source_clinic"
        )
        with psycopg.connect(source) as writer:
            writer.execute(
                f"INSERT INTO records_treatmentvisit (id, {columns}) SELECT "
                f"'{PG_LATE}'::uuid, {columns} FROM records_treatmentvisit LIMIT 1"
            )
        return real_copy(names, photo_dir, dest)

    monkeypatch.setattr(backup, "_copy_files", copy_while_the_app_writes)
    runner = CliRunner()
    dest = tmp_path / "backup"
    result = runner.invoke(app, ["backup", str(dest), "--data-dir", str(photo_store.parent), "--database-url", source])
    assert result.exit_code == 0, result.output
    manifest = backup.read_manifest(dest)
    assert manifest.database == "postgresql" and set(manifest.files) == set(files_before)
    assert PG_LATE in "".join(_pg_rows(source)["records_treatmentvisit"])  # it was committed

    empty = tmp_path / "empty-instance"
    restored = runner.invoke(app, ["restore", str(dest), "--data-dir", str(empty), "--database-url", empty_database])
    assert restored.exit_code == 0, restored.output
    assert _pg_rows(empty_database) == before  # the late row is not in the snapshot
    assert {p.name: backup.sha256_of(p) for p in (empty / "photos").iterdir()} == files_before
    assert (empty / backup.CHECKPOINTS_NAME).read_bytes() == checkpoints_before  # nor the late checkpoint
    with psycopg.connect(empty_database) as conn:
        restored_log = conn.execute(f"SELECT {AUDIT_COLUMNS}").fetchall()
    report = verify_restored(restored_log, empty / backup.CHECKPOINTS_NAME)
    assert report.ok and report.rows == 3 and report.checkpoints == len(checkpoints_before.splitlines())

    again = runner.invoke(
        app, ["restore", str(dest), "--data-dir", str(tmp_path / "other"), "--database-url", empty_database]
    )
    assert again.exit_code == 2 and "already a database" in again.output.replace("\n", " ")
    assert not (tmp_path / "other" / "photos").exists()
