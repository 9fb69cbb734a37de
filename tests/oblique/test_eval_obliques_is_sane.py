"""`facebalance eval obliques` on a few development photos: the share read, the reasons for the rest and the
far-side outline error, printed and written into its markdown section with the command, date and machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console

from facebalance.evaluation.obliques import FAR_SIDE_NOSE_LEFT, FAR_SIDE_NOSE_RIGHT, SECTION, run_oblique_eval
from tests.shared_data import shared_path


def test_a_short_run_reads_and_scores_the_far_side(tmp_path: Path) -> None:
    report = tmp_path / "validation.md"
    result = run_oblique_eval(shared_path("w300_oblique_dev"), write=report, limit=6, console=Console(quiet=True))
    assert result.total == 6 and result.read + len(result.refused) == 6 and result.read >= 4
    errors = result.errors()
    assert errors.size >= 4 * 8 and np.isfinite(errors).all()
    # Far-side outline error: a fraction of the nasion-to-chin length; the mesh's prior is scored too.
    assert 0 < np.median(errors) < 0.05 and result.errors(prior=True).size == errors.size
    for score in result.scores:
        assert set(score.indices) <= set(FAR_SIDE_NOSE_LEFT) | set(FAR_SIDE_NOSE_RIGHT)
    text = report.read_text("utf-8")
    assert f"<!-- BEGIN {SECTION} -->" in text and "facebalance eval obliques --dataset" in text
    assert "- date:" in text and "- machine:" in text and "Far-side outline error" in text
