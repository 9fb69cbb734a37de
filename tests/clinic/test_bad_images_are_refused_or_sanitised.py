"""Every file of ../shared/data/bad_images through the browser form and the API: refused with a message, or
(GPS and orientation files) stored as a clean re-encoded JPEG without EXIF."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from facebalance.clinic import photostore
from facebalance.clinic.api import issue_key
from facebalance.clinic.models import Photo
from tests.clinic.clinic_records import BAD_IMAGES, ClinicRecords

#: Files the README says are handled (stored clean), not refused.
SANITISED = {
    "pillow_exif_gps.jpg",
    "pillow_empty_gps_ifd.jpg",
    "pillow_hopper_orientation_2.jpg",
    "pillow_hopper_orientation_3.jpg",
    "pillow_hopper_orientation_6.jpg",
    "pillow_hopper_orientation_8.jpg",
    "fuzzdb_POC_phpinfo-metadata.jpg",
}

FILES = sorted(p.name for p in BAD_IMAGES.iterdir() if p.name != "README.md") if BAD_IMAGES.is_dir() else []
needs_data = pytest.mark.skipif(not FILES, reason=f"{BAD_IMAGES} is absent (shared evaluation data)")


def check_stored(photo: Photo) -> None:
    data = photostore.photo_path(photo.stored_name).read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        assert not im.getexif(), "stored copy still has EXIF"
        assert "comment" not in im.info
    assert b"<?php" not in data and b"phpinfo" not in data


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_the_browser_form_refuses_or_sanitises(clinic_a: ClinicRecords, name: str) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    data = (BAD_IMAGES / name).read_bytes()
    response = client.post(
        f"/sessions/{clinic_a.session.pk}/views/frontal_smile/upload/",
        {"photo": SimpleUploadedFile(name, data)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    stored = Photo.objects.filter(session=clinic_a.session, view_id="frontal_smile")
    if name in SANITISED:
        assert stored.count() == 1, response.content.decode()[:500]
        check_stored(stored.get())
    else:
        assert not stored.exists()
        assert 'role="alert"' in response.content.decode()
    assert photostore.integrity_report().clean


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_the_api_refuses_or_sanitises(clinic_a: ClinicRecords, name: str) -> None:
    client = Client(headers={"Authorization": f"Bearer {issue_key(clinic_a.provider, 'test')}"})
    data = (BAD_IMAGES / name).read_bytes()
    response = client.post(
        f"/api/sessions/{clinic_a.session.pk}/photos/frontal_smile", {"photo": SimpleUploadedFile(name, data)}
    )
    if name in SANITISED:
        assert response.status_code == 201, response.content
        check_stored(Photo.objects.get(pk=response.json()["id"]))
    else:
        assert response.status_code == 422, response.content
        body = response.json()
        assert body["code"] and body["message"]
        assert not Photo.objects.filter(session=clinic_a.session, view_id="frontal_smile").exists()
