"""`facebalance compare` writes the aligned pictures and changes.json, and a bad photo is one clear
message with exit code 2 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.commands.compare import OUTPUT_FILES

LONDON = Path(__file__).parents[1] / "data" / "london"


def test_it_writes_the_side_by_side_blink_pair_overlay_and_changes(tmp_path: Path) -> None:
    out = tmp_path / "visit2"

    result = CliRunner().invoke(
        app, ["compare", str(LONDON / "001_03.jpg"), str(LONDON / "001_08.jpg"), "--out", str(out), "--sex", "female"]
    )

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    with Image.open(out / "blink_before.png") as first, Image.open(out / "blink_after.png") as second:
        assert first.size == second.size == (1350, 1350)
    doc = json.loads((out / "changes.json").read_text("utf-8"))
    assert doc["schema"] == "facebalance.before_after"
    mouth = next(c for c in doc["changes"] if c["id"] == "mouth_width_mm")
    assert set(mouth) >= {"before", "after", "delta", "sigma_delta", "changed"}
    assert "mouth_width_mm" in result.output


def test_it_refuses_a_file_that_is_not_a_photo_with_exit_code_2(tmp_path: Path) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo", encoding="utf-8")
    out = tmp_path / "visit2"

    result = CliRunner().invoke(app, ["compare", str(text), str(LONDON / "001_03.jpg"), "--out", str(out)])

    assert result.exit_code == 2
    assert "before notes.jpg" in result.output
    assert not out.exists()
