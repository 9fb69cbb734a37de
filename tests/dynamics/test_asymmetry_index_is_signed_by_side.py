"""The asymmetry index: 0 when equal, positive when the patient's left moves more, 1 - smaller/larger in size,
undefined when neither side moves beyond its noise; noticed thresholds flag the difference."""

from __future__ import annotations

import pytest

from facebalance.dynamics.asymmetry import NoticedThreshold, asymmetry_index, compare_sides
from facebalance.dynamics.metrics import MovementMetric, SideValue

THRESHOLD = NoticedThreshold("commissure_excursion_mm", 3.0, "test", "working")


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (10.0, 10.0, 0.0),
        (10.0, 8.0, 0.2),
        (8.0, 10.0, -0.2),
        (0.0, 5.0, -1.0),
        (4.0, -4.0, 2.0),
    ],
)
def test_it_has_known_values(left: float, right: float, expected: float) -> None:
    assert asymmetry_index(left, right) == pytest.approx(expected)


def test_swapping_sides_negates_it() -> None:
    assert asymmetry_index(3.0, 7.0) == pytest.approx(-(asymmetry_index(7.0, 3.0) or 0.0))


def _metric(left: float, right: float, sigma: float = 0.3) -> MovementMetric:
    return MovementMetric("commissure_excursion_mm", "x", "mm", SideValue(right, sigma), SideValue(left, sigma))


def test_it_is_undefined_within_the_noise() -> None:
    a = compare_sides(_metric(0.2, -0.1), THRESHOLD)
    assert a is not None and a.index is None and not a.noticeable


def test_a_noticed_difference_is_flagged_with_its_uncertainty() -> None:
    a = compare_sides(_metric(12.0, 8.5), THRESHOLD)
    assert a is not None
    assert a.difference == pytest.approx(3.5) and a.noticeable and not a.beyond_uncertainty
    b = compare_sides(_metric(12.0, 7.0, sigma=0.2), THRESHOLD)
    assert b is not None and b.beyond_uncertainty


def test_a_missing_side_gives_no_comparison() -> None:
    m = MovementMetric("commissure_excursion_mm", "x", "mm", None, SideValue(1.0, 0.1))
    assert compare_sides(m, THRESHOLD) is None
