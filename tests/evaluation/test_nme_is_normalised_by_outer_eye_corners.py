"""NME divides each point's error by the distance between the annotated outer eye corners (iBUG 36, 45)."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.evaluation.lfpw import REGIONS, eye_line_offsets, nme, point_errors

INTEROCULAR_PX = 80.0


def _synthetic_truth() -> np.ndarray:
    rng = np.random.default_rng(7)
    truth = rng.uniform(100.0, 200.0, size=(68, 2))
    truth[36] = (110.0, 150.0)
    truth[45] = (110.0 + INTEROCULAR_PX, 150.0)
    return truth


def test_it_is_zero_for_a_perfect_prediction() -> None:
    truth = _synthetic_truth()

    assert nme(truth.copy(), truth) == 0.0


def test_it_divides_a_uniform_shift_by_the_interocular_distance() -> None:
    truth = _synthetic_truth()
    shifted = truth + np.array([6.0, 8.0])  # 10 px off everywhere

    assert nme(shifted, truth) == pytest.approx(10.0 / INTEROCULAR_PX)


def test_it_scores_a_region_from_its_own_points_only() -> None:
    truth = _synthetic_truth()
    predicted = truth.copy()
    predicted[list(REGIONS["mouth"])] += (0.0, 16.0)

    assert nme(predicted, truth, REGIONS["mouth"]) == pytest.approx(16.0 / INTEROCULAR_PX)
    assert nme(predicted, truth, REGIONS["eyes"]) == 0.0
    assert nme(predicted, truth) == pytest.approx(16.0 / INTEROCULAR_PX * 20 / 68)


def test_it_measures_offsets_along_a_tilted_eye_line() -> None:
    truth = _synthetic_truth()
    angle = np.radians(30.0)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    tilted = truth @ rotation.T
    down_the_face = rotation @ np.array([0.0, 8.0])  # 8 px toward the chin of the tilted face

    offsets = eye_line_offsets(tilted + down_the_face, tilted)

    assert np.allclose(offsets, [0.0, 8.0 / INTEROCULAR_PX])
    assert np.allclose(point_errors(tilted + down_the_face, tilted), 8.0 / INTEROCULAR_PX)
