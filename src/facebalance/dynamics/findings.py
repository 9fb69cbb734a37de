"""Movement findings for the treatment planner, from declarative rule rows (``data/rules_default.toml``).

Each rule row names a measurement, the expressions it applies to, a test and a threshold, and carries the
sentence the written plan shows and the planner's one-line hint; so a row explains itself and the table
is tested row by row. Movement thresholds for noticed asymmetry may borrow the frontal norm set's static
thresholds (their citation travels with them).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from facebalance.dynamics.asymmetry import NoticedThreshold
from facebalance.dynamics.errors import ScriptError
from facebalance.dynamics.results import DynamicFinding, ExpressionResult
from facebalance.dynamics.script import ExpressionKind
from facebalance.dynamics.tracker import BLENDSHAPE_NAMES
from facebalance.findings.engine import SeverityBands
from facebalance.norms import NormSet
from facebalance.provenance import Provenance, parse_table_text
from facebalance.zones.base import Zone

Test = Literal["above", "below", "asymmetry"]
Side = Literal["right", "left"]
_TESTS = ("above", "below", "asymmetry")

#: Zone of each expression kind's findings (asymmetry findings add Zone.SYMMETRY).
_KIND_ZONE = {
    ExpressionKind.REST: Zone.LOWER_FACE,
    ExpressionKind.BROW_RAISE: Zone.UPPER_FACE,
    ExpressionKind.FROWN: Zone.UPPER_FACE,
    ExpressionKind.EYE_CLOSURE: Zone.UPPER_FACE,
    ExpressionKind.SMILE: Zone.LOWER_FACE,
    ExpressionKind.PUCKER: Zone.LOWER_FACE,
    ExpressionKind.EEE: Zone.LOWER_FACE,
    ExpressionKind.CLENCH: Zone.LOWER_FACE,
}


@dataclass(frozen=True)
class MovementRule:
    """One rule row (see the header of ``data/rules_default.toml``)."""

    id: str
    metric: str
    kinds: tuple[ExpressionKind, ...]
    test: Test
    threshold: float | None
    unit: str
    sentence: str
    action: str
    source: str
    review: str
    beyond_uncertainty: bool = False
    superseded_by: str | None = None
    evidence: str = ""


@dataclass(frozen=True)
class CompensationRule:
    """A sign of compensation read from blendshape scores at rest."""

    id: str
    blendshapes: tuple[str, ...]
    threshold: float
    sentence: str
    action: str
    source: str
    review: str


@dataclass(frozen=True)
class MovementRules:
    version: str
    severity: SeverityBands
    thresholds: dict[str, NoticedThreshold]
    rules: tuple[MovementRule, ...]
    compensation: tuple[CompensationRule, ...]


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise ScriptError(f"{where}: missing {key!r}.", hint="Compare with dynamics/data/rules_default.toml.")
    return entry[key]


def _sourced(entry: dict[str, Any], where: str) -> tuple[str, str]:
    """The row's source and review status (``working`` when not given), or a :class:`ScriptError`."""
    provenance = Provenance.of_row(entry, where, default_review="working", error=ScriptError)
    return provenance.source, provenance.review


