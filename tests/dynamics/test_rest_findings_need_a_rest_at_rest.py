"""Rest findings follow from a rest that is at rest, and carry their uncertainty: a corner below stomion by less
than twice its uncertainty past the threshold is no finding (21 of the 51 London neutral faces would otherwise
get one), and nothing about rest is proposed when the rest period was not at rest."""

from __future__ import annotations

from facebalance.dynamics.findings import derive_movement_findings, load_movement_rules
from facebalance.dynamics.metrics import MovementMetric, SideValue
from facebalance.dynamics.results import ExpressionResult
from facebalance.dynamics.script import ExpressionKind
from facebalance.norms import load_default_norm_set

RULES = load_movement_rules(load_default_norm_set())


def rest(value_mm: float, sigma_mm: float) -> ExpressionResult:
    metric = MovementMetric(
        "commissure_depression_rest_mm", "x", "mm", SideValue(0.0, sigma_mm), SideValue(value_mm, sigma_mm)
    )
    return ExpressionResult("rest", "Rest", ExpressionKind.REST, 0, 1, 0.5, 0, 30, 15, 0.0, (metric,), {})


def ids(rest_result: ExpressionResult, **kwargs: object) -> list[str]:
    scores = {"browInnerUp": 0.9}  # frontalis held up at rest: over the 0.8 sign
    return [f.id for f in derive_movement_findings(rest_result, (), scores, RULES, **kwargs)]  # type: ignore[arg-type]


def test_a_corner_within_its_uncertainty_is_no_finding() -> None:
    assert "dynamic.commissure_depression_rest" not in ids(rest(2.0, 1.5))  # 2.0 - 2 x 1.5 < 1.5
    assert "dynamic.commissure_depression_rest" in ids(rest(5.0, 1.0))  # 5.0 - 2 x 1.0 >= 1.5


def test_nothing_about_rest_is_proposed_when_the_rest_was_not_at_rest() -> None:
    assert set(ids(rest(5.0, 1.0))) == {"dynamic.commissure_depression_rest", "dynamic.frontalis_compensation"}
    assert ids(rest(5.0, 1.0), rest_at_rest=False) == []
