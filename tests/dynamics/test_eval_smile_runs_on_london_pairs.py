"""``eval smile`` on the London pairs: per-person excursions and a distribution section in the report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from facebalance.evaluation.smile import SECTION, run_smile_eval
from tests.shared_data import shared_path


def test_it_measures_each_pair_and_writes_its_section(tmp_path: Path) -> None:
    dataset = shared_path("london_frontal")
    report = tmp_path / "validation.md"
    report.write_text("# Validation\n\nother sections stay\n", "utf-8")
    result = run_smile_eval(dataset, write=report, limit=2, console=Console(quiet=True))
    assert len(result.people) == 2 and not result.failures
    assert all(p.right_mm > 0 and p.left_mm > 0 for p in result.people)
    text = report.read_text("utf-8")
    assert text.startswith("# Validation\n\nother sections stay\n")
    assert f"<!-- BEGIN {SECTION} -->" in text and f"<!-- END {SECTION} -->" in text
    assert "facebalance eval smile --dataset" in text
    assert "Reading of the smiles" in text and all(p.verdict in ("matched", "weak") for p in result.people)
    assert all(p.rest_findings == 0 for p in result.people)  # a neutral photo at rest proposes nothing about rest
