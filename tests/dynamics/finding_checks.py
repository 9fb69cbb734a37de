"""What every dynamic finding must agree with in its own document (kept apart from conftest so tests can import
it): the measurement it names holds the value it quotes, on its side; the rule's test holds on that value; a
finding whose rule a direct measurement supersedes is absent where that measurement was read; rest findings
only when the rest was at rest; nothing from an unclassified movement."""

from __future__ import annotations

from typing import Any

from facebalance.dynamics.findings import MovementRules


def contradictions(document: dict[str, Any], rules: MovementRules) -> list[str]:
    """Every way a finding of ``document`` (a ``facebalance.dynamics`` document) disagrees with its own metrics."""
    problems: list[str] = []
    entries = {"rest": document["rest"]} | {e["name"]: e for e in document["expressions"] if e["primary"]}
    by_id = {r.id: r for r in rules.rules}
    for f in document["findings"]:
        where = f"{f['id']} ({f['expression']}, {f['side']})"
        if f["expression"] == "unclassified":
            problems.append(f"{where}: from an unclassified movement")
            continue
        if f["expression"] == "rest" and not document["rest"].get("at_rest", True):
            problems.append(f"{where}: a rest finding while the rest was not at rest")
        rule = by_id.get(f["id"])
        if rule is None:  # a compensation sign: a blendshape score at rest
            continue
        entry = entries.get(f["expression"])
        if entry is None:
            problems.append(f"{where}: no primary {f['expression']} in the document")
            continue
        metric = entry["metrics"].get(rule.metric)
        if metric is None:
            problems.append(f"{where}: {rule.metric} was not measured on {f['expression']}")
            continue
        if rule.test == "asymmetry":
            difference = metric.get("difference_left_minus_right")
            if not metric.get("noticeable") or difference is None or abs(difference - f["value"]) > 1e-3:
                problems.append(f"{where}: the asymmetry it quotes is not the metric's noticeable difference")
            continue
        value = metric[f["side"]]
        if value is None or abs(value - f["value"]) > 1e-3:
            problems.append(f"{where}: quotes {f['value']}, the metric says {value}")
            continue
        assert rule.threshold is not None
        if (rule.test == "above" and value < rule.threshold) or (rule.test == "below" and value > rule.threshold):
            problems.append(f"{where}: {value} does not pass its threshold {rule.threshold}")
        if rule.beyond_uncertainty and not f["beyond_uncertainty"]:
            problems.append(f"{where}: proposed within its uncertainty")
        if rule.superseded_by is not None:
            decisive = entry["metrics"].get(rule.superseded_by)
            if decisive is not None and decisive[f["side"]] is not None:
                problems.append(f"{where}: rests on {rule.metric} though {rule.superseded_by} was read")
    return problems
