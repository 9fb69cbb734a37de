"""Production server settings: ``gunicorn -c python:facebalance.clinic.gunicorn_conf facebalance.clinic.wsgi``.

Sync workers, one request each: a photo check holds the process's landmarker for ~50 ms, so requests
in one process would only queue on it. The access log leaves out query strings (``%(U)s`` is the path
alone), since a query can carry a patient's name.
"""

from __future__ import annotations

import multiprocessing
import os

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
