"""The iris ratio comes with leave-one-out errors; the landmark sigma removes each pair's constant offset."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.evaluation.london import estimate_ratio, pooled_sigma


def test_it_estimates_each_faces_ratio_without_that_face() -> None:
    estimate = estimate_ratio(np.array([9.0, 10.0, 11.0, 10.0]), np.full(4, 10.0))

    assert estimate.mean == pytest.approx(1.0)
    assert estimate.loo_ratios.tolist() == pytest.approx([31 / 30, 1.0, 29 / 30, 1.0])
    # Face 0's own ratio is 0.9; predicted with 31/30 its scale comes out 0.9 / (31/30) - 1 too large.
    assert estimate.loo_scale_error_pct[0] == pytest.approx((0.9 / (31 / 30) - 1) * 100)


def test_it_pools_the_spread_about_each_pairs_own_mean() -> None:
    rng = np.random.default_rng(3)
    noise = rng.normal(0.0, 0.05, size=(400, 3, 2))
    offsets = noise + np.array([[0.2, 0.0], [0.0, -0.1], [0.0, 0.0]])  # constant offsets per pair

    pooled, rms = pooled_sigma(offsets)

    assert pooled == pytest.approx(0.05, rel=0.05)
    assert rms > pooled
