"""A three-image run of the LFPW landmark evaluation gives a small, finite NME."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from rich.console import Console

from facebalance.evaluation.lfpw import REGIONS, LandmarkEval, run_landmark_eval
from tests.shared_data import shared_path

IMAGES = 3
#: MediaPipe on LFPW is around 0.05; a wrong mapping or a missed 1-index shift is far above this bound.
NME_LIMIT = 0.15


@pytest.fixture(scope="module")
def lfpw_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[LandmarkEval, Path]:
    doc = tmp_path_factory.mktemp("docs") / "validation.md"
    result = run_landmark_eval(
        shared_path("lfpw_train_subset"), write=doc, limit=IMAGES, console=Console(file=io.StringIO(), width=200)
    )
    return result, doc


def test_it_scores_every_image_it_finds_a_face_in(lfpw_run: tuple[LandmarkEval, Path]) -> None:
    result, _ = lfpw_run

    assert result.total == IMAGES
    assert len(result.images) + len(result.no_face) + len(result.refused) == IMAGES
    assert result.images


def test_it_finds_a_small_finite_error(lfpw_run: tuple[LandmarkEval, Path]) -> None:
    result, _ = lfpw_run

    assert 0.0 < result.nme_values().mean() < NME_LIMIT
    for points in REGIONS.values():
        assert all(math.isfinite(v) for v in result.nme_values(points))


def test_it_writes_its_section(lfpw_run: tuple[LandmarkEval, Path]) -> None:
    _, doc = lfpw_run

    text = doc.read_text(encoding="utf-8")
    assert "<!-- BEGIN eval-landmarks -->" in text and "<!-- END eval-landmarks -->" in text
    assert "jawline" in text