def parse_rules(text: str, norms: NormSet, *, origin: str = "<string>") -> MovementRules:
    """Parse and validate a movement-rules document against the norm set it borrows thresholds from."""
    doc = parse_table_text(text, origin=origin, error=ScriptError)
    sev = _need(doc, "severity", origin)
    source, _ = _sourced(sev, f"{origin} [severity]")
    bands = SeverityBands(float(sev["mild"]), float(sev["moderate"]), float(sev["marked"]), source)
    thresholds: dict[str, NoticedThreshold] = {}
    for e in doc.get("asymmetry", []):
        where = f"{origin} asymmetry {e.get('metric', '?')}"
        metric = str(_need(e, "metric", where))
        if "from_norm_threshold" in e:
            borrowed = norms.thresholds.get(str(e["from_norm_threshold"]))
            if borrowed is None:
                raise ScriptError(
                    f"{where}: the norm set has no threshold {e['from_norm_threshold']!r}.",
                    hint="Name a [[threshold]] of the norm set, or give noticed_at and source.",
                )
            # The number and its citation are the norm set's; the row says only how far it has been reviewed.
            source, review = _sourced(
                {**e, "source": f"{borrowed.source} (static threshold {borrowed.measurement}, applied to movement)"},
                where,
            )
            thresholds[metric] = NoticedThreshold(metric, borrowed.noticed_at, source, review)
        else:
            src, review = _sourced(e, where)
            thresholds[metric] = NoticedThreshold(metric, float(_need(e, "noticed_at", where)), src, review)
    rules = []
    for e in doc.get("rule", []):
        where = f"{origin} rule {e.get('id', '?')}"
        src, review = _sourced(e, where)
        test = cast(Test, str(_need(e, "test", where)))
        if test not in _TESTS:
            raise ScriptError(f"{where}: test must be one of {', '.join(_TESTS)}.", hint="Fix the entry.")
        metric = str(_need(e, "metric", where))
        if test == "asymmetry" and metric not in thresholds:
            raise ScriptError(
                f"{where}: {metric} has no noticed-asymmetry threshold.", hint="Add an [[asymmetry]] row."
            )
        rules.append(
            MovementRule(
                id=str(_need(e, "id", where)),
                metric=metric,
                kinds=tuple(ExpressionKind(k) for k in _need(e, "kinds", where)),
                test=test,
                threshold=float(e["threshold"]) if "threshold" in e else None,
                unit=str(e.get("unit", "mm")),
                sentence=str(_need(e, "sentence", where)),
                action=str(_need(e, "action", where)),
                source=src,
                review=review,
                beyond_uncertainty=bool(e.get("beyond_uncertainty", False)),
                superseded_by=str(e["superseded_by"]) if "superseded_by" in e else None,
                evidence=str(e.get("evidence", "")),
            )
        )
        if rules[-1].superseded_by is not None and not rules[-1].evidence:
            raise ScriptError(
                f"{where}: a rule superseded by another measurement must say what it rests on (evidence).",
                hint='Add evidence = "..." naming the measurement it rests on.',
            )
        if test != "asymmetry" and rules[-1].threshold is None:
            raise ScriptError(f"{where}: an {test!r} rule needs a threshold.", hint="Add threshold = ...")
    compensation = []
    for e in doc.get("compensation", []):
        where = f"{origin} compensation {e.get('id', '?')}"
        src, review = _sourced(e, where)
        names = tuple(str(b) for b in _need(e, "blendshapes", where))
        if any(b not in BLENDSHAPE_NAMES for b in names):
            raise ScriptError(f"{where}: unknown blendshape.", hint="Use MediaPipe's blendshape names.")
        compensation.append(
            CompensationRule(
                id=str(_need(e, "id", where)),
                blendshapes=names,
                threshold=float(_need(e, "threshold", where)),
                sentence=str(_need(e, "sentence", where)),
                action=str(_need(e, "action", where)),
                source=src,
                review=review,
            )
        )
    return MovementRules(
        version=str(doc.get("meta", {}).get("version", "unversioned")),
        severity=bands,
        thresholds=thresholds,
        rules=tuple(rules),
        compensation=tuple(compensation),
    )


@functools.lru_cache(maxsize=1)
def _default_text() -> str:
    return resources.files("facebalance.dynamics").joinpath("data/rules_default.toml").read_text("utf-8")


def load_movement_rules(norms: NormSet, path: str | Path | None = None) -> MovementRules:
    """The packaged movement rules (or a clinic's file), with thresholds borrowed from ``norms``."""
    if path is None:
        return parse_rules(_default_text(), norms, origin="rules_default.toml")
    p = Path(path)
    if not p.is_file():
        raise ScriptError(f"Rules file {p} does not exist.", hint="Give the path of a TOML rules file.")
    return parse_rules(p.read_text("utf-8"), norms, origin=str(p))


def _fmt(value: float, unit: str) -> str:
    if unit == "fraction":
        return f"{value:.0%}"
    if unit == "score":
        return f"{value:.2f}"
    return f"{value:.1f}"


def _unit_text(unit: str) -> str:
    return "" if unit in ("fraction", "score") else unit


def _say(template: str, **values: str) -> str:
    text = template.format(**values)
    return " ".join(text.split()).replace(" :", ":").replace(" ,", ",").replace(" .", ".")


