"""The patient chart links to the records pages the user's role may open, and to no other."""

from __future__ import annotations

from django.test import Client

from tests.clinic.clinic_records import ClinicRecords


def _links(records: ClinicRecords) -> dict[str, str]:
    p, a, plan = records.patient.pk, records.assessment.pk, records.plan.pk
    return {
        "ledger": f"/records/patients/{p}/treatments/",
        "charting": f"/records/patients/{p}/treatments/new/",
        "fhir": f"/records/patients/{p}/fhir.json",
        "recalls": "/records/recalls/",
        "ics": "/records/recalls.ics",
        "plan_pdf": f"/records/plans/{plan}/written-plan.pdf",
        "report_pdf": f"/records/assessments/{a}/report.pdf",
        "compare": f"/patients/{p}/compare/",
    }


def test_the_provider_sees_every_records_link(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    page = client.get(f"/patients/{clinic_a.patient.pk}/").content.decode()
    for name, url in _links(clinic_a).items():
        assert f'href="{url}"' in page, name


def test_the_front_desk_sees_only_what_it_may_open(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    page = client.get(f"/patients/{clinic_a.patient.pk}/").content.decode()
    links = _links(clinic_a)
    for name in ("ledger", "recalls", "ics", "plan_pdf"):
        assert f'href="{links[name]}"' in page, name
        assert client.get(links[name]).status_code != 403, name
    for name in ("charting", "fhir", "report_pdf", "compare"):
        assert links[name] not in page, name
        assert client.get(links[name]).status_code == 403, name
