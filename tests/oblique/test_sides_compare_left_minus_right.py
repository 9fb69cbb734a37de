"""Left and right obliques compared give midface and jawline asymmetry, left minus right, and a finding only
when a difference is beyond its noticed threshold and twice its uncertainty; photos turned differently are not
compared."""

from __future__ import annotations

from dataclasses import replace

import pytest

from facebalance.findings import load_finding_rules
from facebalance.norms import load_norm_set
from facebalance.oblique.analysis import ObliqueAnalysis
from facebalance.oblique.assessment import ObliqueAssessment
from facebalance.oblique.compare import ASYMMETRY_IDS, ASYMMETRY_REGION, compare_sides
from facebalance.oblique.constants import load_oblique_constants
from facebalance.zones.base import Measurement

MAX_TURN = load_oblique_constants()["max_turn_difference_deg"].value


def _with(a: ObliqueAssessment, mid: str, value: float, sigma: float) -> ObliqueAssessment:
    m = a.measurements[mid]
    return replace(a, measurements={**a.measurements, mid: replace(m, value=value, uncertainty=sigma)})


def test_a_face_and_its_mirror_image_are_symmetric(
    maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis
) -> None:
    # Maria's right cheek, and the same cheek mirrored as a left cheek: every difference is exactly zero.
    result = compare_sides(
        maria_read.assessment,
        maria_mirrored_read.assessment,
        norms=load_norm_set(),
        rules=load_finding_rules(),
        max_turn_difference_deg=MAX_TURN,
    )
    assert result.compared and result.findings == []
    assert set(result.measurements) == set(ASYMMETRY_IDS.values())
    measured = [m for m in result.measurements.values() if m.value is not None]
    assert measured and all(m.value == 0.0 for m in measured)
    assert {ASYMMETRY_REGION[k] for k in result.measurements} >= {"midface", "jawline"}


@pytest.mark.parametrize(("sigma", "found"), [(0.5, True), (2.0, False)])
def test_a_fuller_left_cheek_is_a_finding_only_beyond_its_uncertainty(
    maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis, sigma: float, found: bool
) -> None:
    left = _with(maria_mirrored_read.assessment, "ogee_convexity_mm", 9.0, sigma)
    right = _with(maria_read.assessment, "ogee_convexity_mm", 4.0, sigma)
    result = compare_sides(
        right, left, norms=load_norm_set(), rules=load_finding_rules(), max_turn_difference_deg=MAX_TURN
    )
    difference: Measurement = result.measurements["ogee_convexity_asymmetry_mm"]
    assert difference.value == pytest.approx(5.0)  # left minus right, the patient's sides
    assert difference.uncertainty == pytest.approx(sigma * 2**0.5)
    ids = [f.id for f in result.findings]
    assert ("ogee_convexity_asymmetry_mm_noticeable" in ids) is found
    assert all(f.beyond_uncertainty for f in result.findings)


def test_photos_turned_differently_are_not_compared(
    maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis
) -> None:
    turned = replace(maria_mirrored_read.assessment, yaw_deg=maria_read.assessment.yaw_deg - 3 * MAX_TURN)
    result = compare_sides(
        maria_read.assessment,
        turned,
        norms=load_norm_set(),
        rules=load_finding_rules(),
        max_turn_difference_deg=MAX_TURN,
    )
    assert not result.compared and "turned differently" in result.reason and result.findings == []


def test_two_photos_of_the_same_cheek_are_not_compared_as_sides(maria_read: ObliqueAnalysis) -> None:
    result = compare_sides(
        maria_read.assessment,
        maria_read.assessment,
        norms=load_norm_set(),
        rules=load_finding_rules(),
        max_turn_difference_deg=MAX_TURN,
    )
    assert not result.compared and "right cheek" in result.reason
