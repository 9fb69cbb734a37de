"""Neutral against smiling (the same sitter, another shot) cannot be tracked: the comparison says so and
compares each photo's own mesh instead."""

from __future__ import annotations

from pathlib import Path

from facebalance.analysis import analyze_photo
from facebalance.beforeafter import ComparisonMode, compare_analyses
from facebalance.vision import FaceLandmarker

LONDON = Path(__file__).parents[1] / "data" / "london"


def test_it_falls_back_to_each_photo_and_says_why(landmarker: FaceLandmarker) -> None:
    neutral = analyze_photo(LONDON / "001_03.jpg", sex="female", landmarker=landmarker)
    smiling = analyze_photo(LONDON / "001_08.jpg", sex="female", landmarker=landmarker)

    result = compare_analyses(neutral, smiling)

    assert result.requested_mode is ComparisonMode.TRACKED
    assert result.mode is ComparisonMode.EACH_PHOTO
    assert result.tracking is not None and not result.tracking.reliable
    assert any(w.startswith("Tracking not used") for w in result.warnings)
