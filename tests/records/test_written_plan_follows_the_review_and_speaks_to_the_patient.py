"""The written plan and the report print the findings as the clinician left them (their wording and grade, never
a rejected one), and the written plan speaks to the patient: no engine ids, no clinic-internal price range, no
risks cited that it does not list, each message once. Checked on the PDF's text (pdftotext)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from facebalance.planning import FindingInput, build_plan, parse_intake, plan_document
from facebalance.records.pdf import (
    Letterhead,
    PatientHeader,
    PdfUnavailable,
    load_weasyprint,
    plan_html,
    render_pdf,
    report_html,
)
from tests.shared_data import system_tool

HEADER = PatientHeader("Sample Patient", date(1991, 5, 17), "c1d2e3f4")
ENGINE_SENTENCE = "Commissure tilt from stomion (right): -6.1 ± 0.9 deg, below the norm (z = -2.4)."
CLINICIAN_SENTENCE = "The right mouth corner turns down clearly at rest."
REJECTED_SENTENCE = "Lower third long: 71.0 ± 1.1 mm, above the norm."
#: Ids of the engine and the catalogue a patient must never read.
INTERNAL = (
    "ha_soft",
    "ha_lift",
    "toxin_before_filler_same_region",
    "midface_before_lower_face",
    "commissure_tilt_right_deg_below",
    "crows_feet",
    "profile.recessed_chin",
    "dynamic.",
)


def _require_tools() -> None:
    try:
        load_weasyprint()
    except PdfUnavailable as exc:
        pytest.skip(str(exc))
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")


def _text(html: str, tmp_path: Path) -> str:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(render_pdf(html))
    out = subprocess.run([system_tool("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def _analysis() -> dict[str, Any]:
    """A reviewed analysis: the commissure finding edited (the clinician's words, graded marked), the lower third
    rejected."""
    return {
        "schema": "facebalance.frontal_analysis",
        "measurements": {
            "commissure_tilt_right_deg": {
                "label": "Commissure tilt from stomion; negative = corner turned down (right)",
                "zone": "lower_face",
                "unit": "deg",
                "value": -6.1,
                "uncertainty": 0.9,
                "norm": None,
            }
        },
        "findings": [
            {
                "id": "commissure_tilt_right_deg_below",
                "zones": ["lower_face"],
                "severity": "marked",
                "sentence": CLINICIAN_SENTENCE,
                "engine_sentence": ENGINE_SENTENCE,
                "status": "edited",
                "reviewer": "dr.rowe",
            },
            {
                "id": "lower_third_mm_above",
                "zones": ["proportions"],
                "severity": "mild",
                "sentence": REJECTED_SENTENCE,
                "status": "rejected",
                "reviewer": "dr.rowe",
            },
        ],
    }


def _plan(**intake: Any) -> dict[str, Any]:
    doc = json.loads(files("facebalance.planning").joinpath("data/example_intake.json").read_text("utf-8"))
    doc["requested_treatments"] = ["ha_lips", "toxin_crows_feet"]
    doc["grades"]["midface_volume_deficit"] = 3
    doc.update(intake)
    finding = FindingInput("commissure_tilt_right_deg_below", "lower_face", "marked", "frontal", {}, CLINICIAN_SENTENCE)
    return plan_document(build_plan([finding], parse_intake(doc)))


def _plan_text(plan: dict[str, Any], tmp_path: Path) -> str:
    html = plan_html(
        letterhead=Letterhead("Demo clinic"),
        patient=HEADER,
        plan=plan,
        analysis=_analysis(),
        photos=[],
        goals="Fuller lips",
        prepared_on=date(2026, 12, 1),
    )
    return _text(html, tmp_path)


def test_the_written_plan_prints_the_clinicians_findings_only(tmp_path: Path) -> None:
    _require_tools()
    text = _plan_text(_plan(), tmp_path)
    assert f"{CLINICIAN_SENTENCE} (grade: marked)" in text
    assert "stomion (right): -6.1" not in text and REJECTED_SENTENCE not in text


def test_the_written_plan_names_no_internal_id_or_price_range(tmp_path: Path) -> None:
    _require_tools()
    plan = _plan()
    assert any(i["product_class"] == "ha_lift" for i in plan["items"])  # the scenario has what the ids come from
    assert any("rule midface_before_lower_face" in i["when"] for i in plan["items"])
    assert any("typical $4,000-15,000" in n for n in plan["pricing"]["clinician_notes"])  # for the clinician
    text = _plan_text(plan, tmp_path)
    for internal in INTERNAL:
        assert internal not in text, internal
    assert "typical" not in text and "$4,000" not in text
    assert "anti-wrinkle injections (botulinum toxin)" in text and "a firm hyaluronic acid filler" in text
    assert "Why: The corners of your mouth turn down." in text  # the finding in the patient's words
    assert "Your cheeks are treated first; the lower face is judged once their result shows" in text  # the rule
    assert "Risks" in text and "the risks" in text  # the consent line cites the risks the plan lists


def test_a_positive_bddq_as_is_said_once(tmp_path: Path) -> None:
    _require_tools()
    plan = _plan(bddq_as={"q1": True, "q2": True, "q3": 4, "q4": 2, "q5": 1, "q6": 3, "q7": False})
    assert plan["status"] == "refer"
    text = _plan_text(plan, tmp_path)
    said = "Before planning any treatment we would like you to talk with a specialist"
    assert text.count(said) == 1  # in the patient's words, once
    assert "BDDQ-AS" not in text  # the screen's clinical sentence is the clinician's
    assert "the risks" not in text and "the prices" not in text  # nothing is planned to consent to


def test_the_report_prints_the_review_and_a_method_that_matches_the_findings(tmp_path: Path) -> None:
    _require_tools()
    html = report_html(
        letterhead=Letterhead("Demo clinic"),
        patient=HEADER,
        analysis=_analysis(),
        photos=[],
        quality=[
            {"view_id": "profile_left", "status": "skipped", "checks": [], "accepted_reason": "Skipped: declined"}
        ],
        clinician="dr.rowe",
        prepared_on=date(2026, 12, 1),
    )
    text = _text(html, tmp_path)
    assert f"{CLINICIAN_SENTENCE} (marked; edited by dr.rowe)" in text
    assert f"Proposed as: {ENGINE_SENTENCE}" in text
    assert REJECTED_SENTENCE not in text and "proposed)" not in text
    assert "within twice the measurement uncertainty" in text  # the findings' own words
    assert "exceeds both the norm band and the measurement" not in text
    assert "Skipped: declined" in text
