"""Segmentation: expressions are found from their activations, blinks are not eye closures, repeats and gaps
are handled, missing expressions are named, and photos are named by their files."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.dynamics.script import Script, load_script
from facebalance.dynamics.segment import expression_from_name, segment_photos, segment_video

FPS = 30.0


@pytest.fixture(scope="module")
def script() -> Script:
    return load_script()


def _timeline(script: Script, seconds: float, spans: list[tuple[str, float, float, float]]) -> tuple[np.ndarray, ...]:
    """Times and activations with each (name, start s, end s, level) span set."""
    t = np.arange(round(seconds * FPS)) / FPS
    names = [e.name for e in script.movements]
    act = np.zeros((len(t), len(names)))
    for name, start, end, level in spans:
        act[(t >= start) & (t <= end), names.index(name)] = level
    return t, act


def test_it_finds_each_expression_in_script_order(script: Script) -> None:
    t, act = _timeline(script, 12, [("brow_raise", 1, 2.5, 0.6), ("frown", 3.5, 5, 0.5), ("smile", 6.5, 8, 0.9)])
    seg = segment_video(t, act, np.ones(len(t), bool), act.copy(), script)
    assert [s.name for s in seg.segments] == ["brow_raise", "frown", "smile"]
    assert seg.missing == ("eye_closure", "pucker", "eee")
    assert not seg.warnings
    smile = seg.segments[2]
    assert smile.start_s == pytest.approx(6.5, abs=0.05) and smile.end_s == pytest.approx(8.0, abs=0.05)


def test_a_blink_is_not_a_tight_eye_closure(script: Script) -> None:
    t, act = _timeline(script, 4, [("eye_closure", 1.0, 1.2, 0.9)])
    seg = segment_video(t, act, np.ones(len(t), bool), act.copy(), script)
    assert seg.segments == ()
    t, act = _timeline(script, 4, [("eye_closure", 1.0, 2.5, 0.9)])
    assert [s.name for s in segment_video(t, act, np.ones(len(t), bool), act.copy(), script).segments] == [
        "eye_closure"
    ]


def test_a_short_dip_does_not_split_an_expression(script: Script) -> None:
    t, act = _timeline(script, 5, [("smile", 1.0, 3.0, 0.8)])
    act[(t > 1.9) & (t < 2.05), [e.name for e in script.movements].index("smile")] = 0.0
    seg = segment_video(t, act, np.ones(len(t), bool), act.copy(), script)
    assert len(seg.segments) == 1


def test_the_peak_is_the_largest_movement(script: Script) -> None:
    t, act = _timeline(script, 5, [("smile", 1.0, 3.0, 0.8)])
    peaks = act.copy()
    smile = [e.name for e in script.movements].index("smile")
    peaks[:, smile] = np.where(act[:, smile] > 0, np.sin((t - 1.0) / 2.0 * np.pi) + 1, 0)
    seg = segment_video(t, act, np.ones(len(t), bool), peaks, script)
    assert seg.segments[0].peak_s == pytest.approx(2.0, abs=1 / FPS)


def test_a_repeated_expression_marks_the_strongest_primary(script: Script) -> None:
    t, act = _timeline(script, 8, [("smile", 1, 2, 0.6), ("smile", 4, 5, 0.9)])
    seg = segment_video(t, act, np.ones(len(t), bool), act.copy(), script)
    assert [(s.name, s.primary) for s in seg.segments] == [("smile", False), ("smile", True)]
    assert all("seen 2 times" in " ".join(s.warnings) for s in seg.segments)


def test_frames_without_a_face_warn_on_their_segment(script: Script) -> None:
    t, act = _timeline(script, 5, [("smile", 1.0, 3.0, 0.8)])
    usable = np.ones(len(t), bool)
    usable[(t > 1.5) & (t < 2.2)] = False  # the face left the frame mid-smile
    seg = segment_video(t, act, usable, act.copy(), script)
    assert len(seg.segments) == 1
    assert "not usable" in " ".join(seg.segments[0].warnings)
    assert usable[seg.segments[0].peak]


def test_out_of_order_expressions_are_reported(script: Script) -> None:
    t, act = _timeline(script, 8, [("smile", 1, 2, 0.8), ("brow_raise", 4, 5, 0.6)])
    seg = segment_video(t, act, np.ones(len(t), bool), act.copy(), script)
    assert any("order" in w for w in seg.warnings)


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("rest", "rest"),
        ("IMG_0042_neutral", "rest"),
        ("brow-raise", "brow_raise"),
        ("browRaise", "brow_raise"),
        ("03_frown", "frown"),
        ("eyes_closed", "eye_closure"),
        ("smile", "smile"),
        ("anna_pucker", "pucker"),
        ("eee", "eee"),
        ("IMG_0042", None),
        ("smile_and_frown", None),
    ],
)
def test_photo_names_say_their_expression(script: Script, stem: str, expected: str | None) -> None:
    found = expression_from_name(stem, script.expressions)
    assert (found.name if found else None) == expected


def test_a_photo_series_has_one_segment_per_recognised_photo(script: Script) -> None:
    names = [e.name for e in script.movements]
    act = np.zeros((3, len(names)))
    act[2, names.index("pucker")] = 0.8
    seg = segment_photos(["rest", "smile", "IMG_3"], act, np.ones(3, bool), script, rest_index=0)
    assert [(s.name, s.peak) for s in seg.segments] == [("smile", 1), ("pucker", 2)]
    assert any("little of it" in w for w in seg.warnings)  # named smile, but the face shows none
