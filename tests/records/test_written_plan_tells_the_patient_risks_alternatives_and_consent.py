"""The written plan PDF carries the plan the patient reads: each item's what, why and when, its risks, aftercare
and downtime, the alternatives (no treatment, surgery where a finding calls for it), what was left out and why,
the phases, the consent points and the sign-off; never an internal id or the clinic's typical price band."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from facebalance.planning import FindingInput, plan_document
from facebalance.records.pdf import Letterhead, PatientHeader, PdfUnavailable, load_weasyprint, plan_html, render
from tests.planning.planning_personas import LENA, NORA, intake, plan_for
from tests.shared_data import system_tool

LETTERHEAD = Letterhead("Demo clinic", ("1 Harbour Street",))
PATIENT = PatientHeader("Sample Patient", date(1991, 5, 17), "c1d2e3f4")


def pdf_text(plan: dict[str, Any], tmp_path: Path, *, withheld: bool = False) -> str:
    try:
        load_weasyprint()
    except PdfUnavailable as exc:
        pytest.skip(str(exc))
    html = plan_html(
        letterhead=LETTERHEAD,
        patient=PATIENT,
        plan=plan,
        analysis=None,
        photos=[],
        goals="Fuller lips",
        prepared_on=date(2026, 12, 1),
        assessment_withheld=withheld,
    )
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(render(html).write_pdf())
    text = subprocess.run([system_tool("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def test_the_written_plan_gives_risks_aftercare_downtime_alternatives_consent_and_sign_off(tmp_path: Path) -> None:
    doc = dict(plan_document(plan_for(intake(**LENA))))
    assert doc["pricing"]["clinician_notes"], "the total is outside the typical range: the clinician is told"
    text = pdf_text(doc, tmp_path)
    assert "typical" not in text and "15,000" not in text, "the patient is not"
    for words in (
        "Chin.",
        "Why: Your chin sits back (graded moderate).",
        "Your chin is treated first; your lips are judged once it has settled",
        "Downtime: Swelling and possible bruising",
        "Risks: Swelling, redness, tenderness and bruising",
        "Aftercare: Avoid make-up, exercise, saunas and alcohol for 24 hours.",
        "No treatment: none of these treatments is medically necessary",
        "A chin implant or a sliding genioplasty (surgery)",
        "Before you sign, we have discussed with you:",
        "That you may change your mind or stop at any time.",
        "I have examined the patient, reviewed this plan",
        "Signature and date",
    ):
        assert words in text, words


def test_a_plan_in_phases_says_so_and_shows_no_internal_id(tmp_path: Path) -> None:
    doc = dict(plan_document(plan_for(intake(**{**NORA, "preferences": {"budget_usd": 2500}}))))
    text = pdf_text(doc, tmp_path)
    assert "Your plan in phases" in text and "phase 2, later, after a reassessment" in text
    assert "typical" not in text and "15,000" not in text
    assert not re.search(r"\b(ha|toxin|plla)_[a-z_]+\b", text)
    assert "What we have deliberately left out, and why" in text or not doc["patient"]["untreated"]


def test_a_copy_without_the_assessment_leaves_out_the_findings_behind_each_item(tmp_path: Path) -> None:
    doc = dict(
        plan_document(plan_for(intake(**LENA), [FindingInput("goode_ratio_above", "profile", "mild", "profile")]))
    )
    full, withheld = pdf_text(doc, tmp_path), pdf_text(doc, tmp_path, withheld=True)
    for finding in ("Why: Your chin sits back", "We do not inject the nose"):
        assert finding in full and finding not in withheld
    assert "Risks:" in withheld and "Before you sign" in withheld
