"""Two London photos through the mirror and findings evaluations: the mirrored analyses agree to rounding,
every finding's rate is the same on the photos and (sides swapped) on the mirrors, and both sections are
written with the command that made them."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from facebalance.evaluation.findings import run_findings_eval
from facebalance.evaluation.mirror import run_mirror_eval
from tests.shared_data import shared_path

PHOTOS = 2


def test_photo_and_mirror_agree_and_the_section_is_written(tmp_path: Path) -> None:
    doc = tmp_path / "validation.md"
    result = run_mirror_eval(
        shared_path("london_frontal"), write=doc, limit=PHOTOS, console=Console(file=io.StringIO(), width=200)
    )
    assert len(result.pairs) == PHOTOS
    diffs = result.all_differences()
    assert len(diffs) > 20 * PHOTOS
    assert float(diffs.max()) < 1e-6
    assert all(p.findings_mirrored() and not p.missing_on_one_side() for p in result.pairs)
    text = doc.read_text("utf-8")
    assert "<!-- BEGIN eval-mirror -->" in text and "facebalance eval mirror --dataset" in text


def test_finding_rates_agree_between_photos_and_mirrors(tmp_path: Path) -> None:
    doc = tmp_path / "validation.md"
    result = run_findings_eval(
        shared_path("london_frontal"), write=doc, limit=PHOTOS, console=Console(file=io.StringIO(), width=200)
    )
    assert len(result.pairs) == PHOTOS
    photo, mirror = result.photo_counts(), result.mirror_counts()
    swapped = {fid.replace("right", "#").replace("left", "right").replace("#", "left"): n for fid, n in mirror.items()}
    assert photo == swapped
    text = doc.read_text("utf-8")
    assert "<!-- BEGIN eval-findings -->" in text and "| finding | photos |" in text
