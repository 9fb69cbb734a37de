"""Photo session: each upload is sanitised, checked at once and stored with its row; a failed photo gets a
retake prompt, a warning can be accepted with a reason, and the session completes only when the required
views are in."""

from __future__ import annotations

from django.test import Client

from facebalance.clinic import photostore
from facebalance.clinic.models import Photo
from tests.clinic.clinic_records import LONDON, ClinicRecords, new_session, upload


def test_a_good_frontal_photo_passes_and_is_stored_clean(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    session = new_session(client, clinic_a)
    response = upload(client, session, "frontal_rest", LONDON / "001_03.jpg")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="slot-frontal_rest"' in html and "Pass" in html
    photo = Photo.objects.get(session=session)
    assert photo.status == "pass" and photo.counts
    stored = photostore.photo_path(photo.stored_name)
    assert stored.is_file() and stored.parent == photostore.store_dir()
    assert "passwd" not in photo.stored_name and len(photo.stored_name) == 36
    assert stored.read_bytes()[:3] == b"\xff\xd8\xff"
    image = client.get(f"/photos/{photo.pk}/image/")
    assert image["Content-Type"] == "image/jpeg" and image["Cache-Control"] == "no-store"


def test_a_photo_taken_for_the_wrong_view_gets_a_retake_prompt(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    html = upload(client, session, "profile_left", LONDON / "001_03.jpg").content.decode()
    photo = Photo.objects.get(session=session)
    assert photo.status == "fail" and not photo.counts
    assert "Retake this photo" in html and "taken for profile_left" in html


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    html = upload(client, session, "frontal_rest", b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR").content.decode()
    assert 'role="alert"' in html and "not" in html.lower()
    assert not Photo.objects.filter(session=session).exists()
    assert photostore.integrity_report().clean


def test_a_refusal_without_htmx_is_a_422_page(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    assert upload(client, session, "frontal_rest", b"GIF89a....", htmx=False).status_code == 422


def test_an_oversized_upload_is_stopped(clinic_a: ClinicRecords, settings: object) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    from django.conf import settings as django_settings

    limit = django_settings.FACEBALANCE.upload_max_bytes
    response = upload(client, session, "frontal_rest", b"\xff\xd8\xff" + b"0" * (limit + 10))
    assert response.status_code in (200, 413, 422)
    assert not Photo.objects.filter(session=session).exists()


def test_a_warning_is_accepted_only_with_a_reason_and_by_a_provider(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    photo = clinic_a.photo
    Photo.objects.filter(pk=photo.pk).update(status="warn")
    html = client.post(f"/photos/{photo.pk}/accept/", {"reason": "ok"}, headers={"HX-Request": "true"})
    assert "Give the reason" in html.content.decode()
    client.post(f"/photos/{photo.pk}/accept/", {"reason": "patient cannot raise the chin further"})
    photo.refresh_from_db()
    assert photo.counts and photo.accepted_by == clinic_a.provider and photo.accepted_at is not None
    desk = Client()
    desk.force_login(clinic_a.front_desk)
    assert desk.post(f"/photos/{photo.pk}/accept/", {"reason": "front desk says so"}).status_code == 403


def test_the_session_completes_only_when_every_required_view_counts(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    session = new_session(client, clinic_a)
    upload(client, session, "frontal_rest", LONDON / "001_03.jpg")
    client.post(f"/sessions/{session.pk}/complete/")
    session.refresh_from_db()
    assert session.completed_at is None
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "Still needed:" in page and "Frontal, broad smile" in page and "Frontal, at rest;" not in page
