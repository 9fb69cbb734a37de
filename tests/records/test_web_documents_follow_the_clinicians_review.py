"""Through the clinic: after the clinician edits a finding (their sentence, their grade) the written plan and the
report print the edit; after they reject it, neither prints it. Read back with pdftotext."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.records.test_written_plan_follows_the_review_and_speaks_to_the_patient import _require_tools
from tests.shared_data import system_tool

EDITED = "Lower face a little long; not something to treat."


@pytest.fixture
def provider(clinic_a: Any) -> Client:
    _require_tools()
    client = Client()
    client.force_login(clinic_a.provider)
    return client


def _text(client: Client, url: str, tmp_path: Path) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(response.content)
    out = subprocess.run([system_tool("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def _review(client: Client, records: Any, **fields: str) -> None:
    url = f"/assessments/{records.assessment.pk}/findings/lower_third_mm_above/review/"
    assert client.post(url, fields).status_code == 302


def test_an_edited_finding_prints_in_the_clinicians_words_and_grade(
    provider: Client, clinic_a: Any, tmp_path: Path
) -> None:
    _review(provider, clinic_a, decision="edit", sentence=EDITED, severity="marked")
    plan = _text(provider, f"/records/plans/{clinic_a.plan.pk}/written-plan.pdf", tmp_path)
    assert f"{EDITED} (grade: marked)" in plan and "Lower third long." not in plan
    report = _text(provider, f"/records/assessments/{clinic_a.assessment.pk}/report.pdf", tmp_path)
    assert f"{EDITED} (marked; edited by harbour.provider)" in report
    assert "Proposed as: Lower third long." in report


def test_a_rejected_finding_is_printed_nowhere(provider: Client, clinic_a: Any, tmp_path: Path) -> None:
    _review(provider, clinic_a, decision="reject", note="Measured on a tilted photo.")
    plan = _text(provider, f"/records/plans/{clinic_a.plan.pk}/written-plan.pdf", tmp_path)
    report = _text(provider, f"/records/assessments/{clinic_a.assessment.pk}/report.pdf", tmp_path)
    for text in (plan, report):
        assert "Lower third long." not in text
    assert "No finding." in report
