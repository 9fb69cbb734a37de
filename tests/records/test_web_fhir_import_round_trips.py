"""A patient's record exported as a FHIR Bundle from clinic A, imported into clinic B through the import page,
and exported again from B: the two Bundles are equal but for the ids (new rows) and the Bundle's timestamp.
An invalid Bundle is refused with the reason and creates nothing; the import always lands in the member's
own clinic; the front desk may not import."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from tests.records.test_web_charting_flow import _chart, _plan_with_item

pytest.importorskip("fhir.resources")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _upload(client: Any, data: bytes, **extra: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/records/patients/import/", {"bundle": SimpleUploadedFile("patient-bundle.json", data), **extra}
    )


def _without_ids(bundle: dict[str, Any]) -> str:
    """The Bundle with every UUID replaced by the order of its first appearance, and no timestamp."""
    bundle = {k: v for k, v in bundle.items() if k != "timestamp"}
    text = json.dumps(bundle, sort_keys=True)
    seen: dict[str, str] = {}
    return UUID.sub(lambda m: seen.setdefault(m.group(0), f"id-{len(seen)}"), text)


def _drop_patient(data: bytes) -> bytes:
    bundle = json.loads(data)
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]
    return json.dumps(bundle).encode()


def _counts() -> dict[str, int]:
    from facebalance.clinic.models import Assessment, Patient, Photo, PhotoSession, Plan
    from facebalance.clinic.records.models import AdverseEvent, FollowUp, InjectionSite, TreatmentVisit

    return {
        m.__name__: m.objects.count()
        for m in (Patient, PhotoSession, Photo, Assessment, Plan, TreatmentVisit, InjectionSite, AdverseEvent, FollowUp)
    }


def _record_with_treatments(client: Any, records: Any) -> bytes:
    from facebalance.clinic.records.models import TreatmentVisit

    client.force_login(records.provider)
    assert _chart(client, records, _plan_with_item(records), date(2025, 6, 2)).status_code == 302
    visit = TreatmentVisit.objects.get(patient=records.patient)
    client.post(
        f"/records/treatments/{visit.pk}/follow-up/",
        {"on": "2025-08-18", "movement_returned_weeks": "11", "satisfied": "yes", "note": "soft return"},
    )
    client.post(
        f"/records/treatments/{visit.pk}/adverse-event/",
        {"kind": "bruising", "severity": "mild", "onset": "2025-06-02", "action": "arnica"},
    )
    response = client.get(f"/records/patients/{records.patient.pk}/fhir.json")
    assert response.status_code == 200
    return response.content


def test_a_record_exported_from_a_imports_into_b_without_loss(client: Any, clinic_a: Any, clinic_b: Any) -> None:
    from facebalance.clinic import audit
    from facebalance.clinic.models import Patient

    exported = _record_with_treatments(client, clinic_a)
    first = json.loads(exported)
    kinds = {e["resource"]["resourceType"] for e in first["entry"]}
    assert {"Patient", "Media", "Observation", "CarePlan", "Procedure"} <= kinds

    client.force_login(clinic_b.admin)  # a clinic admin may import too
    page = client.get("/records/patients/import/")
    assert page.status_code == 200 and 'name="bundle"' in page.content.decode()
    client.force_login(clinic_b.provider)
    response = _upload(client, exported)
    assert response.status_code == 302, response.content.decode()
    imported = Patient.objects.exclude(pk=clinic_b.patient.pk).get(clinic=clinic_b.clinic)
    assert imported.pk != clinic_a.patient.pk and response["Location"] == f"/patients/{imported.pk}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/records/patients/{imported.pk}/treatments/").status_code == 200
    assessment = imported.photo_sessions.get().assessments.get()
    assert client.get(f"/assessments/{assessment.pk}/").status_code == 200
    assert client.get(f"/photos/{assessment.photo_id}/image/").status_code == 404  # no pixels were sent

    again = client.get(f"/records/patients/{imported.pk}/fhir.json")
    assert again.status_code == 200
    second = json.loads(again.content)
    assert _without_ids(second) == _without_ids(first)
    ids_a = {e["resource"]["id"] for e in first["entry"]}
    assert not ids_a & {e["resource"]["id"] for e in second["entry"]}  # every row is new
    assert audit.verify_chain().ok
    assert audit.AuditEvent.objects.filter(
        clinic_id=clinic_b.clinic.pk,
        action="create",
        object_type="patient",
        object_id=str(imported.pk),
        detail__import="fhir",
    ).exists()

    # Imported twice: a second patient, nothing merged or overwritten.
    assert _upload(client, exported).status_code == 302
    assert Patient.objects.filter(clinic=clinic_b.clinic, given_name="HarbourGiven").count() == 2


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda b: b"not json", "not JSON"),
        (lambda b: json.dumps({"resourceType": "Patient"}).encode(), "not a FHIR Bundle"),
        (lambda b: re.sub(rb'"birthDate": "[^"]*"', b'"birthDate": "the second of January"', b), "not valid FHIR R4B"),
        (lambda b: _drop_patient(b), "patients; one is expected"),
        (lambda b: b.replace(b'"glabella"', b'"elbow"'), None),  # the area is free text: accepted
        (lambda b: b.replace(b'"procerus"', b'"nowhere"'), "not a standard injection site"),
        (lambda b: b.replace(b'"valueString": "toxin"', b'"valueString": "laser"'), "not a modality"),
    ],
)
def test_an_invalid_bundle_is_refused_and_creates_nothing(
    client: Any, clinic_a: Any, clinic_b: Any, mangle: Any, message: str | None
) -> None:
    exported = _record_with_treatments(client, clinic_a)
    bundle = json.dumps(json.loads(exported), indent=1).encode()
    client.force_login(clinic_b.provider)
    before = _counts()
    response = _upload(client, mangle(bundle))
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    assert message in response.content.decode(), response.content.decode()
    assert _counts() == before


def test_the_import_lands_only_in_the_members_own_clinic(client: Any, clinic_a: Any, clinic_b: Any) -> None:
    from facebalance.clinic.models import Patient

    exported = _record_with_treatments(client, clinic_b)
    before_b = Patient.objects.filter(clinic=clinic_b.clinic).count()
    client.force_login(clinic_a.front_desk)
    assert client.get("/records/patients/import/").status_code == 403
    assert _upload(client, exported).status_code == 403
    client.logout()
    assert _upload(client, exported).status_code == 302  # to the login page
    assert Patient.objects.count() == 2
    client.force_login(clinic_a.provider)
    # Whatever the Bundle or the form says, a member of A imports into A, never into B.
    response = _upload(client, exported, clinic=str(clinic_b.clinic.pk))
    assert response.status_code == 302
    assert Patient.objects.filter(clinic=clinic_b.clinic).count() == before_b
    assert Patient.objects.filter(clinic=clinic_a.clinic, given_name="HillGiven").count() == 1
