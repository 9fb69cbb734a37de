"""`facebalance eval obliques` on a few development photos: the share read, the reasons for the rest and the
far-side outline error, printed and written into its markdown section with the command, date and machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console

from facebalance.evaluation.obliques import (
    FAR_SIDE_NOSE_LEFT,
    FAR_SIDE_NOSE_RIGHT,
    SECTION,
    read_bare_pts,
    run_oblique_eval,
)
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


def test_it_reads_both_point_file_formats(tmp_path: Path) -> None:
    bare = tmp_path / "bare.pts"
    bare.write_text("10.5 20.0\n30 40\n", encoding="utf-8")
    headed = tmp_path / "headed.pts"
    headed.write_text("version: 1\nn_points: 2\n{\n11.5 21.0\n31 41\n}\n", encoding="utf-8")
    # Bare files are 0-indexed already; the 300-W format is 1-indexed.
    assert read_bare_pts(bare).tolist() == [[10.5, 20.0], [30.0, 40.0]]
    assert read_bare_pts(headed).tolist() == [[10.5, 20.0], [30.0, 40.0]]