def _movement_findings(
    rule: MovementRule, expression: ExpressionResult, bands: SeverityBands, thresholds: dict[str, NoticedThreshold]
) -> list[DynamicFinding]:
    metric = expression.metric(rule.metric)
    if metric is None:
        return []
    zone = _KIND_ZONE[expression.kind]
    found: list[DynamicFinding] = []
    label = expression.label.lower() if expression.kind is not ExpressionKind.REST else "rest"
    unit = metric.unit
    if rule.test == "asymmetry":
        asym = expression.asymmetries.get(rule.metric)
        threshold = thresholds[rule.metric]
        if asym is None or not asym.noticeable or metric.left is None or metric.right is None:
            return []
        size = abs(asym.difference) / threshold.noticed_at
        severity = bands.grade(size)
        if severity is None:
            return []
        weaker: Side = "left" if asym.difference < 0 else "right"
        stronger: Side = "right" if weaker == "left" else "left"
        noise = (
            ""
            if asym.beyond_uncertainty
            else " Within twice the measurement uncertainty of the threshold: confirm clinically."
        )
        sentence = (
            _say(
                rule.sentence,
                side=weaker,
                value=_fmt(abs(asym.difference), unit),
                expression=label,
                difference=_fmt(abs(asym.difference), unit),
                weaker=f"patient's {weaker}",
                stronger=f"patient's {stronger}",
                threshold=_fmt(threshold.noticed_at, unit),
                unit=_unit_text(unit),
            )
            + noise
        )
        found.append(
            DynamicFinding(
                id=rule.id,
                kind="asymmetry",
                zones=(zone, Zone.SYMMETRY),
                measurements=(f"{expression.name}.{metric.id}",),
                value=asym.difference,
                uncertainty=asym.sigma,
                unit=unit,
                norm=f"noticed at {_fmt(threshold.noticed_at, unit)} {_unit_text(unit)}".strip(),
                source=f"{rule.source}; threshold: {threshold.source}",
                deviation=size,
                severity=severity,
                beyond_uncertainty=asym.beyond_uncertainty,
                sentence=sentence,
                points=(metric.id,),
                expression=expression.name,
                side=weaker,
                action=rule.action,
                review=rule.review,
            )
        )
        return found
    assert rule.threshold is not None
    sides: tuple[Side, Side] = ("right", "left")
    decisive = expression.metric(rule.superseded_by) if rule.superseded_by else None
    for side in sides:
        value = metric.side(side)
        if value is None:
            continue
        if decisive is not None and decisive.side(side) is not None:
            continue  # the direct measurement was read on this side: its own rule decides, not this proxy
        if rule.test == "above":
            hit = value.value >= rule.threshold
            size = value.value / rule.threshold if rule.threshold > 0 else math.inf
            beyond = value.value - 2 * value.sigma >= rule.threshold
        else:
            hit = value.value <= rule.threshold
            size = rule.threshold / value.value if value.value > 0 else math.inf
            beyond = value.value + 2 * value.sigma <= rule.threshold
        severity = bands.grade(size) if hit else None
        if severity is None or (rule.beyond_uncertainty and not beyond):
            continue
        noise = "" if beyond else " Within twice the measurement uncertainty of the threshold: confirm clinically."
        if rule.evidence:
            noise += f" Evidence: {rule.evidence}"
        sentence = (
            _say(
                rule.sentence,
                side=f"patient's {side}",
                value=_fmt(value.value, unit),
                expression=label,
                difference="",
                weaker="",
                stronger="",
                threshold=_fmt(rule.threshold, unit),
                unit=_unit_text(unit),
            )
            + noise
        )
        found.append(
            DynamicFinding(
                id=rule.id,
                kind="movement",
                zones=(zone,),
                measurements=(f"{expression.name}.{metric.id}",),
                value=value.value,
                uncertainty=value.sigma,
                unit=unit,
                norm=f"{'at least' if rule.test == 'above' else 'at most'} {_fmt(rule.threshold, unit)} "
                f"{_unit_text(unit)}".strip(),
                source=rule.source,
                deviation=size,
                severity=severity,
                beyond_uncertainty=beyond,
                sentence=sentence,
                points=(metric.id,),
                expression=expression.name,
                side=side,
                action=rule.action,
                review=rule.review,
            )
        )
    return found


def derive_movement_findings(
    rest: ExpressionResult,
    expressions: tuple[ExpressionResult, ...],
    rest_blendshapes: dict[str, float],
    rules: MovementRules,
    *,
    rest_at_rest: bool = True,
) -> list[DynamicFinding]:
    """Every finding of one assessment, marked first, then by expression order.

    Only the primary occurrence of each named expression is judged (an unclassified movement is never
    primary). Compensation signs are read from the blendshape scores at rest (``rest_blendshapes``, 0-1);
    they and the rest findings are proposed only when the rest period was at rest (``rest_at_rest``).
    """
    findings: list[DynamicFinding] = []
    judged = [*([rest] if rest_at_rest else []), *(e for e in expressions if e.primary)]
    for rule in rules.rules:
        for expression in judged:
            if expression.kind in rule.kinds:
                findings += _movement_findings(rule, expression, rules.severity, rules.thresholds)
    for sign in rules.compensation if rest_at_rest else ():
        score = max(rest_blendshapes.get(b, 0.0) for b in sign.blendshapes)
        severity = rules.severity.grade(score / sign.threshold)
        if severity is None:
            continue
        findings.append(
            DynamicFinding(
                id=sign.id,
                kind="compensation",
                zones=(Zone.UPPER_FACE if "brow" in sign.blendshapes[0] else Zone.LOWER_FACE,),
                measurements=tuple(f"rest.{b}" for b in sign.blendshapes),
                value=score,
                uncertainty=None,
                unit="score",
                norm=f"at most {sign.threshold:.2f} at rest",
                source=sign.source,
                deviation=score / sign.threshold,
                severity=severity,
                beyond_uncertainty=False,
                sentence=_say(sign.sentence, value=f"{score:.2f}"),
                points=sign.blendshapes,
                expression="rest",
                side="both",
                action=sign.action,
                review=sign.review,
            )
        )
    order = ("marked", "moderate", "mild")
    sequence = {e.name: i for i, e in enumerate(judged)}
    findings.sort(key=lambda f: (order.index(f.severity), sequence.get(f.expression, 0), f.id, f.side))
    return findings
