"""Agreement statistics use only the faces where both the engine and the template have a value."""

from __future__ import annotations

import math

import pytest

from facebalance.evaluation.common import agreement


def test_it_counts_only_complete_pairs() -> None:
    a = agreement([10.0, 12.0, None, 14.0], [11.0, 13.0, 9.0, None])

    assert a.n == 2


def test_it_reports_bias_as_engine_minus_template() -> None:
    a = agreement([10.0, 12.0, 14.0], [9.0, 11.5, 13.0])

    assert a.bias == pytest.approx(-5.0 / 6.0)
    assert a.mad == pytest.approx(5.0 / 6.0)


def test_it_returns_nan_statistics_without_pairs() -> None:
    a = agreement([None, 1.0], [2.0, None])

    assert a.n == 0
    assert math.isnan(a.mad) and math.isnan(a.icc_a1)
