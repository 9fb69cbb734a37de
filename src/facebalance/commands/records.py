"""``facebalance backup DEST`` and ``facebalance restore SRC``: the clinic's database, photos and audit
checkpoints."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from facebalance.commands import report_error
from facebalance.errors import FacebalanceError


def _instance(data_dir: Path | None, database_url: str | None) -> tuple[Path, str | None]:
    folder = data_dir or Path(os.environ.get("FACEBALANCE_DATA_DIR") or "var/clinic")
    url = database_url if database_url is not None else (os.environ.get("DATABASE_URL") or None)
    return folder, url


_fail = report_error


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="The clinic's data folder (default $FACEBALANCE_DATA_DIR or ./var/clinic)."),
]
DbUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="PostgreSQL URL (default $DATABASE_URL; none = SQLite in the data folder)."),
]


DbFile = Annotated[
    Path | None, typer.Option("--database-file", help="The SQLite file (default clinic.sqlite3 in the data folder).")
]


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command()
    def backup(
        dest: Annotated[Path, typer.Argument(help="A new or empty folder.")],
        data_dir: DataDir = None,
        database_url: DbUrl = None,
        database_file: DbFile = None,
    ) -> None:
        """Back up the clinic's database and photos, consistently while the app runs (docs/records.md)."""
        from facebalance.records import backup as b

        folder, url = _instance(data_dir, database_url)
        try:
            checkpoints = folder / b.CHECKPOINTS_NAME
            if url and url.startswith(("postgres://", "postgresql://")):
                manifest = b.backup_postgres(
                    url, folder / "photos", dest, now=datetime.now(UTC), checkpoints=checkpoints
                )
            else:
                manifest = b.backup_sqlite(
                    database_file or folder / "clinic.sqlite3",
                    folder / "photos",
                    dest,
                    now=datetime.now(UTC),
                    checkpoints=checkpoints,
                )
        except FacebalanceError as exc:
            raise _fail(exc) from None
        Console().print(f"Backed up the {manifest.database} database and {len(manifest.files)} files to {dest}.")

    @app.command()
    def restore(
        src: Annotated[Path, typer.Argument(help="A folder written by facebalance backup.")],
        data_dir: DataDir = None,
        database_url: DbUrl = None,
        database_file: DbFile = None,
    ) -> None:
        """Restore a backup into an empty instance, after checking every checksum."""
        from facebalance.records import backup as b

        folder, url = _instance(data_dir, database_url)
        try:
            checkpoints = folder / b.CHECKPOINTS_NAME
            if url and url.startswith(("postgres://", "postgresql://")):
                manifest = b.restore_postgres(src, url, folder / "photos", checkpoints=checkpoints)
            else:
                manifest = b.restore_sqlite(
                    src, database_file or folder / "clinic.sqlite3", folder / "photos", checkpoints=checkpoints
                )
        except FacebalanceError as exc:
            raise _fail(exc) from None
        Console().print(f"Restored the {manifest.database} database and {len(manifest.files)} files into {folder}.")
