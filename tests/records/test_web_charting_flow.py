"""A provider charts a treatment on the face diagram, links it to the plan item, records the follow-up
("movement returned after 11 weeks") and an adverse event; the ledger, the recall list and its .ics
follow from it; every step is in the verified audit chain."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

PLAN_ITEM = {
    "key": "toxin_glabella",
    "treatment": "toxin_glabella",
    "label": "Toxin to the glabella",
    "visit": 0,
    "date": "2026-01-05",
    "dose": {"text": "20 U"},
}


def _plan_with_item(records: Any) -> Any:
    records.plan.document = {
        "status": "proposed",
        "summary": "test plan",
        "items": [PLAN_ITEM],
        "visits": [{"index": 0, "date": "2026-01-05", "items": ["toxin_glabella"]}],
    }
    records.plan.status = "accepted"
    records.plan.save()
    return records.plan


def _chart(client: Any, records: Any, plan: Any, on: date) -> Any:
    return client.post(
        f"/records/patients/{records.patient.pk}/treatments/new/",
        {
            "performed_on": on.isoformat(),
            "modality": "toxin",
            "area": "glabella",
            "product": "Botox",
            "lot": "C5512",
            "expiry": (on + timedelta(days=200)).isoformat(),
            "plan_item": f"{plan.pk}/toxin_glabella",
            "site": ["procerus", "corrugator_right", "corrugator_left"],
            "x": ["100", "86.2", "113.8"],
            "y": ["93", "86", "86"],
            "amount": ["4", "8", "8"],
            "depth": ["intramuscular"] * 3,
            "technique": ["needle"] * 3,
        },
    )


def test_a_provider_charts_follows_up_and_the_recall_follows(client: Any, clinic_a: Any) -> None:
    from facebalance.clinic import audit
    from facebalance.clinic.records.models import TreatmentVisit

    client.force_login(clinic_a.provider)
    page = client.get(f"/records/patients/{clinic_a.patient.pk}/treatments/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="face"' in html and 'data-site="corrugator_right"' in html and "records/chart.js" in html
    plan = _plan_with_item(clinic_a)
    on = date.today() - timedelta(weeks=13)
    response = _chart(client, clinic_a, plan, on)
    assert response.status_code == 302
    visit = TreatmentVisit.objects.get(patient=clinic_a.patient)
    assert (visit.plan_id, visit.plan_item, visit.lot) == (plan.pk, "toxin_glabella", "C5512")
    assert sorted(s.site for s in visit.sites.all()) == ["corrugator_left", "corrugator_right", "procerus"]
    assert client.get(response["Location"]).status_code == 200

    follow = client.post(
        f"/records/treatments/{visit.pk}/follow-up/",
        {"on": (on + timedelta(weeks=11)).isoformat(), "movement_returned_weeks": "11", "satisfied": "yes"},
    )
    assert follow.status_code == 302
    event = client.post(
        f"/records/treatments/{visit.pk}/adverse-event/",
        {"kind": "bruising", "severity": "mild", "onset": on.isoformat(), "action": "arnica"},
    )
    assert event.status_code == 302
    detail = client.get(f"/records/treatments/{visit.pk}/").content.decode()
    assert "movement returned after 11" in detail and "bruising (mild)" in detail

    ledger = client.get(f"/records/patients/{clinic_a.patient.pk}/treatments/").content.decode()
    assert "Movement returned at 11 weeks" in ledger and "20.0" in ledger

    recalls = client.get("/records/recalls/").content.decode()
    assert "Toxin (glabella)" in recalls and "HarbourGiven" in recalls
    assert "Planned visit" not in recalls  # the plan's only visit is charted
    ics = client.get("/records/recalls.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content and b"Toxin (glabella)" in ics.content

    assert audit.verify_chain().ok
    actions = set(audit.AuditEvent.objects.filter(clinic_id=clinic_a.clinic.pk).values_list("action", "object_type"))
    assert {
        ("create", "treatmentvisit"),
        ("create", "followup"),
        ("create", "adverseevent"),
        ("export", "recall_list"),
    } <= actions


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"site": ["nowhere"]}, "not a standard site"),
        ({"amount": ["-1"]}, "between 0 and 1000"),
        ({"lot": ""}, "lot number"),
        ({"expiry": "2020-01-01"}, "expired"),
        ({"site": [], "x": [], "y": [], "amount": [], "depth": [], "technique": []}, "at least one injection site"),
    ],
)
def test_a_bad_chart_is_refused_with_the_reason(
    client: Any, clinic_a: Any, change: dict[str, Any], message: str
) -> None:
    from facebalance.clinic.records.models import TreatmentVisit

    client.force_login(clinic_a.provider)
    form = {
        "performed_on": "2025-06-01",
        "modality": "ha",
        "area": "lips",
        "product": "HA",
        "lot": "L1",
        "site": ["upper_lip"],
        "x": ["100"],
        "y": ["177"],
        "amount": ["0.5"],
        "depth": ["subcutaneous"],
        "technique": ["needle"],
    }
    response = client.post(f"/records/patients/{clinic_a.patient.pk}/treatments/new/", {**form, **change})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not TreatmentVisit.objects.exists()


def test_the_fhir_export_round_trips_the_clinics_record(client: Any, clinic_a: Any) -> None:
    pytest.importorskip("fhir.resources")
    import json

    from facebalance.clinic.records.convert import patient_record
    from facebalance.records.fhir import record_from_bundle

    client.force_login(clinic_a.provider)
    _chart(client, clinic_a, _plan_with_item(clinic_a), date(2025, 6, 2))
    response = client.get(f"/records/patients/{clinic_a.patient.pk}/fhir.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    assert record_from_bundle(json.loads(response.content)) == patient_record(clinic_a.patient)
    csv_text = client.get("/records/measurements.csv").content.decode()
    assert "lower_third_mm" in csv_text and "HarbourGiven" not in csv_text


def test_the_written_documents_download_as_pdf(client: Any, clinic_a: Any) -> None:
    from facebalance.records.pdf import PdfUnavailable, load_weasyprint

    try:
        load_weasyprint()
    except PdfUnavailable as exc:
        pytest.skip(str(exc))
    client.force_login(clinic_a.provider)
    plan = client.get(f"/records/plans/{clinic_a.plan.pk}/written-plan.pdf")
    report = client.get(f"/records/assessments/{clinic_a.assessment.pk}/report.pdf")
    for r in (plan, report):
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
