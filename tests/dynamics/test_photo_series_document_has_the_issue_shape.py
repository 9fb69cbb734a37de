"""A photo series (Ada at rest and smiling, bundled) through the CLI: dynamics.json has the issue's shape,
with photo indices as times, the smile's commissure excursion and its asymmetry."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from facebalance.cli import app

REQUIRED_METRIC_KEYS = {"left", "right", "asymmetry_index", "unit"}


def test_the_document_lists_the_smile_with_per_side_metrics(tmp_path: Path, patient_ada_photo: Path) -> None:
    smiling = patient_ada_photo.with_name("001_08.jpg")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "dynamics",
            str(patient_ada_photo),
            str(smiling),
            "--out",
            str(out),
            "--labels",
            "rest,smile",
            "--no-charts",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "dynamics.json").read_text("utf-8"))
    assert doc["schema"] == "facebalance.dynamics" and doc["input"] == "photos"
    assert doc["time_unit"] == "photo_index"
    assert [e["name"] for e in doc["expressions"]] == ["smile"]
    smile = doc["expressions"][0]
    assert (smile["start_s"], smile["end_s"], smile["peak_s"]) == (1.0, 1.0, 1.0)
    for metric in smile["metrics"].values():
        assert set(metric) >= REQUIRED_METRIC_KEYS
    excursion = smile["metrics"]["commissure_excursion_mm"]
    assert excursion["left"] > 0 and excursion["right"] > 0 and excursion["unit"] == "mm"
    assert doc["rest"]["metrics"]["commissure_depression_rest_mm"]["unit"] == "mm"
    assert doc["calibration"]["method"] == "iris_diameter"
    assert not (out / "signals.png").exists()
