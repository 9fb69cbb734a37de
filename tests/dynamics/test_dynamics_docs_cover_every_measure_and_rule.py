"""docs/dynamics.md defines every measurement and documents every rule with the threshold the data file holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facebalance.dynamics.findings import MovementRule, load_movement_rules
from facebalance.norms import load_default_norm_set

DOC = (Path(__file__).parents[2] / "docs" / "dynamics.md").read_text("utf-8")
METRICS = Path(__file__).parents[2] / "src" / "facebalance" / "dynamics" / "metrics.py"
RULES = load_movement_rules(load_default_norm_set())


def test_every_measurement_is_defined() -> None:
    ids = set(re.findall(r'"([a-z_]+_(?:mm|deg|fraction))"', METRICS.read_text("utf-8")))
    assert ids
    for metric_id in ids:
        assert f"| `{metric_id}` |" in DOC, metric_id


@pytest.mark.parametrize("rule", RULES.rules, ids=[r.id for r in RULES.rules])
def test_every_rule_is_documented_with_its_threshold(rule: MovementRule) -> None:
    row = next((line for line in DOC.splitlines() if line.startswith(f"| `{rule.id}` |")), None)
    assert row is not None, rule.id
    assert rule.action in row
    if rule.threshold is not None:
        shown = f"{rule.threshold:.0%}" if rule.unit == "fraction" else f"{rule.threshold:g} mm"
        assert shown.replace("%", " %") in row or shown in row, (rule.id, shown)


def test_every_compensation_sign_is_documented() -> None:
    for sign in RULES.compensation:
        assert f"| `{sign.id}` |" in DOC and f"{sign.threshold:g}" in DOC
