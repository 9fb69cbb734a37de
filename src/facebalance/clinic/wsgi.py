"""WSGI entry point: ``gunicorn facebalance.clinic.wsgi`` (see gunicorn.conf.py beside this file)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facebalance.clinic.settings")
application = get_wsgi_application()
