"""Metamorphic: a video of a still photo has no movement, no expression and no movement finding."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from facebalance.dynamics.assess import assess_video
from tests.dynamics.dynamics_videos import write_video

#: A still picture tracked frame to frame: the mesh may settle by a few hundredths of a pixel.
_STILL_MM = 0.05


def test_it_finds_no_expression_and_no_movement(tmp_path: Path, ada_face: np.ndarray) -> None:
    video = write_video(tmp_path / "still.mkv", [ada_face] * 20)
    result = assess_video(video)
    assert result.expressions == ()
    assert set(result.missing) == {"brow_raise", "frown", "eye_closure", "smile", "pucker", "eee"}
    for name, values in result.series.movement_mm.items():
        assert np.nanmax(np.abs(values)) <= _STILL_MM, name
    assert not [f for f in result.findings if f.kind != "compensation" and f.expression != "rest"]
    assert result.usable_frame_count == 20
