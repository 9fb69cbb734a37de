"""Another clinic's treatments, plans, assessments and patients are not found through the records pages,
by GET or POST; the front desk can read but not chart; nothing changes."""

from __future__ import annotations

from datetime import date
from typing import Any


def _visit(records: Any) -> Any:
    from facebalance.clinic.records.models import InjectionSite, TreatmentVisit

    visit = TreatmentVisit.objects.create(
        patient=records.patient,
        performed_on=date(2025, 5, 1),
        modality="ha",
        area="lips",
        product="HA",
        lot="L1",
        clinician=records.provider,
    )
    InjectionSite.objects.create(
        visit=visit, site="upper_lip", x=100, y=177, amount=1, depth="subcutaneous", technique="needle"
    )
    return visit


def test_another_clinics_records_are_not_found(client: Any, clinic_a: Any, clinic_b: Any) -> None:
    from facebalance.clinic.records.models import AdverseEvent, FollowUp, TreatmentVisit

    theirs = _visit(clinic_b)
    client.force_login(clinic_a.provider)
    gets = [
        f"/records/patients/{clinic_b.patient.pk}/treatments/",
        f"/records/patients/{clinic_b.patient.pk}/treatments/new/",
        f"/records/patients/{clinic_b.patient.pk}/fhir.json",
        f"/records/treatments/{theirs.pk}/",
        f"/records/plans/{clinic_b.plan.pk}/written-plan.pdf",
        f"/records/assessments/{clinic_b.assessment.pk}/report.pdf",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        f"/records/patients/{clinic_b.patient.pk}/treatments/new/",
        f"/records/treatments/{theirs.pk}/follow-up/",
        f"/records/treatments/{theirs.pk}/adverse-event/",
    ]
    for url in posts:
        assert (
            client.post(
                url, {"on": "2025-06-01", "kind": "bruising", "severity": "mild", "onset": "2025-06-01"}
            ).status_code
            == 404
        ), url
    # A plan item of the other clinic cannot be linked to our patient either.
    linked = client.post(
        f"/records/patients/{clinic_a.patient.pk}/treatments/new/",
        {
            "performed_on": "2025-06-01",
            "modality": "ha",
            "area": "lips",
            "product": "HA",
            "lot": "L1",
            "plan_item": f"{clinic_b.plan.pk}/ha_lips",
            "site": ["upper_lip"],
            "x": ["100"],
            "y": ["177"],
            "amount": ["0.5"],
            "depth": ["subcutaneous"],
            "technique": ["needle"],
        },
    )
    assert linked.status_code == 404
    assert TreatmentVisit.objects.count() == 1
    assert not FollowUp.objects.exists() and not AdverseEvent.objects.exists()
    # The recall list and the research CSV hold only the member's own clinic.
    _visit(clinic_a)
    assert "HillGiven" not in client.get("/records/recalls/").content.decode()
    assert str(clinic_b.patient.pk) not in client.get("/records/measurements.csv").content.decode()


def test_roles_and_anonymous_access(client: Any, clinic_a: Any) -> None:
    visit = _visit(clinic_a)
    assert client.get(f"/records/treatments/{visit.pk}/").status_code == 302  # to the login page
    client.force_login(clinic_a.front_desk)
    assert client.get(f"/records/treatments/{visit.pk}/").status_code == 200
    assert client.get(f"/records/patients/{clinic_a.patient.pk}/treatments/new/").status_code == 403
    assert client.post(f"/records/treatments/{visit.pk}/follow-up/", {"on": "2025-06-01"}).status_code == 403
    assert client.get(f"/records/patients/{clinic_a.patient.pk}/fhir.json").status_code == 403
    client.force_login(clinic_a.admin)
    assert client.get("/records/recalls/").status_code == 403
