"""``facebalance_integrity``: the photo store against the database, and the audit chain.

Exit status 1 when anything is wrong. ``--sweep`` first removes what interrupted uploads left behind.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facebalance.clinic import audit, photostore


class Command(BaseCommand):
    help = "Check that every photo row has its file and every file its row, and verify the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sweep", action="store_true", help="Remove leftovers of interrupted uploads first.")
        parser.add_argument("--hashes", action="store_true", help="Also re-hash every stored photo.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sweep"]:
            photostore.sweep(grace_s=0)
        store = photostore.integrity_report(check_hashes=options["hashes"])
        chain = audit.verify_chain()
        self.stdout.write(json.dumps({"photo_store": store.as_dict(), "audit_chain": chain.as_dict()}, indent=2))
        if not (store.clean and chain.ok):
            raise CommandError("integrity check failed")
