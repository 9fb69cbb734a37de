"""Database sessions whose idle expiry slides with use, written at most once a minute.

Django's ``SESSION_SAVE_EVERY_REQUEST`` writes the session row (and, on SQLite with ``synchronous=FULL``,
fsyncs) on every request only to push its expiry forward. Here the stored expiry is pushed forward only once
more than :data:`REFRESH_AFTER_S` of the idle limit has passed since it was last pushed, so a session still
ends between ``FACEBALANCE_SESSION_IDLE_S - 60`` and ``FACEBALANCE_SESSION_IDLE_S`` seconds after its last
request, and most requests write nothing but their audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

#: Seconds of the idle limit a session may use up before a request writes its new expiry.
REFRESH_AFTER_S = 60


class SessionStore(DbSessionStore):
    """The database session, remembering the expiry it was loaded with."""

    loaded_expiry: datetime | None = None

    def _get_session_from_db(self) -> Any:
        stored = super()._get_session_from_db()
        self.loaded_expiry = None if stored is None else stored.expire_date
        return stored

    def refresh_due(self) -> bool:
        """Whether the stored expiry lags the idle limit by more than :data:`REFRESH_AFTER_S`."""
        if self.loaded_expiry is None:
            return True
        remaining_s = (self.loaded_expiry - timezone.now()).total_seconds()
        return self.get_expiry_age() - remaining_s >= REFRESH_AFTER_S


class SessionRefreshMiddleware:
    """Mark a used session for saving when its expiry is due to be pushed (placed after SessionMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if isinstance(session, SessionStore) and session.accessed and not session.is_empty() and session.refresh_due():
            session.modified = True
        return response
