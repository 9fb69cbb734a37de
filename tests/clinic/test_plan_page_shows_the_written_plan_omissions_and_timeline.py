"""The plan page links the patient's written plan (PDF), lists what was left out and why, the timeline of visits
and maintenance with the toxin cadence, and says a refused change's reason once."""

from __future__ import annotations

import re

from django.test import Client

from facebalance.clinic.models import Plan
from tests.clinic.clinic_records import ClinicRecords
from tests.clinic.test_plan_is_edited_rechecked_and_audited import HTMX, plan  # noqa: F401 (fixture)


def test_the_page_links_the_pdf_and_shows_timeline_and_omissions(clinic_a: ClinicRecords, plan: Plan) -> None:  # noqa: F811
    client = Client()
    client.force_login(clinic_a.provider)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/records/plans/{plan.pk}/written-plan.pdf"' in page
    timeline = page[page.index('id="plan-timeline"') :].split("</section>")[0]
    for v in plan.document["visits"]:
        assert f'<td class="nowrap">{v["date"]}</td>' in timeline and f"Visit {v['index'] + 1}" in timeline
    for m in plan.document["maintenance"]:
        assert m["due_from"] in timeline and m["label"] in timeline
    assert plan.document["toxin_cadence"]["sentence"] in page
    if plan.document["omissions"]:
        assert 'id="plan-omissions"' in page
    pdf = client.get(f"/records/plans/{plan.pk}/written-plan.pdf")
    assert pdf.status_code in (200, 503)  # 503 only without WeasyPrint's libraries


def test_a_refused_change_says_its_reason_once(clinic_a: ClinicRecords, plan: Plan) -> None:  # noqa: F811
    client = Client()
    client.force_login(clinic_a.provider)
    cheek = next(i for i in plan.document["items"] if i["key"] == "ha_cheek")
    answer = client.post(
        f"/plans/{plan.pk}/edit/",
        {"revision": "0", "kind": "move", "key": "ha_chin", "visit": str(cheek["visit"])},
        headers=HTMX,
    ).content.decode()
    alert = re.search(r'<section class="card edit-result refused" role="alert">(.*?)</section>', answer, re.S).group(1)
    assert "Not changed." in alert
    sentences = [s.strip() for s in re.sub(r"<[^>]+>", " ", alert).split(".") if len(s.strip()) > 20]
    assert sentences and len(sentences) == len(set(sentences)), sentences
