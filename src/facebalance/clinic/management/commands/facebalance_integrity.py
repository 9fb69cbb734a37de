"""``facebalance_integrity``: the photo store against the database, and the audit chain against its key and
its signed checkpoints; a verified chain's head is appended as a new checkpoint.

Exit status 1 when anything is wrong. ``--sweep`` first removes what interrupted uploads left behind,
honouring the grace period (:data:`~facebalance.clinic.photostore.ORPHAN_GRACE_S`): a file younger than it
may belong to an upload whose row is about to commit on a live server, so it is never deleted.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facebalance.clinic import audit, photostore


class Command(BaseCommand):
    help = "Check that every photo row has its file and every file its row, and verify the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sweep",
            action="store_true",
            help=f"Remove leftovers of interrupted uploads first (only files older than "
            f"{photostore.ORPHAN_GRACE_S // 60} minutes: safe beside a running server).",
        )
        parser.add_argument("--hashes", action="store_true", help="Also re-hash every stored photo.")

    def handle(self, *args: Any, **options: Any) -> None:
        out: dict[str, Any] = {}
        if options["sweep"]:
            out["swept"] = photostore.sweep().as_dict()
        store = photostore.integrity_report(check_hashes=options["hashes"])
        chain = audit.verify_chain()
        out |= {"photo_store": store.as_dict(), "audit_chain": chain.as_dict()}
        if chain.ok:
            # A verified chain's head goes to the checkpoint file: a later cut of the tail is then detected.
            checkpoint = audit.write_checkpoint()
            out["checkpoint"] = None if checkpoint is None else checkpoint.as_dict()
        self.stdout.write(json.dumps(out, indent=2))
        if not (store.clean and chain.ok):
            raise CommandError("integrity check failed")
