"""Each profile rule row yields its finding, the sentence the plan shows and the intervention order."""

from __future__ import annotations

import pytest

from facebalance.errors import NormsError
from facebalance.findings import NormComparison, compare_to_norm
from facebalance.findings import Relation as ProfileRelation
from facebalance.norms import load_norm_set
from facebalance.profile.findings import derive_profile_findings, load_profile_relations, parse_profile_relations
from facebalance.profile.measurements import MEASUREMENT_IDS, SPECS
from facebalance.zones.base import Measurement, Zone

RELATIONS = load_profile_relations()[1]
NORMS = load_norm_set()
UNITS = {s.id: s.unit for s in SPECS}


def value_on_side(mid: str, side: str) -> float:
    """A value of ``mid`` that lies on ``side`` of its default norm, far from its edges."""
    norm = NORMS.select(mid, sex=None)
    assert norm is not None, f"{mid} has no norm"
    if norm.mean is not None and norm.sd is not None:
        return {"above": norm.mean + 4 * norm.sd, "below": norm.mean - 4 * norm.sd, "within": norm.mean}[side]
    assert norm.low is not None and norm.high is not None
    span = norm.high - norm.low
    return {"above": norm.high + span, "below": norm.low - span, "within": (norm.low + norm.high) / 2}[side]


def measurements_for(rel: ProfileRelation) -> tuple[dict[str, Measurement], dict[str, NormComparison]]:
    ms = {
        c.measurement: Measurement(
            c.measurement,
            Zone.PROFILE,
            value_on_side(c.measurement, c.side),
            0.1,
            UNITS[c.measurement],
            c.measurement,
            (),
        )
        for c in rel.when
    }
    cs = {mid: compare_to_norm(m, NORMS.select(mid, sex=None)) for mid, m in ms.items()}
    return ms, cs


@pytest.mark.parametrize("rel", RELATIONS, ids=[r.id for r in RELATIONS])
def test_it_fires_with_its_sentence_and_intervention(rel: ProfileRelation) -> None:
    ms, cs = measurements_for(rel)
    fired = {f.finding.id: f for f in derive_profile_findings(ms, cs, NORMS)}
    assert rel.id in fired
    finding = fired[rel.id]
    assert finding.intervention == rel.intervention
    assert rel.intervention in finding.finding.sentence
    assert "{" not in finding.finding.sentence
    assert finding.finding.source == rel.source and finding.finding.kind == "relationship"


@pytest.mark.parametrize("rel", RELATIONS, ids=[r.id for r in RELATIONS])
def test_it_reads_only_measured_quantities_with_norms(rel: ProfileRelation) -> None:
    for c in rel.when:
        assert c.measurement in MEASUREMENT_IDS
        assert NORMS.select(c.measurement, sex=None) is not None
    assert "confirm with the clinic's medical lead" in rel.source


def test_it_proposes_chin_support_before_lip_volume() -> None:
    rel = next(r for r in RELATIONS if r.id == "profile_chin_support_before_lip_volume")
    ms, cs = measurements_for(rel)
    fired = {f.finding.id: f for f in derive_profile_findings(ms, cs, NORMS)}
    assert fired[rel.id].intervention == "Chin support before more lip volume."
    assert "profile_recessed_chin" in fired  # the simpler rule fires too


def test_it_stays_quiet_when_everything_is_within_the_norms() -> None:
    ms = {
        mid: Measurement(mid, Zone.PROFILE, value_on_side(mid, "within"), 0.1, UNITS[mid], mid, ())
        for mid in MEASUREMENT_IDS
        if NORMS.select(mid, sex=None) is not None
    }
    cs = {mid: compare_to_norm(m, NORMS.select(mid, sex=None)) for mid, m in ms.items()}
    fired = [f.finding.id for f in derive_profile_findings(ms, cs, NORMS)]
    assert fired == []


def test_it_refuses_a_rule_without_a_source() -> None:
    text = (
        '[[relation]]\nid = "x"\nwhen = [{ measurement = "goode_ratio", side = "above" }]\n'
        'sentence = "s"\nintervention = "i"\n'
    )
    with pytest.raises(NormsError, match="no source"):
        parse_profile_relations(text)
