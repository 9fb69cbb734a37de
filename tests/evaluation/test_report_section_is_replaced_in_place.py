"""Writing results replaces the run's own delimited section and leaves the rest of the document alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from facebalance.evaluation.common import command_line, write_section


def test_it_appends_the_section_when_it_is_missing(tmp_path: Path) -> None:
    doc = tmp_path / "validation.md"
    doc.write_text("# Validation\n\nIntro.\n", encoding="utf-8")

    write_section(doc, "eval-landmarks", "first run")

    assert doc.read_text(encoding="utf-8") == (
        "# Validation\n\nIntro.\n\n<!-- BEGIN eval-landmarks -->\nfirst run\n<!-- END eval-landmarks -->\n"
    )


def test_it_replaces_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "validation.md"
    doc.write_text("# Validation\n", encoding="utf-8")
    write_section(doc, "eval-measurements", "old measurements")
    write_section(doc, "eval-landmarks", "old landmarks")

    write_section(doc, "eval-measurements", "new measurements")

    text = doc.read_text(encoding="utf-8")
    assert "new measurements" in text and "old measurements" not in text
    assert "old landmarks" in text
    assert text.index("eval-measurements") < text.index("eval-landmarks")


def test_it_creates_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "validation.md"

    write_section(doc, "eval-landmarks", "body")

    assert doc.read_text(encoding="utf-8").startswith("<!-- BEGIN eval-landmarks -->\nbody\n")


def test_it_refuses_unbalanced_markers(tmp_path: Path) -> None:
    doc = tmp_path / "validation.md"
    doc.write_text("<!-- BEGIN eval-landmarks -->\nno end\n", encoding="utf-8")

    with pytest.raises(ValueError, match="unbalanced"):
        write_section(doc, "eval-landmarks", "body")


def test_it_records_the_command_that_reproduces_the_run() -> None:
    line = command_line("landmarks", Path("../shared/data/lfpw"), write=Path("docs/validation.md"), limit=3)

    assert line == "facebalance eval landmarks --dataset ../shared/data/lfpw --write docs/validation.md --limit 3"
