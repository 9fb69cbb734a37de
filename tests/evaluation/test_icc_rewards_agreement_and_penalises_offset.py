"""ICC(2,1) counts a constant offset between raters as disagreement; ICC(3,1) does not."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.evaluation.common import icc_absolute_agreement, icc_consistency

#: Shrout & Fleiss (1979), Table 2: six targets rated by four judges; their published ICCs.
SHROUT_FLEISS_RATINGS = np.array(
    [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ],
    dtype=float,
)
SHROUT_FLEISS_ICC_2_1 = 0.29
SHROUT_FLEISS_ICC_3_1 = 0.71
#: The paper gives two decimals.
PUBLISHED_TOLERANCE = 0.005

TRUTH = np.array([28.0, 31.5, 33.0, 30.2, 35.1, 29.4, 32.8])


def test_it_gives_one_for_perfect_agreement() -> None:
    ratings = np.column_stack([TRUTH, TRUTH])

    assert icc_absolute_agreement(ratings) == 1.0
    assert icc_consistency(ratings) == 1.0


def test_it_lowers_absolute_agreement_but_not_consistency_for_a_constant_offset() -> None:
    ratings = np.column_stack([TRUTH, TRUTH + 2.0])

    assert icc_consistency(ratings) == 1.0
    assert icc_absolute_agreement(ratings) < 0.75


def test_it_reproduces_the_published_shrout_fleiss_example() -> None:
    assert icc_absolute_agreement(SHROUT_FLEISS_RATINGS) == pytest.approx(
        SHROUT_FLEISS_ICC_2_1, abs=PUBLISHED_TOLERANCE
    )
    assert icc_consistency(SHROUT_FLEISS_RATINGS) == pytest.approx(SHROUT_FLEISS_ICC_3_1, abs=PUBLISHED_TOLERANCE)


def test_it_refuses_missing_ratings() -> None:
    with pytest.raises(ValueError, match="finite"):
        icc_absolute_agreement(np.array([[1.0, 2.0], [np.nan, 3.0]]))
