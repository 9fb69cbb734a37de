"""A three-photo run of the London measurement evaluation gives finite, plausible agreement figures."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from rich.console import Console

from facebalance.evaluation.london import MeasurementEval, run_measurement_eval
from tests.shared_data import shared_path

PHOTOS = 3
#: Loose sanity bounds: a broken mapping or unit error lands far outside them.
INTERCANTHAL_MAD_LIMIT_MM = 5.0
SCALE_ERROR_LIMIT_PCT = 20.0
RATIO_RANGE = (0.8, 1.1)


@pytest.fixture(scope="module")
def london_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[MeasurementEval, Path, str]:
    doc = tmp_path_factory.mktemp("docs") / "validation.md"
    out = io.StringIO()
    result = run_measurement_eval(
        shared_path("london_frontal"), write=doc, limit=PHOTOS, console=Console(file=out, width=200)
    )
    return result, doc, out.getvalue()


def test_it_analyses_every_photo(london_run: tuple[MeasurementEval, Path, str]) -> None:
    result, _, _ = london_run

    assert len(result.photos) + len(result.failures) == PHOTOS
    assert len(result.photos) == PHOTOS


def test_it_finds_intercanthal_width_within_a_few_millimetres(london_run: tuple[MeasurementEval, Path, str]) -> None:
    result, _, _ = london_run

    for stats in (result.placement, result.end_to_end):
        assert stats["intercanthal_width_mm"].n == PHOTOS
        assert stats["intercanthal_width_mm"].mad < INTERCANTHAL_MAD_LIMIT_MM
    assert all(math.isfinite(a.mad) for a in result.placement.values() if a.n)


def test_it_measures_plausible_calibration_constants(london_run: tuple[MeasurementEval, Path, str]) -> None:
    result, _, _ = london_run

    assert abs(result.scale_error_pct).max() < SCALE_ERROR_LIMIT_PCT
    assert RATIO_RANGE[0] < result.ratio.mean < RATIO_RANGE[1]
    assert 0.0 < result.sigma_pooled < 0.5


def test_it_prints_and_writes_the_tables(london_run: tuple[MeasurementEval, Path, str]) -> None:
    _, doc, printed = london_run
    text = doc.read_text(encoding="utf-8")

    assert "Calibration constants measured here" in printed
    assert text.startswith("<!-- BEGIN eval-measurements -->")
    assert "### Calibration constants measured here" in text
    assert "--limit 3" in text
