"""The same side in two sessions: each millimetre measurement's change, later minus earlier, and a finding only
when the change is beyond the noticed threshold and twice its uncertainty."""

from __future__ import annotations

from dataclasses import replace

import pytest

from facebalance.findings import load_finding_rules
from facebalance.norms import load_norm_set
from facebalance.oblique.analysis import ObliqueAnalysis
from facebalance.oblique.compare import compare_sessions
from facebalance.oblique.constants import load_oblique_constants

MAX_TURN = load_oblique_constants()["max_turn_difference_deg"].value


def test_the_same_photo_twice_has_not_changed(maria_read: ObliqueAnalysis) -> None:
    result = compare_sessions(
        maria_read.assessment,
        maria_read.assessment,
        norms=load_norm_set(),
        rules=load_finding_rules(),
        max_turn_difference_deg=MAX_TURN,
    )
    assert result.compared and result.findings == []
    assert all(m.value == 0.0 for m in result.measurements.values() if m.value is not None)
    assert "ogee_convexity_change_mm" in result.measurements


@pytest.mark.parametrize(("deeper_mm", "found"), [(6.0, True), (1.0, False)])
def test_a_deeper_submalar_hollow_is_a_change_finding(
    maria_read: ObliqueAnalysis, deeper_mm: float, found: bool
) -> None:
    # Both sessions read the hollow to 0.5 mm (one sigma).
    m = replace(maria_read.assessment.measurements["submalar_depth_mm"], uncertainty=0.5)
    earlier = replace(maria_read.assessment, measurements={**maria_read.assessment.measurements, m.id: m})
    deeper = replace(m, value=(m.value or 0.0) + deeper_mm)
    later = replace(earlier, measurements={**earlier.measurements, m.id: deeper})
    result = compare_sessions(
        earlier, later, norms=load_norm_set(), rules=load_finding_rules(), max_turn_difference_deg=MAX_TURN
    )
    change = result.measurements["submalar_depth_change_mm"]
    assert change.value == pytest.approx(deeper_mm)
    assert (any(f.id == "submalar_depth_change_mm_noticeable" for f in result.findings)) is found
    assert all(f.kind == "change" and f.beyond_uncertainty for f in result.findings)


def test_different_cheeks_are_not_compared_across_sessions(
    maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis
) -> None:
    result = compare_sessions(
        maria_read.assessment,
        maria_mirrored_read.assessment,
        norms=load_norm_set(),
        rules=load_finding_rules(),
        max_turn_difference_deg=MAX_TURN,
    )
    assert not result.compared and "same oblique view" in result.reason
