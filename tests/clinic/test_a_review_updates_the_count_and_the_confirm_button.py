"""Reviewing a finding through htmx answers with the finding and, out of band, the count awaiting review and
the confirm button, so neither is stale until a reload."""

from __future__ import annotations

import re

from django.test import Client

from facebalance.clinic.models import FindingReview
from tests.clinic.clinic_records import ClinicRecords


def test_the_last_review_enables_the_confirm_button(clinic_a: ClinicRecords) -> None:
    FindingReview.objects.filter(assessment=clinic_a.assessment).delete()
    client = Client()
    client.force_login(clinic_a.provider)
    page = client.get(f"/assessments/{clinic_a.assessment.pk}/").content.decode()
    assert "(1 awaiting review)" in page
    assert re.search(r'<button type="submit" disabled[^>]*>Confirm the assessment', page)

    answer = client.post(
        f"/assessments/{clinic_a.assessment.pk}/findings/lower_third_mm_above/review/",
        {"decision": "confirm"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'id="finding-lower_third_mm_above"' in answer
    count = re.search(r'<span id="unreviewed-count"[^>]*>(.*?)</span>', answer).group(0)
    assert 'hx-swap-oob="true"' in count and "(0 awaiting review)" in count
    button = re.search(r'<div id="confirm-assessment" hx-swap-oob="true">.*?</div>', answer, re.S).group(0)
    assert "Confirm the assessment" in button and "disabled" not in button


def test_an_edit_shows_the_clinicians_grade(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    answer = client.post(
        f"/assessments/{clinic_a.assessment.pk}/findings/lower_third_mm_above/review/",
        {"decision": "edit", "sentence": "Lower third a little long; no treatment.", "severity": "marked"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert '<span class="badge marked">marked</span> Lower third a little long; no treatment.' in answer
