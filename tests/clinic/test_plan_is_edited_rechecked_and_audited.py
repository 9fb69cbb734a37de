"""Page 5: the provider edits the generated plan (drop, change dose, move, add, change product) with htmx;
each change is re-checked by the engine's gates, re-priced, kept with who and when, and audited; a change
that breaks a gate is refused with its reason and changes nothing; then the patient accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from facebalance.clinic.api import issue_key
from facebalance.clinic.models import AuditEvent, Plan
from tests.clinic.clinic_records import ClinicRecords

HTMX = {"HX-Request": "true"}
#: Grades that give a two-visit plan: toxin and cheek filler first, then the chin (midface before lower face).
GRADES = {"glabellar_lines": 2, "midface_volume_deficit": 3, "chin_retrusion": 2}


@pytest.fixture
def plan(clinic_a: ClinicRecords) -> Plan:
    """The engine's plan for clinic A's patient, generated through the page from a confirmed assessment."""
    assessment = clinic_a.assessment
    assessment.grades = GRADES
    assessment.confirmed_by, assessment.confirmed_at = clinic_a.provider, timezone.now()
    assessment.save()
    client = Client()
    client.force_login(clinic_a.provider)
    response = client.post(f"/assessments/{assessment.pk}/plan/")
    assert response.status_code == 302, response.content.decode()[:500]
    made = Plan.objects.filter(assessment=assessment).exclude(pk=clinic_a.plan.pk).get()
    assert made.document["status"] == "proposed"
    return made


def _edit(client: Client, plan: Plan, **fields: Any) -> Any:
    return client.post(f"/plans/{plan.pk}/edit/", {"revision": str(len(plan.edits)), **fields}, headers=HTMX)


def _keys(plan: Plan) -> dict[str, int]:
    plan.refresh_from_db()
    return {i["key"]: i["visit"] + 1 for i in plan.document["items"]}


def test_the_provider_sees_the_edit_controls_and_the_front_desk_does_not(clinic_a: ClinicRecords, plan: Plan) -> None:
    provider, desk = Client(), Client()
    provider.force_login(clinic_a.provider)
    desk.force_login(clinic_a.front_desk)
    page = provider.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-key="ha_chin"' in page and ">Drop</button>" in page and 'name="dose_low"' in page
    shown = desk.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-key="ha_chin"' in shown and ">Drop</button>" not in shown
    assert desk.post(f"/plans/{plan.pk}/edit/", {"kind": "drop", "key": "ha_chin"}).status_code == 403


def test_a_change_is_repriced_kept_with_who_and_when_and_audited(clinic_a: ClinicRecords, plan: Plan) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    total_before = plan.document["pricing"]["total"]
    events_before = AuditEvent.objects.filter(action="change", object_id=str(plan.pk)).count()
    html = _edit(client, plan, kind="drop", key="toxin_glabella").content.decode()
    assert 'role="status"' in html and "Dropped toxin to the glabellar complex" in html
    assert "toxin_glabella" not in _keys(plan)
    assert plan.document["pricing"]["total"]["high"] < total_before["high"]
    entry = plan.edits[-1]
    assert entry["by"] == "harbour.provider" and entry["edit"] == {"kind": "drop", "key": "toxin_glabella"}
    event = AuditEvent.objects.filter(action="change", object_id=str(plan.pk)).order_by("-seq").first()
    assert event is not None and event.detail == {"edit": "drop", "item": "toxin_glabella", "revision": 1}
    assert AuditEvent.objects.filter(action="change", object_id=str(plan.pk)).count() == events_before + 1
    html = _edit(client, plan, kind="dose", key="ha_cheek", dose_low="1", dose_high="1.5").content.decode()
    assert "from 1-2 mL to 1-1.5 mL" in html and "Changes by the clinician" in html
    plan.refresh_from_db()
    cheek = next(i for i in plan.document["items"] if i["key"] == "ha_cheek")
    assert cheek["dose"]["text"] == "1-1.5 mL" and len(plan.edits) == 2


def test_a_change_that_breaks_a_gate_is_refused_with_its_reason_and_changes_nothing(
    clinic_a: ClinicRecords, plan: Plan
) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    before = json.dumps(plan.document, sort_keys=True)
    events_before = AuditEvent.objects.filter(action="change", object_id=str(plan.pk)).count()
    html = _edit(client, plan, kind="move", key="ha_chin", visit="0").content.decode()
    assert 'role="alert"' in html and "Not changed." in html and "Rule midface_before_lower_face" in html
    html = _edit(client, plan, kind="dose", key="ha_cheek", dose_low="1", dose_high="5").content.decode()
    assert "outside the 1-2 mL per visit" in html
    plan.refresh_from_db()
    assert json.dumps(plan.document, sort_keys=True) == before and plan.edits == []
    assert AuditEvent.objects.filter(action="change", object_id=str(plan.pk)).count() == events_before
    page = client.post(f"/plans/{plan.pk}/edit/", {"kind": "move", "key": "ha_chin", "visit": "0"})
    assert page.status_code == 422  # without htmx: the whole page, with the reason


def test_a_form_from_an_older_revision_is_refused(clinic_a: ClinicRecords, plan: Plan) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    assert 'role="status"' in _edit(client, plan, kind="drop", key="toxin_glabella").content.decode()
    stale = client.post(f"/plans/{plan.pk}/edit/", {"revision": "0", "kind": "drop", "key": "ha_cheek"})
    assert stale.status_code == 409 and "reload it" in stale.content.decode()
    assert "ha_cheek" in _keys(plan)


def test_moving_to_a_new_visit_and_back_keeps_every_interval(clinic_a: ClinicRecords, plan: Plan) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    visits = len(plan.document["visits"])
    html = _edit(client, plan, kind="move", key="toxin_glabella", visit=str(visits)).content.decode()
    assert 'role="status"' in html, html[:800]
    assert _keys(plan)["toxin_glabella"] == visits + 1
    dates = [v["date"] for v in plan.document["visits"]]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)


def test_an_accepted_plan_is_not_changed_any_more(clinic_a: ClinicRecords, plan: Plan) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    _edit(client, plan, kind="drop", key="toxin_glabella")
    assert client.post(f"/plans/{plan.pk}/accept/", {"consent": "1"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "accepted" and len(plan.edits) == 1
    assert "toxin_glabella" not in {i["key"] for i in plan.document["items"]}
    refused = client.post(f"/plans/{plan.pk}/edit/", {"kind": "drop", "key": "ha_cheek"})
    assert refused.status_code == 409
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert ">Drop</button>" not in page and "Accepted by the patient" in page
    event = AuditEvent.objects.filter(action="accept", object_id=str(plan.pk)).get()
    assert event.detail == {"revision": 1}


def test_the_api_edits_with_the_same_gates(clinic_a: ClinicRecords, plan: Plan) -> None:
    client = Client()
    headers = {"Authorization": f"Bearer {issue_key(clinic_a.provider, 'test')}"}

    def post(body: dict[str, Any]) -> Any:
        return client.post(
            f"/api/plans/{plan.pk}/edits", json.dumps(body), content_type="application/json", headers=headers
        )

    refused = post({"kind": "move", "key": "ha_chin", "visit": 0})
    assert refused.status_code == 422 and refused.json()["applied"] is False
    assert refused.json()["violations"][0]["gate"] == "precedence"
    applied = post({"kind": "drop", "key": "toxin_glabella", "revision": 0})
    assert applied.status_code == 200 and applied.json()["applied"] is True
    assert "toxin_glabella" not in {i["key"] for i in applied.json()["plan"]["document"]["items"]}
    assert post({"kind": "drop", "key": "ha_cheek", "revision": 0}).status_code == 409
    bad = post({"kind": "drop", "key": "no_such_item"})
    assert bad.status_code == 422 and "is not in the plan" in bad.json()["sentence"]


def test_the_clinic_price_list_prices_the_plan_and_a_bad_one_is_refused(clinic_a: ClinicRecords) -> None:
    admin = Client()
    admin.force_login(clinic_a.admin)
    form = {"name": clinic_a.clinic.name, "protocol_toml": "", "norms_toml": ""}
    bad = admin.post("/settings/", {**form, "prices_toml": "[[price]]\nkey = 'toxin_unit'\nlow = 30\nhigh = 20\n"})
    assert bad.status_code == 200 and "price list" in bad.content.decode()
    clinic_a.clinic.refresh_from_db()
    assert clinic_a.clinic.prices_toml == ""
    prices = (
        "[meta]\nname = 'harbour'\nversion = '1'\n[[price]]\nkey = 'toxin_unit'\nlabel = 'Toxin'\n"
        "per = 'unit'\nlow = 10\nhigh = 12\nsource = 'clinic list'\nreview = 'clinic'\n"
    )
    assert admin.post("/settings/", {**form, "prices_toml": prices}).status_code == 302
    assessment = clinic_a.assessment
    assessment.grades = {"glabellar_lines": 2}
    assessment.confirmed_by, assessment.confirmed_at = clinic_a.provider, timezone.now()
    assessment.save()
    provider = Client()
    provider.force_login(clinic_a.provider)
    provider.post(f"/assessments/{assessment.pk}/plan/")
    made = Plan.objects.filter(assessment=assessment).exclude(pk=clinic_a.plan.pk).get()
    toxin = next(i for i in made.document["items"] if i["key"] == "toxin_glabella")
    assert toxin["price"] == {"low": 200.0, "high": 240.0}  # 20 U at the clinic's 10-12 USD
