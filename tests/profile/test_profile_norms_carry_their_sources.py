"""Every profile measurement has a norm with a source; cited norms cite, working ones say so."""

from __future__ import annotations

import pytest

from facebalance.norms import load_norm_set
from facebalance.profile.measurements import MEASUREMENT_IDS

NORMS = load_norm_set()


@pytest.mark.parametrize("mid", MEASUREMENT_IDS)
def test_it_has_a_sourced_norm(mid: str) -> None:
    norm = NORMS.select(mid, sex=None)
    assert norm is not None, mid
    assert norm.source.strip() and norm.population.strip()
    if norm.review == "cited":
        assert any(str(year) in norm.source for year in range(1950, 2000)), norm.source
    else:
        assert norm.review == "working"
        assert "working" in norm.source or "working" in norm.note


def test_it_keeps_the_issue_norms() -> None:
    def mean(mid: str) -> float | None:
        norm = NORMS.select(mid, sex=None)
        assert norm is not None
        return norm.mean

    assert (mean("e_line_upper_lip_mm"), mean("e_line_lower_lip_mm")) == (-4.0, -2.0)
    assert mean("facial_convexity_deg") == 12.0
    convexity = NORMS.select("facial_convexity_deg", sex=None)
    assert convexity is not None and convexity.sd == 4.0


def test_it_holds_the_carry_over_constants_as_working_references() -> None:
    for rid in (
        "profile_carry_over_nasion_subnasale_sigma_mm",
        "profile_carry_over_subnasale_menton_sigma_mm",
        "profile_head_tilt_sigma_deg",
    ):
        ref = NORMS.reference(rid)
        assert ref.review == "working" and "confirm with the clinic's medical lead" in ref.source
