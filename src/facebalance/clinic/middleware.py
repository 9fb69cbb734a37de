"""Response headers, the upload limit, the deny-by-default gate, and the log filter that keeps query strings
out of logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import StopUpload
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render

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


#: A refused body is read and discarded up to this many bytes, so that the client (which is still sending)
#: reads the 413 instead of a connection reset; past it the connection is simply closed.
_DRAIN_MAX_BYTES = 128 * 1024 * 1024


def _drain(request: HttpRequest, length: int) -> None:
    if length > _DRAIN_MAX_BYTES:
        return
    try:
        while request.read(1 << 20):
            pass
    except OSError:
        pass


def upload_too_large(request: HttpRequest, *, video: bool = False) -> HttpResponse:
    """413 with what the limit is and how to get under it: JSON for the API, a page (or, for htmx, a
    message swapped into the page's ``#upload-limit`` region) for the pages. ``video``: a dynamics video,
    whose limit is ``FACEBALANCE_VIDEO_MAX_BYTES``."""
    limit = int(settings.FACEBALANCE.video_max_bytes if video else settings.FACEBALANCE.upload_max_bytes)
    limit_mb = f"{limit / 1_048_576:.1f}".removesuffix(".0")
    message = f"The upload is larger than the clinic's limit of {limit_mb} MB ({limit:,} bytes)."
    hint = (
        "Upload a smaller file: export the photo as a JPEG or at a lower resolution (a 12-24 megapixel JPEG is "
        "usually 3-10 MB). An administrator can raise the limit with FACEBALANCE_UPLOAD_MAX_BYTES."
    )
    if video:
        hint = (
            "Trim the video to the guided expressions (about half a minute) or record it at 1080p or lower. An "
            "administrator can raise the limit with FACEBALANCE_VIDEO_MAX_BYTES."
        )
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "upload_too_large", "message": message, "hint": hint}, status=413)
    context = {"title": "The file is too large", "message": message, "hint": hint}
    if request.headers.get("HX-Request") == "true":
        response = render(request, "clinic/_too_large.html", context, status=413)
        response["HX-Retarget"] = "#upload-limit"
        response["HX-Reswap"] = "innerHTML"
        return response
    context["hint"] = f"{hint} Go back to the previous page and choose a smaller file; nothing was stored."
    return render(request, "clinic/message.html", context, status=413)


class UploadLimitMiddleware:
    """Answer 413 to a body over the upload limit before anything else reads it.

    Without it, the CSRF check is the first to read a multipart body, and the upload handler's
    ``StopUpload`` (or Django's ``RequestDataTooBig``) escapes from there as a server error. A declared
    ``Content-Length`` over the limit is refused without parsing; a multipart body is parsed here (the
    bounded handler stops at the limit, also for a chunked body of unknown length), so that the views,
    the CSRF check and the API see either the whole form or a 413.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Imported here: Django's logging set-up imports this module (the log filter) before the models load.
        from facebalance.clinic import photostore, recordings

        if request.method in ("POST", "PUT", "PATCH"):
            # A dynamics video has its own limit, and its handler streams it into the photo store.
            video = recordings.is_video_upload(request)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > (recordings.body_limit_bytes() if video else photostore.body_limit_bytes()):
                _drain(request, length)
                return upload_too_large(request, video=video)
            if request.content_type == "multipart/form-data":
                if video:
                    request.upload_handlers = [recordings.VideoUploadHandler(request)]
                try:
                    request.POST  # noqa: B018 - parse now, inside the limit, with the bounded handler
                except (StopUpload, RequestDataTooBig):
                    return upload_too_large(request, video=video)
                if getattr(request, "upload_too_large", False):
                    return upload_too_large(request, video=video)
        return self.get_response(request)


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
