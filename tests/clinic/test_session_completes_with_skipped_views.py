"""A view that cannot be taken is skipped with a reason (a provider's decision, audited); the session then
completes without it and says what was skipped. Each htmx action on a slot also swaps the session's status
block out of band, so "still needed" and the complete button follow at once."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from facebalance.clinic import audit
from facebalance.clinic.models import Photo, PhotoSession
from facebalance.session.protocol import load_protocol
from tests.clinic.clinic_records import ClinicRecords, new_session

REQUIRED = [v.id for v in load_protocol().views if v.required]
HTMX = {"HX-Request": "true"}


def _passing_photo(session: PhotoSession, view_id: str, user: Any, status: str = "pass") -> Photo:
    return Photo.objects.create(
        session=session,
        view_id=view_id,
        stored_name=None,
        sha256="0" * 64,
        size_bytes=1,
        width_px=1,
        height_px=1,
        checks={"checks": []},
        status=status,
        uploaded_by=user,
    )


def _skip(client: Client, session: PhotoSession, view_id: str, reason: str, **headers: str) -> Any:
    return client.post(f"/sessions/{session.pk}/views/{view_id}/skip/", {"skip_reason": reason}, headers=headers)


def test_a_session_completes_once_the_rest_is_skipped_with_reasons(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    _passing_photo(session, "frontal_rest", clinic_a.provider)
    _passing_photo(session, "profile_left", clinic_a.provider, status="fail")

    client.post(f"/sessions/{session.pk}/complete/")
    session.refresh_from_db()
    assert session.completed_at is None  # five required views are still needed

    swapped = _skip(client, session, "profile_left", "Patient declined the profile photos today.", **HTMX)
    html = swapped.content.decode()
    slot, status = html.split('<div id="session-status"', 1)
    assert 'id="slot-profile_left"' in slot and "Skipped" in slot and "Patient declined" in slot
    needed = re.search(r'<p id="missing">(.*?)</p>', status, re.S).group(1)
    assert 'hx-swap-oob="true"' in status and "Right profile" in needed and "Left profile" not in needed
    assert "Left profile" in status.split('id="skipped-views"')[1]

    for view in REQUIRED:
        if view not in ("frontal_rest", "profile_left"):
            assert _skip(client, session, view, "Demo: only the frontal view is taken.").status_code == 302
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "Still needed" not in page and "Complete the session" in page
    assert "Patient declined the profile photos today." in page

    client.post(f"/sessions/{session.pk}/complete/")
    session.refresh_from_db()
    assert session.completed_at is not None
    event = audit.AuditEvent.objects.filter(object_id=str(session.pk), detail__completed=True).get()
    assert sorted(event.detail["skipped_views"]) == sorted(v for v in REQUIRED if v != "frontal_rest")
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "complete" in page and re.search(r"Left profile.*skipped by harbour\.provider", page, re.S)


def test_a_usable_view_is_not_skipped_and_a_reason_is_needed(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    _passing_photo(session, "frontal_rest", clinic_a.provider)
    answer = _skip(client, session, "frontal_rest", "no reason to skip", **HTMX).content.decode()
    assert "nothing to skip" in answer
    answer = _skip(client, session, "oblique_left", "no", **HTMX).content.decode()
    assert "Say why the view is skipped" in answer
    session.refresh_from_db()
    assert session.skips == []


def test_a_later_photo_supersedes_the_skip(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    assert _skip(client, session, "oblique_left", "Camera battery flat.").status_code == 302
    _passing_photo(session, "oblique_left", clinic_a.provider)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    slot = page[page.index('id="slot-oblique_left"') : page.index('id="slot-oblique_right"')]
    assert "Skipped" not in slot


def test_only_a_provider_skips(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    client.force_login(clinic_a.front_desk)
    assert _skip(client, session, "oblique_left", "Camera battery flat.").status_code == 403
    assert "Skip this view" not in client.get(f"/sessions/{session.pk}/").content.decode()
