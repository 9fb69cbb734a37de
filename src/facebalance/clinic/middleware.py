"""Response headers, the deny-by-default gate, and the log filter that keeps query strings out of logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

#: Scripts, styles, images and form targets from this origin only; no inline script or style, no
#: framing, no plugins. Photos are data from our own views; blob: lets the camera preview show.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The camera is used by the photo page (tablet capture); nothing else is.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"

#: Paths whose views enforce access themselves: the admin (superusers only), the API (its own
#: authentication on every operation) and static files (public by nature, no PHI).
_SELF_GUARDED = ("/admin/", "/api/", "/static/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith("/static/"):
            # Pages and photos hold health data: never kept by the browser or a shared cache.
            response.setdefault("Cache-Control", "no-store")
        return response


class DenyByDefaultMiddleware:
    """Refuse every view that declares no permission (see :func:`facebalance.clinic.access.clinic_view`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view_func, "clinic_permission", None) or getattr(view_func, "clinic_public", False):
            return None
        if request.path.startswith(_SELF_GUARDED):
            return None
        return HttpResponseForbidden("This page declares no permission and is refused.")


_QUERY = re.compile(r"\?[^ \"]*")


class StripQueryLogFilter(logging.Filter):
    """Drop query strings from request log lines: a search term can be a patient's name."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(_QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _QUERY.sub("?…", record.msg)
        return True
