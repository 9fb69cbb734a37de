"""The product inventory: a lot received with its expiry and quantity; charting picks the lot from stock, which
refuses an expired lot and takes the amount off what is left; a lot recall lists every patient treated with it
(drawn from stock or typed with the same lot number). Another clinic's lot is a 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from facebalance.clinic import audit
from facebalance.clinic.records.models import ProductLot, TreatmentVisit
from tests.records.test_charting_enforces_the_planners_rules import _form, _post
from tests.records.test_web_charting_flow import _plan_with_item

TODAY = timezone.localdate()


def _receive(client: Client, **fields: str) -> Any:
    return client.post(
        "/records/inventory/",
        {
            "modality": "toxin",
            "product": "Botox 100 U",
            "lot": "C9001",
            "expiry": (TODAY + timedelta(days=300)).isoformat(),
            "quantity_received": "100",
            "received_on": TODAY.isoformat(),
            **fields,
        },
    )


def test_a_lot_is_received_drawn_from_and_recalled(clinic_a: Any, clinic_b: Any) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    assert _receive(client).status_code == 403
    client.force_login(clinic_a.provider)
    assert _receive(client).status_code == 302
    lot = ProductLot.objects.get(clinic=clinic_a.clinic, lot="C9001")
    assert lot.quantity_remaining == Decimal(100)
    assert "C9001" in client.get("/records/inventory/").content.decode()

    plan = _plan_with_item(clinic_a)
    assert (
        _post(client, clinic_a, _form(plan, product="", lot="", expiry="", product_lot=str(lot.pk))).status_code == 302
    )
    visit = TreatmentVisit.objects.get(patient=clinic_a.patient)
    assert (visit.product_lot_id, visit.product, visit.lot, visit.expiry) == (
        lot.pk,
        "Botox 100 U",
        "C9001",
        lot.expiry,
    )
    lot.refresh_from_db()
    assert lot.quantity_remaining == Decimal(80)  # 4 + 8 + 8 U charted

    # Another patient charted by hand with the same product and lot number is on the recall list too.
    other = clinic_a.patient.__class__.objects.create(
        clinic=clinic_a.clinic,
        given_name="Ada",
        family_name="Second",
        date_of_birth=TODAY.replace(year=TODAY.year - 40),
        sex="female",
        created_by=clinic_a.provider,
        email="ada@example.test",
    )
    TreatmentVisit.objects.create(
        patient=other,
        performed_on=TODAY - timedelta(days=10),
        modality="toxin",
        area="glabella",
        product="botox 100 u",
        lot="c9001",
        clinician=clinic_a.provider,
    )
    page = client.get(f"/records/inventory/lots/{lot.pk}/").content.decode()
    recall = page[page.index('id="lot-recall"') :]
    assert "Patients treated with this lot (2)" in recall
    assert clinic_a.patient.given_name in recall and "Ada Second" in recall and "ada@example.test" in recall
    assert audit.AuditEvent.objects.filter(object_type="productlot", detail__recall_list=True).exists()

    client.force_login(clinic_b.provider)
    assert client.get(f"/records/inventory/lots/{lot.pk}/").status_code == 404


def test_an_expired_lot_is_refused(clinic_a: Any) -> None:
    lot = ProductLot.objects.create(
        clinic=clinic_a.clinic,
        modality="toxin",
        product="Botox 100 U",
        lot="OLD1",
        expiry=TODAY - timedelta(days=1),
        quantity_received=100,
        quantity_remaining=100,
        received_on=TODAY - timedelta(days=400),
        received_by=clinic_a.provider,
    )
    client = Client()
    client.force_login(clinic_a.provider)
    response = _post(client, clinic_a, _form(_plan_with_item(clinic_a), product_lot=str(lot.pk)))
    assert response.status_code == 422
    assert f"expired on {lot.expiry.isoformat()}: it cannot be used" in response.content.decode()
    lot.refresh_from_db()
    assert lot.quantity_remaining == 100 and not TreatmentVisit.objects.filter(patient=clinic_a.patient).exists()
    assert "OLD1" not in client.get(f"/records/patients/{clinic_a.patient.pk}/treatments/new/").content.decode()


def test_more_than_is_left_is_refused(clinic_a: Any) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    _receive(client, quantity_received="10")
    lot = ProductLot.objects.get(clinic=clinic_a.clinic)
    response = _post(client, clinic_a, _form(_plan_with_item(clinic_a), product_lot=str(lot.pk)))
    assert response.status_code == 422 and "Only 10 U left in lot C9001" in response.content.decode()
    lot.refresh_from_db()
    assert lot.quantity_remaining == 10


def test_a_lot_expired_on_arrival_or_received_twice_is_refused(clinic_a: Any) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    late = _receive(client, expiry=(TODAY - timedelta(days=1)).isoformat())
    assert late.status_code == 422 and "expired when it was received" in late.content.decode()
    assert _receive(client).status_code == 302
    twice = _receive(client)
    assert twice.status_code == 422 and "already in the inventory" in twice.content.decode()
