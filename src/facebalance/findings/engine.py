"""Turn measurements into findings (pure functions; rules come from :mod:`facebalance.findings.rules`).

One engine for every view: norm deviations graded by the severity bands, noticeable asymmetries against
the norm set's thresholds, and relationship rules (:func:`relation_findings`), which the frontal analysis
and the profile analysis both use with their own rule tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from facebalance.findings.rules import SEVERITIES, FindingRules, Relation, Severity
from facebalance.findings.rules import SeverityBands as SeverityBands  # re-exported: the movement rules use it
from facebalance.norms import Norm, NormSet, Threshold
from facebalance.zones.base import Measurement, Zone

Status = Literal["within", "above", "below", "no_norm", "not_measured"]
_ORDER = SEVERITIES


@dataclass(frozen=True)
class NormComparison:
    """Where a measurement lies against its norm.

    ``deviation`` is the z-score for mean/SD norms, and for range norms the distance outside the range in
    quarter-range units (0 inside). ``beyond_uncertainty`` is true when the value's ±2-sigma interval lies
    wholly outside the normal band, i.e. the deviation is not explained by measurement noise.
    """

    status: Status
    deviation: float | None
    beyond_uncertainty: bool
    norm: Norm | None


@dataclass(frozen=True)
class Finding:
    """A proposed finding, for the clinician to confirm, edit or reject."""

    id: str
    kind: Literal["norm", "asymmetry", "relationship", "movement", "compensation", "change"]
    zones: tuple[Zone, ...]
    measurements: tuple[str, ...]
    value: float | None
    uncertainty: float | None
    unit: str
    norm: str
    source: str
    deviation: float | None
    severity: Severity
    beyond_uncertainty: bool
    sentence: str
    points: tuple[str, ...]


def compare_to_norm(m: Measurement, norm: Norm | None) -> NormComparison:
    """Place one measurement against its norm.

    Examples
    --------
    >>> from facebalance.zones.base import Unit
    >>> n = Norm("x_mm", "any", "any", "test", "test", "cited", mean=30.0, sd=2.0)
    >>> c = compare_to_norm(Measurement("x_mm", Zone.MIDFACE, 37.0, 1.0, Unit.MM, "x", ()), n)
    >>> c.status, c.deviation, c.beyond_uncertainty
    ('above', 3.5, True)
    """
    if m.value is None:
        return NormComparison("not_measured", None, False, norm)
    if norm is None:
        return NormComparison("no_norm", None, False, None)
    sigma2 = 2.0 * (m.uncertainty or 0.0)
    if norm.mean is not None and norm.sd is not None:
        z = (m.value - norm.mean) / norm.sd
        lo, hi = norm.mean - 2 * norm.sd, norm.mean + 2 * norm.sd
        status: Status = "above" if z >= 2 else "below" if z <= -2 else "within"
        beyond = (m.value - sigma2 > hi) or (m.value + sigma2 < lo)
        return NormComparison(status, z, beyond, norm)
    lo = norm.low if norm.low is not None else float("-inf")
    hi = norm.high if norm.high is not None else float("inf")
    quarter = (hi - lo) / 4 if norm.low is not None and norm.high is not None else (m.uncertainty or 1.0)
    if m.value > hi:
        return NormComparison("above", (m.value - hi) / quarter, m.value - sigma2 > hi, norm)
    if m.value < lo:
        return NormComparison("below", (lo - m.value) / quarter, m.value + sigma2 < lo, norm)
    return NormComparison("within", 0.0, False, norm)


def _fmt(value: float, unit: str) -> str:
    return f"{value:.2f}" if unit in ("ratio", "fraction") else f"{value:.1f}"


@dataclass(frozen=True)
class _Value:
    """A measured value for a rule sentence: ``{id}`` writes it as :func:`_fmt` does, ``{id:+.1f}`` as asked.

    >>> from facebalance.zones.base import Unit
    >>> "{0} / {0:+.1f}".format(_Value(3.14159, Unit.MM.value))
    '3.1 / +3.1'
    """

    value: float
    unit: str

    def __format__(self, spec: str) -> str:
        return format(self.value, spec) if spec else _fmt(self.value, self.unit)


def _norm_finding(m: Measurement, c: NormComparison, rules: FindingRules) -> Finding | None:
    if c.status not in ("above", "below") or c.norm is None or c.deviation is None:
        return None
    bands = rules.z if c.norm.mean is not None else rules.range
    size = abs(c.deviation)
    severity = bands.grade(size) if c.norm.mean is not None else bands.grade(size) or "mild"
    if severity is None:
        return None
    unit = m.unit.value
    suffix = "" if unit in ("ratio", "fraction") else f" {unit}"
    value_text = f"{_fmt(m.value or 0.0, unit)} ± {_fmt(m.uncertainty or 0.0, unit)}{suffix}"
    where = "above" if c.status == "above" else "below"
    dev = f"z = {c.deviation:+.1f}" if c.norm.mean is not None else "outside the range"
    noise = (
        ""
        if c.beyond_uncertainty
        else " The difference is within twice the measurement uncertainty: confirm clinically."
    )
    sentence = f"{m.label}: {value_text}, {where} the norm {c.norm.describe(unit)} ({c.norm.population}; {dev}).{noise}"
    return Finding(
        id=f"{m.id}_{where}",
        kind="norm",
        zones=(m.zone,),
        measurements=(m.id,),
        value=m.value,
        uncertainty=m.uncertainty,
        unit=unit,
        norm=c.norm.describe(unit),
        source=c.norm.source,
        deviation=c.deviation,
        severity=severity,
        beyond_uncertainty=c.beyond_uncertainty,
        sentence=sentence,
        points=m.points,
    )


def _asymmetry_finding(m: Measurement, t: Threshold, rules: FindingRules) -> Finding | None:
    if m.value is None:
        return None
    size = abs(m.value) / t.noticed_at
    severity = rules.asymmetry.grade(size)
    if severity is None:
        return None
    beyond = abs(m.value) - 2 * (m.uncertainty or 0.0) >= t.noticed_at
    noise = "" if beyond else " Within twice the measurement uncertainty of the threshold: confirm clinically."
    sentence = (
        f"{m.label}: {m.value:+.1f} ± {m.uncertainty or 0.0:.1f} mm, at or beyond the "
        f"{t.noticed_at:g} mm at which this asymmetry is noticed.{noise}"
    )
    return Finding(
        id=f"{m.id}_noticeable",
        kind="asymmetry",
        zones=(Zone.SYMMETRY,),
        measurements=(m.id,),
        value=m.value,
        uncertainty=m.uncertainty,
        unit="mm",
        norm=f"noticed at {t.noticed_at:g} mm",
        source=t.source,
        deviation=size,
        severity=severity,
        beyond_uncertainty=beyond,
        sentence=sentence,
        points=m.points,
    )


def derive_findings(
    measurements: dict[str, Measurement],
    comparisons: dict[str, NormComparison],
    norms: NormSet,
    rules: FindingRules,
) -> list[Finding]:
    """All findings for one analysis: norm deviations, noticeable asymmetries, and zone relationships.

    Sorted by severity (marked first), then zone.
    """
    findings: list[Finding] = []
    for mid, m in measurements.items():
        threshold = norms.thresholds.get(mid)
        if threshold is not None:
            f = _asymmetry_finding(m, threshold, rules)
        else:
            f = _norm_finding(m, comparisons[mid], rules)
        if f is not None:
            findings.append(f)
    findings.extend(f for _, f in relation_findings(rules.relations, measurements, comparisons, rules))
    findings.sort(key=lambda f: (-_ORDER.index(f.severity), f.zones[0].value, f.id))
    return findings


def relation_findings(
    relations: Iterable[Relation],
    measurements: Mapping[str, Measurement],
    comparisons: Mapping[str, NormComparison],
    rules: FindingRules,
) -> list[tuple[Relation, Finding]]:
    """The relationship rules that fire, each with its finding, in rule order.

    A rule fires when every condition holds: its measurement was compared and lies on the named side of
    its norm. The finding's severity is the worst of its measurements' norm findings (``mild`` when none
    grades), and it is beyond the measurement uncertainty when every condition off the norm is. The
    sentence is the rule's, its placeholders filled with the values, followed by the intervention order
    the rule proposes, if any.
    """
    fired: list[tuple[Relation, Finding]] = []
    for rel in relations:
        hits = [comparisons.get(c.measurement) for c in rel.when]
        if not all(h is not None and h.status == c.side for h, c in zip(hits, rel.when, strict=True)):
            continue
        used = [measurements[c.measurement] for c in rel.when]
        sentence = rel.sentence.format(**{m.id: _Value(m.value or 0.0, m.unit.value) for m in used})
        graded = [_norm_finding(m, comparisons[m.id], rules) for m in used]
        severities = [f.severity for f in graded if f is not None]
        first = used[0]
        finding = Finding(
            id=rel.id,
            kind="relationship",
            zones=rel.zones,
            measurements=tuple(dict.fromkeys(m.id for m in used)),
            value=first.value,
            uncertainty=first.uncertainty,
            unit=first.unit.value,
            norm="",
            source=rel.source,
            deviation=None,
            severity=max(severities, key=_ORDER.index) if severities else "mild",
            beyond_uncertainty=all(
                comparisons[c.measurement].beyond_uncertainty for c in rel.when if c.side != "within"
            ),
            sentence=f"{sentence} {rel.intervention}" if rel.intervention else sentence,
            points=tuple(p for m in used for p in m.points),
        )
        fired.append((rel, finding))
    return fired
