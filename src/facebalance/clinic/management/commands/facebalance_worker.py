"""``facebalance_worker``: run the clinic's background jobs (the analysis of dynamics videos).

Production runs one beside gunicorn (``gunicorn_conf.py`` starts it with the server and stops it with it, and
sets ``FACEBALANCE_WORKER=external`` so the web workers start no thread of their own). ``--once`` runs what is
queued and exits (tests, cron).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facebalance.clinic import jobs


class Command(BaseCommand):
    help = "Run the clinic's background jobs (dynamics video analysis) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the queued jobs, then exit.")
        parser.add_argument("--poll", type=float, default=jobs.POLL_S, help="Seconds between looks for work.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            ran = jobs.run_pending()
            self.stdout.write(f"ran {ran} job(s)")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("facebalance worker: waiting for jobs")
        jobs.serve(stop, poll_s=options["poll"])
