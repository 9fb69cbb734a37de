"""`facebalance analyze` takes the oblique path by itself for a three-quarter photo (as it takes the profile path
for a lateral one), writing the oblique document and the annotated image; `facebalance oblique` refuses a
frontal photo clearly and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from facebalance.cli import app
from tests.shared_data import shared_path


def test_analyze_reads_a_three_quarter_photo_as_an_oblique(patient_ada_photo: Path, tmp_path: Path) -> None:
    photo = shared_path("w300_oblique_dev", "10406776_1.jpg")
    result = CliRunner().invoke(app, ["analyze", str(photo), str(patient_ada_photo), "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    oblique = json.loads((tmp_path / "10406776_1.json").read_text("utf-8"))
    frontal = json.loads((tmp_path / "001_03.json").read_text("utf-8"))
    assert (oblique["schema"], oblique["view"]) == ("facebalance.oblique_analysis", "oblique_left")
    assert frontal["schema"] == "facebalance.frontal_analysis"
    with Image.open(tmp_path / "10406776_1.png") as im:
        assert im.format == "PNG"
    assert "the patient's right cheek" in result.output


def test_analyze_writes_one_oblique_to_json_and_annotate(tmp_path: Path) -> None:
    photo = shared_path("w300_oblique_dev", "10406776_1.jpg")
    out, png = tmp_path / "m.json", tmp_path / "m.png"
    result = CliRunner().invoke(app, ["analyze", str(photo), "--json", str(out), "--annotate", str(png), "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text("utf-8"))["outline"]["far_side"]
    assert png.stat().st_size > 0 and result.output == ""


def test_oblique_refuses_a_frontal_photo(patient_ada_photo: Path, tmp_path: Path) -> None:
    out = tmp_path / "ada.json"
    result = CliRunner().invoke(app, ["oblique", str(patient_ada_photo), "--json", str(out)])
    assert result.exit_code == 2
    assert "frontal view" in result.output and "fix:" in result.output
    assert not out.exists()  # no half-written output


def test_analyze_keeps_its_reason_for_a_profile_it_cannot_read() -> None:
    # A CFP profile whose face mesh holds: not an oblique (the nose hides the far cheek), not a clean profile.
    photo = shared_path("cfp_profile_dev", "002_profile_01.jpg")
    result = CliRunner().invoke(app, ["analyze", str(photo), "--quiet"])
    assert result.exit_code == 2 and "hidden behind the nose" in result.output
