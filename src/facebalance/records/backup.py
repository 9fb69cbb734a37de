"""Backups of the clinic's database and photos that are consistent while the app runs, and their restore.

SQLite: one read transaction holds a snapshot (WAL mode lets writers go on meanwhile). Inside it the
photo store's file list is read from the rows that name files, the database is copied with SQLite's
online backup API through the same connection (so the copy is that snapshot), and the listed files are
copied. A file is renamed into the store before its row commits and is never changed afterwards, so
every row in the snapshot has its file; files without a row (uploads in flight) are left out, as the
integrity sweep would remove them. Each file's SHA-256 goes into ``manifest.json``, written last: a
folder without a manifest is not a backup.

PostgreSQL (``DATABASE_URL=postgres://...``): a REPEATABLE READ transaction exports its snapshot
(``pg_export_snapshot``), the file list is read in it, and ``pg_dump --snapshot`` dumps exactly that
snapshot (custom format); restore runs ``pg_restore`` into an empty database in one transaction. Needs the
PostgreSQL client tools (on the PATH or under ``/usr/lib/postgresql/*/bin``); the password goes to them in
the environment, not on the command line. Tested on a throwaway server (``make test-postgres``).

Restore verifies every checksum before it writes anything, and refuses an instance that already has a
database or photos.

The clinic's signed audit checkpoints (``audit-checkpoints.jsonl`` in the data dir, see
``facebalance.clinic.audit``) are copied too, read *before* the database snapshot starts, so every checkpoint
in a backup counts rows that the backup's database holds; restore puts the file back beside the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from facebalance.errors import FacebalanceError

MANIFEST = "manifest.json"
SCHEMA = "facebalance.backup"
SCHEMA_VERSION = "1.0"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"
PHOTOS = "photos"
#: The clinic's append-only file of signed audit checkpoints (in its data dir), copied into every backup.
CHECKPOINTS_NAME = "audit-checkpoints.jsonl"
#: Columns that name a file in the photo store (empty values mean "no file").
FILE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("clinic_photo", "stored_name"),
    ("clinic_assessment", "annotated_name"),
    ("clinic_assessmentimage", "stored_name"),
    ("clinic_comparison", "side_by_side_name"),
    ("clinic_comparison", "blink_before_name"),
    ("clinic_comparison", "blink_after_name"),
    ("clinic_comparison", "overlay_name"),
    ("clinic_dynamicsrecording", "upload_name"),
    ("clinic_dynamicsrecording", "stored_name"),
    ("clinic_dynamicskeyframe", "stored_name"),
)


class BackupError(FacebalanceError):
    code = "backup"


@dataclass(frozen=True)
class Manifest:
    created: str
    database: str  # "sqlite" | "postgresql"
    database_file: str
    database_sha256: str
    files: dict[str, str]  # stored name -> sha256
    #: SHA-256 of the copied audit checkpoint file ("" when the instance had none).
    checkpoints_sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "created": self.created,
            "database": self.database,
            "database_file": self.database_file,
            "database_sha256": self.database_sha256,
            "files": dict(sorted(self.files.items())),
        }
        if self.checkpoints_sha256:
            doc["audit_checkpoints"] = {"file": CHECKPOINTS_NAME, "sha256": self.checkpoints_sha256}
        return doc


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fresh_dest(dest: Path) -> None:
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"The backup folder {dest} is not empty.", hint="Give a new or empty folder.")
    dest.mkdir(parents=True, exist_ok=True)


def _safe_name(name: str) -> str:
    # Stored names are server-generated; anything with a path in it is refused rather than followed.
    if not name or name != os.path.basename(name) or name.startswith("."):
        raise BackupError(f"Refusing the file name {name!r}: not a photo-store name.")
    return name


def _copy_files(names: Iterable[str], photo_dir: Path, dest: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    (dest / PHOTOS).mkdir(exist_ok=True)
    for name in sorted(set(names)):
        source = photo_dir / _safe_name(name)
        if not source.is_file():
            raise BackupError(
                f"The photo file {name} named by the database is missing.",
                hint="Run facebalance_integrity to find and repair it before backing up.",
            )
        target = dest / PHOTOS / name
        shutil.copy2(source, target)
        out[name] = sha256_of(target)
    return out


def _read_checkpoints(path: Path | None) -> bytes | None:
    """The checkpoint file's bytes as they are now (None when there is none)."""
    if path is None or not path.is_file():
        return None
    return path.read_bytes()


