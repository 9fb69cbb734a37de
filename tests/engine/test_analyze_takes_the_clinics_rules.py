"""`facebalance analyze --rules FILE`: a clinic's rule file changes the findings it governs, and a malformed
file stops the command with a clear message (exit code 2) before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.findings import load_finding_rules

#: A clinic that grades a z-score deviation marked from 2.2 SD (default: 4 SD) and words one relation its way.
CLINIC_RULES = """
[meta]
name = "clinic-b-rules"
version = "2027.02"

[severity.z]
mild = 2.0
moderate = 2.1
marked = 2.2
source = "Clinic B medical lead, 2027-02-01"

[[relation]]
id = "jaw_vs_cheekbones_wide_jaw"
zones = ["lower_face", "midface"]
when = [{ measurement = "bigonial_to_bizygomatic_ratio", side = "above" }]
sentence = "Clinic B: wide jaw ({bigonial_to_bizygomatic_ratio}); palpate the masseter."
source = "Clinic B medical lead, 2027-02-01"
"""


Doc = dict[str, Any]


def analyze(photo: Path, out: Path, *extra: str) -> Doc:
    result = CliRunner().invoke(app, ["analyze", str(photo), "--sex", "female", "--quiet", "--json", str(out), *extra])
    assert result.exit_code == 0, result.output
    document: Doc = json.loads(out.read_text("utf-8"))
    return document


def grade(z: float) -> str:
    return "marked" if z >= 2.2 else "moderate" if z >= 2.1 else "mild"


@pytest.fixture(scope="module")
def ben_documents(patient_ben_photo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Doc, Doc]:
    folder = tmp_path_factory.mktemp("rules")
    rules = folder / "clinic_rules.toml"
    rules.write_text(CLINIC_RULES, encoding="utf-8")
    default = analyze(patient_ben_photo, folder / "default.json")
    clinic = analyze(patient_ben_photo, folder / "clinic.json", "--rules", str(rules))
    return default, clinic


def test_it_grades_the_norm_findings_by_the_clinics_band(ben_documents: tuple[Doc, Doc]) -> None:
    default, clinic = ben_documents
    z_findings = {
        f["id"]: f
        for f in default["findings"]
        if f["kind"] == "norm" and default["measurements"][f["measurements"][0]]["norm"]["sd"] is not None
    }
    changed = [i for i, f in z_findings.items() if grade(abs(f["deviation"])) != f["severity"]]
    assert changed, "Ben has no z-score finding whose grade the clinic band changes"
    by_id = {f["id"]: f for f in clinic["findings"]}
    for fid, f in z_findings.items():
        assert by_id[fid]["severity"] == grade(abs(f["deviation"])), fid
    assert clinic["measurements"] == default["measurements"]


def test_it_words_the_relation_the_clinics_way(ben_documents: tuple[Doc, Doc]) -> None:
    default, clinic = ben_documents
    before = [f for f in default["findings"] if f["id"] == "jaw_vs_cheekbones_wide_jaw"]
    after = [f for f in clinic["findings"] if f["id"] == "jaw_vs_cheekbones_wide_jaw"]
    assert len(before) == len(after) == 1
    assert after[0]["sentence"].startswith("Clinic B: wide jaw (") and after[0]["source"].startswith("Clinic B")
    assert not before[0]["sentence"].startswith("Clinic B")


def test_it_names_the_rules_in_the_document(ben_documents: tuple[Doc, Doc]) -> None:
    default, clinic = ben_documents
    assert default["rules_version"] == load_finding_rules().version
    assert clinic["rules_version"] == f"2027.02+{default['rules_version']}"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[severity.z\n", "not valid TOML"),
        ("[severity.z]\nmild = 2.0\nmoderate = 2.1\nmarked = 2.2\n", "has no source"),
    ],
)
def test_it_stops_on_a_malformed_file_before_writing(
    patient_ben_photo: Path, tmp_path: Path, text: str, complaint: str
) -> None:
    rules = tmp_path / "bad_rules.toml"
    rules.write_text(text, encoding="utf-8")
    out = tmp_path / "ben.json"
    result = CliRunner().invoke(
        app, ["analyze", str(patient_ben_photo), "--json", str(out), "--rules", str(rules)], terminal_width=400
    )
    assert result.exit_code == 2
    assert complaint in result.output and "bad_rules.toml" in result.output and "fix:" in result.output
    assert not out.exists()


def test_the_batch_stops_on_a_malformed_file_before_any_photo(patient_ben_photo: Path, tmp_path: Path) -> None:
    rules = tmp_path / "bad_rules.toml"
    rules.write_text("[severity.z]\nmild = 2.0\nmoderate = 2.1\nmarked = 2.2\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(
        app,
        ["analyze-batch", str(patient_ben_photo), "--out", str(out), "--rules", str(rules), "--workers", "1"],
        terminal_width=400,
    )
    assert result.exit_code == 2 and "has no source" in result.output
    assert not out.exists()
