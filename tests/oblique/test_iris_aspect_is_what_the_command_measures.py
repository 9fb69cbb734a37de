"""The turned-head iris ruler's measured constant is what `facebalance eval iris-aspect` measures on the London
set (the bundled copies of three of its photos give the same ratio within its spread)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from facebalance.evaluation.obliques import run_iris_aspect_eval
from facebalance.oblique.constants import load_oblique_constants
from tests.shared_data import shared_path


def test_the_constant_is_the_measured_ratio(tmp_path: Path) -> None:
    dataset = shared_path("london_frontal")
    report = tmp_path / "validation.md"
    aspect = run_iris_aspect_eval(dataset, write=report, limit=None, console=Console(quiet=True))
    constant = load_oblique_constants()["iris_horizontal_to_vertical_ratio"]
    assert aspect.mean == pytest.approx(constant.value, abs=5e-5)
    assert aspect.sd == pytest.approx(constant.sd, abs=5e-5)
    text = report.read_text("utf-8")
    assert "eval-iris-aspect" in text and "facebalance eval iris-aspect" in text
