"""The landmark step on real soft-tissue profiles (cephalograms) lands near both annotators' points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.evaluation.profile import ISBI_SOFT_TISSUE, ImageResult, read_labelme, run_profile_eval
from facebalance.profile.landmarks import ProfilePoint
from facebalance.profile.xray import outline_from_cephalogram
from facebalance.vision import load_image
from tests.shared_data import shared_path

#: Five images keep the test fast; the full run is `facebalance eval profile` (docs/validation.md).
FEW = 5
#: On these five, subnasale and the upper lip are within this fraction of Sn-Pog' of the annotators
#: (the annotators are about 0.02-0.06 apart; a wrong landmark would be 0.3 or more away).
SANE_FRACTION = 0.1


@pytest.fixture(scope="module")
def cephalograms() -> Path:
    return shared_path("cephalograms")


@pytest.fixture(scope="module")
def few(cephalograms: Path) -> tuple[dict[str, Any], list[ImageResult]]:
    return run_profile_eval(cephalograms, limit=FEW)


def test_it_reads_every_profile(few: tuple[dict[str, Any], list[ImageResult]]) -> None:
    summary, results = few
    assert summary["images"] == FEW and summary["unreadable"] == 0
    assert all(set(r.located) == set(ISBI_SOFT_TISSUE.values()) for r in results)


@pytest.mark.parametrize("landmark", ["subnasale", "labrale_superius"])
def test_it_lands_near_both_annotators(few: tuple[dict[str, Any], list[ImageResult]], landmark: str) -> None:
    summary, _ = few
    entry = summary["landmarks"][landmark]
    for annotator in summary["annotators"]:
        assert entry[f"vs_{annotator}"]["median_fraction_sn_pog"] < SANE_FRACTION
    assert entry["inter_annotator"]["n"] == FEW


def test_it_reads_labelme_points_in_isbi_order(cephalograms: Path) -> None:
    points = read_labelme(cephalograms / "annotations_farhadifar" / "001.json")
    assert set(points) == set(ISBI_SOFT_TISSUE.values())
    # Faces look right: the lips are in front of (right of) the chin, subnasale above the upper lip.
    assert points[ProfilePoint.SUBNASALE][1] < points[ProfilePoint.LABRALE_SUPERIUS][1]
    assert points[ProfilePoint.LABRALE_SUPERIUS][0] > points[ProfilePoint.SOFT_TISSUE_POGONION][0]


def test_it_traces_a_mirrored_film_as_its_mirror(cephalograms: Path) -> None:
    gray = load_image(cephalograms / "images" / "001.jpg", long_side_px=None).rgb.mean(axis=2)
    right = outline_from_cephalogram(gray)
    left = outline_from_cephalogram(np.ascontiguousarray(gray[:, ::-1]), facing="left")
    assert np.allclose(right.points_px, left.points_px)


def test_it_prints_the_summary_and_writes_predictions(cephalograms: Path, tmp_path: Path) -> None:
    predictions = tmp_path / "points.json"
    result = CliRunner().invoke(
        app, ["eval", "profile", "--dataset", str(cephalograms), "--limit", "2", "--predictions", str(predictions)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for name in ("labrale_superius", "labrale_inferius", "subnasale", "soft_tissue_pogonion"):
        entry = summary["landmarks"][name]
        assert {"vs_farhadifar", "vs_mollabashi", "inter_annotator"} <= entry.keys()
        assert {"mean_px", "median_px"} <= entry["vs_farhadifar"].keys()
    assert "unreadable" in summary
    points = json.loads(predictions.read_text())
    assert set(points) == {"001.jpg", "002.jpg"}
    assert len(points["001.jpg"]["subnasale"]) == 2
