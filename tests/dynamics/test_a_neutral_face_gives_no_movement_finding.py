"""JeFaPaTo's test clip is a neutral face by design (it blinks): no expression is named and no finding is
proposed, and its rest counts as at rest."""

from __future__ import annotations

from typing import Any


def test_the_neutral_clip_proposes_nothing(neutral_clip_result: Any) -> None:
    assert neutral_clip_result.findings == ()
    assert not [e for e in neutral_clip_result.expressions if e.classified]
    assert neutral_clip_result.rest_at_rest
    depression = neutral_clip_result.rest.metric("commissure_depression_rest_mm")
    assert depression is not None and depression.left is not None and depression.left.sigma > 0
