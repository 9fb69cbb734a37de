"""The landmark step reads a profile outline or says why it cannot."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.profile.errors import ProfileNotReadable
from facebalance.profile.landmarks import CLINICAL_POINTS, DEFINITIONS, ProfilePoint, locate_landmarks


def test_it_refuses_a_smooth_convex_outline() -> None:
    t = np.linspace(-np.pi / 2, np.pi / 2, 400)
    back_of_head = np.column_stack([120 * np.cos(t), 160 * np.sin(t)])
    with pytest.raises(ProfileNotReadable, match="nasofrontal"):
        locate_landmarks(back_of_head)


@pytest.mark.parametrize("outline", [np.zeros((0, 2)), np.zeros((5, 2)), np.full((50, 2), np.nan), np.zeros((50, 3))])
def test_it_refuses_a_malformed_outline(outline: np.ndarray) -> None:
    with pytest.raises(ProfileNotReadable, match="empty or malformed"):
        locate_landmarks(outline)


def test_it_defines_every_point() -> None:
    assert len(CLINICAL_POINTS) == 12
    for p in ProfilePoint:
        d = DEFINITIONS[p]
        assert d.kind in ("extremum", "pocket", "corner", "tangent", "arc") and d.definition.endswith(".")
