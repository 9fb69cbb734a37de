"""Django app configuration: connects the SQLite durability settings to every new connection."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created


def sqlite_durability(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """WAL journal, fsync on every commit, foreign keys enforced, for each new SQLite connection.

    ``synchronous=FULL`` makes a committed transaction survive a power cut in WAL mode (NORMAL may lose
    the last commits), which a clinical record needs; the cost is one extra fsync per commit.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")


class ClinicAppConfig(AppConfig):
    name = "facebalance.clinic"
    label = "clinic"
    verbose_name = "facebalance clinic"

    def ready(self) -> None:
        connection_created.connect(sqlite_durability, dispatch_uid="facebalance-sqlite-durability")
        # The background jobs' handlers (the dynamics video analysis, the whole-session assessment) register
        # themselves on import.
        import facebalance.clinic.recordings
        import facebalance.clinic.views_assess  # noqa: F401
