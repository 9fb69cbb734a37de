"""Charting applies the planner's rules (one piece of code, facebalance.planning.charting) to what the patient
reported at intake and what was charted here: a toxin six weeks after the one recorded at intake is refused with
the plan's own "not before" date, unless the clinician writes why (kept and audited); the form keeps the plan
item, the area and the sites placed when it is shown again; the same form sent twice saves once."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from facebalance.clinic import audit
from facebalance.clinic.models import Intake, PriorTreatment
from facebalance.clinic.records.models import TreatmentVisit
from tests.records.test_web_charting_flow import _plan_with_item

TODAY = timezone.localdate()


def _prior_toxin(records: Any, weeks_ago: int) -> Any:
    intake = Intake.objects.create(patient=records.patient, created_by=records.provider, goals="frown lines")
    return PriorTreatment.objects.create(
        intake=intake,
        date=TODAY - timedelta(weeks=weeks_ago),
        modality="toxin",
        area="glabella",
        amount=20,
        clinic_name="Elsewhere",
    )


def _form(plan: Any, **extra: Any) -> dict[str, Any]:
    return {
        "performed_on": TODAY.isoformat(),
        "modality": "toxin",
        "area": "glabella",
        "product": "Botox",
        "lot": "C5512",
        "expiry": (TODAY + timedelta(days=200)).isoformat(),
        "plan_item": f"{plan.pk}/toxin_glabella",
        "site": ["procerus", "corrugator_right", "corrugator_left"],
        "x": ["100", "86.2", "113.8"],
        "y": ["93", "86", "86"],
        "amount": ["4", "8", "8"],
        "depth": ["intramuscular"] * 3,
        "technique": ["needle"] * 3,
        **extra,
    }


def _post(client: Client, records: Any, data: dict[str, Any]) -> Any:
    return client.post(f"/records/patients/{records.patient.pk}/treatments/new/", data)


def test_a_toxin_inside_the_interval_is_refused_then_overridden_with_a_reason(clinic_a: Any) -> None:
    prior = _prior_toxin(clinic_a, weeks_ago=6)
    not_before = prior.date + timedelta(days=84)
    client = Client()
    client.force_login(clinic_a.provider)
    plan = _plan_with_item(clinic_a)

    refused = _post(client, clinic_a, _form(plan))
    assert refused.status_code == 422
    html = refused.content.decode()
    assert f"not before {not_before.isoformat()}" in html and 'data-gate="toxin_interval"' in html
    assert not TreatmentVisit.objects.filter(patient=clinic_a.patient).exists()
    # Nothing entered is lost: the plan item, the area and the three sites come back.
    assert re.search(rf'<option value="{plan.pk}/toxin_glabella" selected>', html)
    assert '<option value="glabella" selected>' in html
    assert html.count('name="site" value="') == 3 and 'value="corrugator_left"' in html
    assert 'name="override_reason"' in html

    reason = "Asymmetric return of movement; discussed with the patient, low dose."
    saved = _post(client, clinic_a, _form(plan, override_reason=reason))
    assert saved.status_code == 302
    visit = TreatmentVisit.objects.get(patient=clinic_a.patient)
    assert visit.override_reason == reason and (visit.plan_id, visit.plan_item) == (plan.pk, "toxin_glabella")
    assert [v["gate"] for v in visit.safety_checks if v["level"] == "hard"] == ["toxin_interval"]
    event = audit.AuditEvent.objects.filter(object_type="treatmentvisit", object_id=str(visit.pk)).get()
    assert event.detail["override"] == ["toxin_interval"] and reason not in str(event.detail)


def test_a_short_reason_does_not_override(clinic_a: Any) -> None:
    _prior_toxin(clinic_a, weeks_ago=6)
    client = Client()
    client.force_login(clinic_a.provider)
    response = _post(client, clinic_a, _form(_plan_with_item(clinic_a), override_reason="ok"))
    assert response.status_code == 422 and "at least 15 characters" in response.content.decode()


def test_after_the_interval_it_is_charted_with_no_question(clinic_a: Any) -> None:
    _prior_toxin(clinic_a, weeks_ago=13)
    client = Client()
    client.force_login(clinic_a.provider)
    assert _post(client, clinic_a, _form(_plan_with_item(clinic_a))).status_code == 302
    assert TreatmentVisit.objects.get(patient=clinic_a.patient).override_reason == ""


def test_a_form_error_keeps_the_plan_link_and_the_fix_saves_it(clinic_a: Any) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    plan = _plan_with_item(clinic_a)
    broken = _post(client, clinic_a, _form(plan, lot="", product=""))
    assert broken.status_code == 422
    assert re.search(rf'<option value="{plan.pk}/toxin_glabella" selected>', broken.content.decode())
    fixed = _post(client, clinic_a, _form(plan))
    assert fixed.status_code == 302
    visit = TreatmentVisit.objects.get(patient=clinic_a.patient)
    assert visit.plan_id == plan.pk
    bundle = client.get(f"/records/patients/{clinic_a.patient.pk}/fhir.json").json()
    (procedure,) = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Procedure" and e["resource"]["id"] == str(visit.pk)
    ]
    assert procedure["basedOn"] == [{"reference": f"urn:uuid:{plan.pk}"}]


def test_the_same_form_sent_twice_saves_once(clinic_a: Any) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    token = "7d1c1a52-0000-4000-8000-000000000042"
    data = _form(_plan_with_item(clinic_a), submission=token)
    first, again = _post(client, clinic_a, data), _post(client, clinic_a, data)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert TreatmentVisit.objects.filter(patient=clinic_a.patient).count() == 1


def test_filler_reported_at_intake_counts_in_the_area_cap_and_the_ledger(clinic_a: Any) -> None:
    intake = Intake.objects.create(patient=clinic_a.patient, created_by=clinic_a.provider, goals="lips")
    PriorTreatment.objects.create(
        intake=intake, date=TODAY - timedelta(days=400), modality="ha", area="lips", amount=Decimal("2.5")
    )
    client = Client()
    client.force_login(clinic_a.provider)
    lips = _form(
        _plan_with_item(clinic_a),
        modality="ha",
        area="lips",
        plan_item="",
        site=["upper_lip", "lower_lip"],
        x=["100", "100"],
        y=["177", "191"],
        amount=["0.4", "0.5"],
        depth=["subcutaneous"] * 2,
        technique=["cannula"] * 2,
    )
    refused = _post(client, clinic_a, lips)
    assert refused.status_code == 422 and 'data-gate="area_cap"' in refused.content.decode()
    assert "2.5 mL of earlier filler" in refused.content.decode()
    ledger = client.get(f"/records/patients/{clinic_a.patient.pk}/treatments/").content.decode()
    reported = ledger[ledger.index('id="reported"') :].split("</table>")[0]
    assert "Hyaluronic acid filler" in reported and "lips" in reported
    filler = ledger[ledger.index("Filler over the years") :].split("</table>")[0]
    assert "<td>lips</td>" in filler and "2.5" in filler
