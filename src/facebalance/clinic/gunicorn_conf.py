"""Production server settings: ``gunicorn -c python:facebalance.clinic.gunicorn_conf facebalance.clinic.wsgi``.

Sync workers, one request each: a photo check holds the process's landmarker for ~50 ms, so requests
in one process would only queue on it. The background jobs (dynamics video analysis) run in one
``facebalance_worker`` process started with the server and stopped with it; the web workers run none.
The access log leaves out query strings (``%(U)s`` is the path alone), since a query can carry a
patient's name.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from typing import Any

bind = os.environ.get("FACEBALANCE_BIND", "127.0.0.1:8000")
workers = max(2, multiprocessing.cpu_count())
worker_class = "sync"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
limit_request_line = 4094
limit_request_fields = 100
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# Background jobs: one worker process beside the web workers (FACEBALANCE_WORKER=external tells the web
# workers, which inherit the environment, not to start a thread of their own).
os.environ.setdefault("FACEBALANCE_WORKER", "external")
_worker: subprocess.Popen[bytes] | None = None


def when_ready(server: Any) -> None:
    global _worker
    _worker = subprocess.Popen([sys.executable, "-m", "facebalance.clinic.manage", "facebalance_worker"])


def on_exit(server: Any) -> None:
    if _worker is not None and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            _worker.kill()
