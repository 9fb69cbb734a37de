"""``facebalance assess`` writes the session document and one PNG per analysed view, and refuses a malformed
option or a session where no view could be analysed with exit code 2 and the way to fix it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from facebalance.cli import app
from tests.assess.session_photos import OBLIQUE_LEFT
from tests.shared_data import BUNDLED_LONDON, shared_path

runner = CliRunner()


def test_it_writes_the_json_and_one_picture_per_analysed_view(tmp_path: Path) -> None:
    oblique = shared_path("w300_oblique_dev", OBLIQUE_LEFT)
    out, pictures = tmp_path / "session.json", tmp_path / "png"
    result = runner.invoke(
        app,
        [
            "assess",
            str(BUNDLED_LONDON / "001_03.jpg"),
            "--view",
            f"oblique_left={oblique}",
            "--skip",
            "profile_left=patient declined",
            "--json",
            str(out),
            "--annotate-dir",
            str(pictures),
            "--sex",
            "female",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    status = {v["view_id"]: v["status"] for v in doc["views"]}
    assert status["oblique_left"] == "analysed" and status["profile_left"] == "skipped"
    # 001_03.jpg was identified as the frontal view at rest from the photo itself.
    assert status["frontal_rest"] == "analysed"
    analysed = {v["view_id"] for v in doc["views"] if v["document"] is not None}
    assert {p.stem for p in pictures.glob("*.png")} == analysed
    assert "not assessed: no usable left profile photo (skipped: patient declined)" in result.output


def test_a_malformed_skip_says_how_to_write_it(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["assess", str(BUNDLED_LONDON / "001_03.jpg"), "--skip", "oblique_left", "--json", str(tmp_path / "s.json")],
    )
    assert result.exit_code == 2
    assert "VIEW=VALUE" in result.output and "--skip oblique_left=" in result.output
    assert not (tmp_path / "s.json").exists()


def test_an_unknown_view_lists_the_protocol_views(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", "--view", f"side={BUNDLED_LONDON / '001_03.jpg'}", "--json", str(tmp_path / "s.json")]
    )
    assert result.exit_code == 2 and "oblique_left" in result.output


def test_no_view_analysed_is_exit_code_2_and_no_file(tmp_path: Path) -> None:
    blank = tmp_path / "frontal_rest.png"
    Image.fromarray(np.full((400, 300, 3), 128, np.uint8)).save(blank)
    out = tmp_path / "s.json"
    result = runner.invoke(app, ["assess", "--view", f"frontal_rest={blank}", "--json", str(out)])
    assert result.exit_code == 2
    assert "No view of the session could be analysed" in result.output
    assert not out.exists()
