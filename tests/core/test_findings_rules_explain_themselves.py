"""Findings: deviations graded by the data's bands, asymmetries against noticed thresholds, relations fire
only when all their conditions hold, and each finding explains itself in a sentence."""

from __future__ import annotations

import pytest

from facebalance.findings import compare_to_norm, derive_findings, load_finding_rules
from facebalance.norms import Norm, load_norm_set
from facebalance.zones.base import Measurement, Unit, Zone

RULES = load_finding_rules()
NORMS = load_norm_set()


def mm(id_: str, value: float, zone: Zone = Zone.LOWER_FACE, unit: Unit = Unit.MM, sigma: float = 0.5) -> Measurement:
    return Measurement(id_, zone, value, sigma, unit, id_.replace("_", " "), ("a", "b"))


@pytest.mark.parametrize(
    ("z", "severity"),
    [(1.5, None), (2.0, "mild"), (2.9, "mild"), (3.0, "moderate"), (4.5, "marked"), (-3.5, "moderate")],
)
def test_it_grades_a_deviation_by_the_z_bands(z: float, severity: str | None) -> None:
    norm = Norm("x_mm", "any", "any", "test population", "test source", "cited", mean=30.0, sd=2.0)
    m = mm("x_mm", 30.0 + 2.0 * z)
    c = compare_to_norm(m, norm)
    found = derive_findings({"x_mm": m}, {"x_mm": c}, NORMS, RULES)
    assert (found[0].severity if found else None) == severity


def test_it_says_when_a_deviation_is_within_measurement_noise() -> None:
    norm = Norm("x_mm", "any", "any", "test population", "test source", "cited", mean=30.0, sd=1.0)
    noisy = mm("x_mm", 32.5, sigma=2.0)
    c = compare_to_norm(noisy, norm)
    assert c.status == "above" and not c.beyond_uncertainty
    (finding,) = derive_findings({"x_mm": noisy}, {"x_mm": c}, NORMS, RULES)
    assert "confirm clinically" in finding.sentence


@pytest.mark.parametrize(
    ("measurement", "value", "fires"),
    [
        ("commissure_height_asymmetry_mm", 2.9, False),
        ("commissure_height_asymmetry_mm", -3.2, True),
        ("brow_height_asymmetry_mm", 3.4, False),
        ("brow_height_asymmetry_mm", 4.0, True),
        ("palpebral_fissure_height_asymmetry_mm", 2.1, True),
        ("nasal_tip_deviation_mm", 3.9, False),
        ("chin_deviation_mm", 6.5, True),
    ],
)
def test_it_flags_an_asymmetry_from_its_noticed_threshold(measurement: str, value: float, fires: bool) -> None:
    m = mm(measurement, value, zone=Zone.SYMMETRY, sigma=0.2)
    c = compare_to_norm(m, None)
    found = derive_findings({measurement: m}, {measurement: c}, NORMS, RULES)
    assert bool(found) is fires
    if fires:
        assert found[0].kind == "asymmetry" and "noticed" in found[0].sentence


@pytest.mark.parametrize("relation", RULES.relations, ids=lambda r: r.id)
def test_each_relation_fires_only_when_all_its_conditions_hold(relation) -> None:  # type: ignore[no-untyped-def]
    def measurements(sides: dict[str, str]) -> tuple[dict[str, Measurement], dict]:  # type: ignore[type-arg]
        ms, cs = {}, {}
        for cond in relation.when:
            norm = NORMS.select(cond.measurement, sex="female")
            assert norm is not None, f"{relation.id}: no female norm for {cond.measurement}"
            centre = norm.mean if norm.mean is not None else ((norm.low or 0) + (norm.high or 0)) / 2
            spread = norm.sd if norm.sd is not None else ((norm.high or 0) - (norm.low or 0)) / 4
            shift = {"above": 5 * spread, "below": -5 * spread, "within": 0.0}[sides[cond.measurement]]
            m = mm(cond.measurement, centre + shift, sigma=spread / 10)
            ms[cond.measurement] = m
            cs[cond.measurement] = compare_to_norm(m, norm)
        return ms, cs

    ms, cs = measurements({c.measurement: c.side for c in relation.when})
    fired = [f for f in derive_findings(ms, cs, NORMS, RULES) if f.id == relation.id]
    assert len(fired) == 1
    assert fired[0].kind == "relationship" and fired[0].source and "{" not in fired[0].sentence

    first = relation.when[0]
    ms, cs = measurements({c.measurement: ("within" if c is first else c.side) for c in relation.when})
    assert not [f for f in derive_findings(ms, cs, NORMS, RULES) if f.id == relation.id]
