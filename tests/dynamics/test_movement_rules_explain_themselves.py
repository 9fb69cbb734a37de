"""Every movement rule row fires just beyond its threshold with its own sentence and action, and not before."""

from __future__ import annotations

import pytest

from facebalance.dynamics.asymmetry import compare_sides
from facebalance.dynamics.findings import MovementRule, MovementRules, derive_movement_findings, load_movement_rules
from facebalance.dynamics.metrics import MovementMetric, SideValue
from facebalance.dynamics.results import ExpressionResult
from facebalance.dynamics.script import ExpressionKind
from facebalance.norms import load_default_norm_set

RULES: MovementRules = load_movement_rules(load_default_norm_set())
#: Small enough that "beyond twice the uncertainty" is not what is tested here.
_SIGMA = 0.01


def _expression(rule: MovementRule, left: float, right: float) -> ExpressionResult:
    kind = rule.kinds[0]
    metric = MovementMetric(rule.metric, rule.metric, rule.unit, SideValue(right, _SIGMA), SideValue(left, _SIGMA))
    return ExpressionResult(
        name=kind.value,
        label=kind.value,
        kind=kind,
        start_s=0,
        end_s=1,
        peak_s=0.5,
        start_index=0,
        end_index=1,
        peak_index=0,
        peak_activation=1.0,
        metrics=(metric,),
        asymmetries={metric.id: compare_sides(metric, RULES.thresholds.get(metric.id))},
    )


def _judge(rule: MovementRule, left: float, right: float) -> list[str]:
    expression = _expression(rule, left, right)
    rest = (
        expression
        if rule.kinds[0] is ExpressionKind.REST
        else _expression(
            MovementRule("x", "x", (ExpressionKind.REST,), "above", 1.0, "mm", "", "", "", "working"), 0, 0
        )
    )
    found = derive_movement_findings(rest, () if expression is rest else (expression,), {}, RULES)
    return [f.id for f in found if f.id == rule.id]


def _values(rule: MovementRule, beyond: bool) -> tuple[float, float]:
    if rule.test == "asymmetry":
        t = RULES.thresholds[rule.metric].noticed_at
        return (5.0, 5.0 + (1.2 if beyond else 0.8) * t)
    assert rule.threshold is not None
    factor = 1.2 if beyond else 0.8
    value = rule.threshold * factor if rule.test == "above" else rule.threshold / factor
    return (value, 0.0 if rule.test == "above" else 1.0)


@pytest.mark.parametrize("rule", RULES.rules, ids=[r.id for r in RULES.rules])
def test_it_fires_beyond_its_threshold(rule: MovementRule) -> None:
    left, right = _values(rule, beyond=True)
    assert _judge(rule, left, right) == [rule.id]
    found = derive_movement_findings(*_pair(rule, left, right), {}, RULES)
    finding = next(f for f in found if f.id == rule.id)
    assert rule.action in finding.action and finding.sentence and "{" not in finding.sentence
    assert finding.source and finding.review in ("cited", "working", "derived", "measured")


@pytest.mark.parametrize("rule", RULES.rules, ids=[r.id for r in RULES.rules])
def test_it_stays_quiet_within_its_threshold(rule: MovementRule) -> None:
    left, right = _values(rule, beyond=False)
    assert _judge(rule, left, right) == []


def _pair(rule: MovementRule, left: float, right: float) -> tuple[ExpressionResult, tuple[ExpressionResult, ...]]:
    expression = _expression(rule, left, right)
    if rule.kinds[0] is ExpressionKind.REST:
        return expression, ()
    rest = _expression(MovementRule("x", "x", (ExpressionKind.REST,), "above", 1.0, "mm", "", "", "", "working"), 0, 0)
    return rest, (expression,)


def test_an_asymmetry_names_the_weaker_side() -> None:
    rule = next(r for r in RULES.rules if r.id == "dynamic.brow_elevation_asymmetry")
    rest, expressions = _pair(rule, left=2.0, right=6.0)
    finding = next(f for f in derive_movement_findings(rest, expressions, {}, RULES) if f.id == rule.id)
    assert finding.side == "left"
    assert "patient's left brow lifts 4.0 mm less" in finding.sentence


@pytest.mark.parametrize("sign", RULES.compensation, ids=[c.id for c in RULES.compensation])
def test_compensation_signs_read_the_rest_scores(sign: object) -> None:
    rule = next(r for r in RULES.rules if r.kinds[0] is ExpressionKind.REST)
    rest, _ = _pair(rule, 0.0, 0.0)
    threshold = sign.threshold  # type: ignore[attr-defined]
    high = {b: threshold * 1.1 for b in sign.blendshapes}  # type: ignore[attr-defined]
    low = {b: threshold * 0.9 for b in sign.blendshapes}  # type: ignore[attr-defined]
    assert sign.id in [f.id for f in derive_movement_findings(rest, (), high, RULES)]  # type: ignore[attr-defined]
    assert sign.id not in [f.id for f in derive_movement_findings(rest, (), low, RULES)]  # type: ignore[attr-defined]


def test_every_rule_and_threshold_has_a_source() -> None:
    assert all(r.source.strip() for r in RULES.rules)
    assert all(t.source.strip() for t in RULES.thresholds.values())
    borrowed = RULES.thresholds["brow_elevation_mm"]
    assert "Aesthet Surg J" in borrowed.source and borrowed.review == "working"