def _write_checkpoints(dest: Path, data: bytes | None) -> str:
    if data is None:
        return ""
    (dest / CHECKPOINTS_NAME).write_bytes(data)
    return sha256_of(dest / CHECKPOINTS_NAME)


def _write_manifest(dest: Path, manifest: Manifest) -> Manifest:
    tmp = dest / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest.as_dict(), indent=1) + "\n", "utf-8")
    tmp.replace(dest / MANIFEST)
    return manifest


def _file_names(cursor: Any, tables: set[str]) -> list[str]:
    names: list[str] = []
    for table, column in FILE_COLUMNS:
        if table in tables:
            # Table and column names come from the constant above, never from input.
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")
            names += [r[0] for r in cursor.fetchall()]
    return names


def backup_sqlite(
    db_path: Path, photo_dir: Path, dest: Path, *, now: datetime, checkpoints: Path | None = None
) -> Manifest:
    """Back up a SQLite database, its photos and the audit ``checkpoints`` file into the empty folder ``dest``
    (see the module text)."""
    if not db_path.is_file():
        raise BackupError(f"There is no database at {db_path}.", hint="Check FACEBALANCE_DATA_DIR.")
    _fresh_dest(dest)
    checkpoint_data = _read_checkpoints(checkpoints)  # before the snapshot: it never counts rows it lacks
    source = sqlite3.connect(db_path, isolation_level=None, timeout=20)
    try:
        source.execute("BEGIN")  # the snapshot starts with the first read below and lasts until COMMIT
        cursor = source.cursor()
        tables = {r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        names = _file_names(cursor, tables)
        target = sqlite3.connect(dest / SQLITE_NAME)
        try:
            source.backup(target)
        finally:
            target.close()
        files = _copy_files(names, photo_dir, dest)
        source.execute("COMMIT")
    finally:
        source.close()
    return _write_manifest(
        dest,
        Manifest(
            now.isoformat(),
            "sqlite",
            SQLITE_NAME,
            sha256_of(dest / SQLITE_NAME),
            files,
            _write_checkpoints(dest, checkpoint_data),
        ),
    )


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: from the PATH, else the newest under ``/usr/lib/postgresql/*/bin``
    (Debian's server package puts them there)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(f"{name} is not installed.", hint="Install the PostgreSQL client tools (postgresql-client).")
    return str(candidates[-1])


def _pg_env(database_url: str) -> dict[str, str]:
    """The connection as libpq environment variables, so the password is not on a command line."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(database_url)
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
        "sslmode": "PGSSLMODE",
    }
    env = dict(os.environ)
    env.update({names[k]: str(v) for k, v in params.items() if k in names and v is not None})
    return env


def _run_pg(args: list[str], database_url: str) -> None:
    try:
        subprocess.run(args, env=_pg_env(database_url), check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{Path(args[0]).name} failed: {(exc.stderr or '').strip()[:2000]}") from None


def backup_postgres(
    database_url: str, photo_dir: Path, dest: Path, *, now: datetime, checkpoints: Path | None = None
) -> Manifest:
    """Back up a PostgreSQL database (``pg_dump`` of an exported snapshot), its photos and the audit
    ``checkpoints`` file."""
    import psycopg

    _fresh_dest(dest)
    checkpoint_data = _read_checkpoints(checkpoints)  # before the snapshot: it never counts rows it lacks
    pg_dump = pg_tool("pg_dump")
    # Autocommit, so that the explicit BEGIN below opens the transaction (and sets its isolation level).
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        names = _file_names(conn.cursor(), tables)
        _run_pg([pg_dump, f"--snapshot={snapshot}", "--format=custom", f"--file={dest / PG_NAME}"], database_url)
        files = _copy_files(names, photo_dir, dest)
        conn.execute("COMMIT")
    return _write_manifest(
        dest,
        Manifest(
            now.isoformat(),
            "postgresql",
            PG_NAME,
            sha256_of(dest / PG_NAME),
            files,
            _write_checkpoints(dest, checkpoint_data),
        ),
    )


def read_manifest(src: Path) -> Manifest:
    """The backup's manifest after checking every checksum; :class:`BackupError` names the first mismatch."""
    try:
        doc = json.loads((src / MANIFEST).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{src} has no readable {MANIFEST}: not a complete backup ({exc}).") from None
    if doc.get("schema") != SCHEMA:
        raise BackupError(f"{src / MANIFEST} is not a facebalance backup manifest.")
    manifest = Manifest(
        doc["created"],
        doc["database"],
        doc["database_file"],
        doc["database_sha256"],
        dict(doc["files"]),
        str((doc.get("audit_checkpoints") or {}).get("sha256", "")),
    )
    if sha256_of(src / _safe_name(manifest.database_file)) != manifest.database_sha256:
        raise BackupError(f"The database copy in {src} does not match its checksum.", hint="Use another backup.")
    if manifest.checkpoints_sha256 and (
        not (src / CHECKPOINTS_NAME).is_file() or sha256_of(src / CHECKPOINTS_NAME) != manifest.checkpoints_sha256
    ):
        raise BackupError(
            f"The audit checkpoints in {src} are missing or do not match their checksum.", hint="Use another backup."
        )
    for name, digest in manifest.files.items():
        path = src / PHOTOS / _safe_name(name)
        if not path.is_file() or sha256_of(path) != digest:
            raise BackupError(
                f"The photo {name} in {src} is missing or does not match its checksum.", hint="Use another backup."
            )
    return manifest


def _check_empty(photo_dir: Path, checkpoints: Path | None) -> None:
    if photo_dir.exists() and any(p for p in photo_dir.rglob("*") if p.is_file()):
        raise BackupError(f"The photo store {photo_dir} is not empty.", hint="Restore into an empty instance.")
    if checkpoints is not None and checkpoints.exists():
        raise BackupError(
            f"There is already an audit checkpoint file at {checkpoints}.", hint="Restore into an empty instance."
        )


def _restore_photos(src: Path, manifest: Manifest, photo_dir: Path, checkpoints: Path | None) -> None:
    photo_dir.mkdir(parents=True, exist_ok=True)
    for name in manifest.files:
        shutil.copy2(src / PHOTOS / name, photo_dir / name)
    if checkpoints is not None and manifest.checkpoints_sha256:
        checkpoints.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / CHECKPOINTS_NAME, checkpoints)


def restore_sqlite(src: Path, db_path: Path, photo_dir: Path, *, checkpoints: Path | None = None) -> Manifest:
    """Restore a SQLite backup into an empty instance (no database file, no photos, no checkpoint file)."""
    manifest = read_manifest(src)
    if manifest.database != "sqlite":
        raise BackupError(f"The backup holds a {manifest.database} database, not SQLite.")
    if db_path.exists():
        raise BackupError(f"There is already a database at {db_path}.", hint="Restore into an empty instance.")
    _check_empty(photo_dir, checkpoints)
    _restore_photos(src, manifest, photo_dir, checkpoints)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.restore")
    shutil.copyfile(src / manifest.database_file, tmp)
    tmp.replace(db_path)
    return manifest


def restore_postgres(src: Path, database_url: str, photo_dir: Path, *, checkpoints: Path | None = None) -> Manifest:
    """Restore a PostgreSQL backup into an empty database with ``pg_restore`` (one transaction)."""
    import psycopg

    manifest = read_manifest(src)
    if manifest.database != "postgresql":
        raise BackupError(f"The backup holds a {manifest.database} database, not PostgreSQL.")
    pg_restore = pg_tool("pg_restore")
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()
    if row is not None and row[0]:
        raise BackupError("There is already a database (it has tables).", hint="Restore into an empty database.")
    _check_empty(photo_dir, checkpoints)
    _restore_photos(src, manifest, photo_dir, checkpoints)
    _run_pg(
        [
            pg_restore,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_pg_env(database_url).get('PGDATABASE', '')}",
            str(src / manifest.database_file),
        ],
        database_url,
    )
    return manifest
