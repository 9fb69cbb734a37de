"""Operations shared by the pages, the JSON API and the demo seed, each in one transaction with its audit row."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from facebalance.clinic import audit, engine, photostore
from facebalance.clinic.models import CheckStatus, Patient, Photo, PhotoSession
from facebalance.session.photo_check import check_photo

#: Words of a patient search that count (given or family name contains each).
SEARCH_WORDS = 4


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID (a form's one-time submission token, an id from a form field)."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def search_patients(patients: QuerySet[Patient], q: str) -> QuerySet[Patient]:
    """The patients whose given or family name contains each of the query's first words (case-insensitive)."""
    for word in q.split()[:SEARCH_WORDS]:
        patients = patients.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return patients


def add_photo(session: PhotoSession, view_id: str, data: bytes, *, user: Any) -> Photo:
    """Sanitise, check and store one photo of a session view.

    Raises
    ------
    facebalance.errors.FacebalanceError
        When the file is refused (not an image, unsupported, corrupt, too large) or the view is unknown.
    """
    protocol = engine.clinic_protocol(session.patient.clinic)
    view = protocol.view(view_id)
    clean = photostore.clean_upload(data)
    with engine.landmarker() as lm:
        result = check_photo(clean.data, protocol=protocol, landmarker=lm, view_id=view.id, name=view.id)
    part = photostore.write_part(clean.data)
    name = photostore.new_name(".jpg")

    def create() -> Photo:
        photo = Photo.objects.create(
            session=session,
            view_id=view.id,
            stored_name=name,
            sha256=clean.sha256,
            size_bytes=len(clean.data),
            width_px=clean.width_px,
            height_px=clean.height_px,
            checks=result.as_dict(),
            status=result.status if result.status in CheckStatus.values else CheckStatus.PASS,
            uploaded_by=user,
        )
        audit.record(
            "create",
            user=user,
            clinic_id=session.patient.clinic_id,
            obj=photo,
            detail={"session": str(session.pk), "view": view.id, "status": photo.status},
        )
        return photo

    photo: Photo = photostore.commit_files({name: part}, create)
    return photo
