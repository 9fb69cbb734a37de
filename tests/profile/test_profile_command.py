"""`facebalance profile` refuses a frontal photo clearly; its options are checked before any work."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from facebalance.cli import app


def test_it_refuses_a_frontal_photo_with_a_clear_error(patient_ada_photo: Path, tmp_path: Path) -> None:
    out = tmp_path / "ada.json"
    result = CliRunner().invoke(app, ["profile", str(patient_ada_photo), "--json", str(out)])
    assert result.exit_code == 2
    assert "frontal view" in result.output and "fix:" in result.output
    assert not out.exists()  # no half-written output


def test_it_checks_the_known_distance_options(patient_ada_photo: Path) -> None:
    result = CliRunner().invoke(app, ["profile", str(patient_ada_photo), "--known-points", "1,2,3,4"])
    assert result.exit_code == 2 and "--known-mm" in result.output
    result = CliRunner().invoke(
        app, ["profile", str(patient_ada_photo), "--known-mm", "50", "--known-between", "nose,chin"]
    )
    assert result.exit_code == 2 and "--known-between" in result.output


def test_it_refuses_a_bad_eval_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "profile", "--dataset", str(tmp_path)])
    assert result.exit_code == 2 and "images/" in result.output
