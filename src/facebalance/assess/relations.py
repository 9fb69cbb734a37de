"""Cross-view relations: measurements of several views of one session read together (pure).

The rules are rows of ``data/session_relations.toml`` (ids ``session.*``) in the findings engine's own format,
run by :func:`facebalance.findings.relation_findings`: no second engine. They read a **pool** of the session's
measurements: the frontal photo's, the profiles' and the obliques'. A measurement read on two views of the same
kind (both profiles, both obliques) enters the pool as their inverse-variance mean (:func:`pooled`), with the
views it came from; each is compared with its view's norm, or with the working limits of the rule file's
``[[norm]]`` rows where the view's norm set has none (the oblique silhouette's depths).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from facebalance.assess.result import SessionFinding
from facebalance.findings import (
    FindingRules,
    NormComparison,
    Relation,
    compare_to_norm,
    packaged_rule_file,
    relation_findings,
)
from facebalance.norms import Norm, NormSet, norm_set_from_table
from facebalance.provenance import packaged_table
from facebalance.zones.base import Measurement


@dataclass(frozen=True)
class ViewMeasurements:
    """One analysed view's measurements and their norm comparisons (as its engine made them)."""

    view_id: str
    measurements: Mapping[str, Measurement]
    comparisons: Mapping[str, NormComparison]


@dataclass(frozen=True)
class PooledMeasurement:
    """A measurement of the session's pool: the value (a mean over views of one kind) and its views."""

    measurement: Measurement
    norm: Norm | None
    views: tuple[str, ...]


@dataclass(frozen=True)
class SessionRelations:
    """The packaged cross-view rules and the working limits they compare the oblique depths with."""

    version: str
    relations: tuple[Relation, ...]
    limits: NormSet


@functools.lru_cache(maxsize=1)
def load_session_relations() -> SessionRelations:
    """``data/session_relations.toml``: its ``[[relation]]`` rows and its ``[[norm]]`` working limits."""
    rules = packaged_rule_file("facebalance.assess", "session_relations.toml")
    doc = packaged_table("facebalance.assess", "session_relations.toml")
    limits = norm_set_from_table(doc, origin="assess/data/session_relations.toml")
    return SessionRelations(rules.version, rules.relations, limits)


def pooled(measurements: Sequence[Measurement]) -> Measurement:
    """One measurement from the same quantity read on several views: the inverse-variance mean.

    A value without an uncertainty counts with the largest given one. The uncertainty is the mean's, widened
    by the Birge ratio when the views disagree beyond their uncertainties.

    >>> from facebalance.zones.base import Unit, Zone
    >>> a = Measurement("x_mm", Zone.PROFILE, 10.0, 1.0, Unit.MM, "x", ())
    >>> b = Measurement("x_mm", Zone.PROFILE, 12.0, 1.0, Unit.MM, "x", ())
    >>> m = pooled([a, b]); round(m.value, 3), round(m.uncertainty, 3)
    (11.0, 1.0)
    """
    measured = [m for m in measurements if m.value is not None]
    if len(measured) <= 1:
        return measured[0] if measured else measurements[0]
    largest = max((m.uncertainty or 0.0) for m in measured) or 1.0
    sigmas = [m.uncertainty if m.uncertainty else largest for m in measured]
    weights = [1.0 / s**2 for s in sigmas]
    values = [float(m.value) for m in measured if m.value is not None]
    mean = sum(w * v for w, v in zip(weights, values, strict=True)) / sum(weights)
    sigma = math.sqrt(1.0 / sum(weights))
    chi2 = sum(w * (v - mean) ** 2 for w, v in zip(weights, values, strict=True)) / (len(values) - 1)
    return replace(measured[0], value=mean, uncertainty=sigma * math.sqrt(max(1.0, chi2)))


def pool_measurements(
    views: Sequence[ViewMeasurements], limits: NormSet, *, sex: str | None, ethnicity: str | None
) -> dict[str, PooledMeasurement]:
    """Every measured id of the session's views, pooled over the views that read it (see the module docstring)."""
    by_id: dict[str, list[tuple[str, Measurement, Norm | None]]] = {}
    for v in views:
        for mid, m in v.measurements.items():
            c = v.comparisons.get(mid)
            by_id.setdefault(mid, []).append((v.view_id, m, c.norm if c is not None else None))
    out = {}
    for mid, rows in by_id.items():
        norm = next((n for _, _, n in rows if n is not None), None) or limits.select(mid, sex=sex, ethnicity=ethnicity)
        used = [(view, m) for view, m, _ in rows if m.value is not None] or [(rows[0][0], rows[0][1])]
        out[mid] = PooledMeasurement(pooled([m for _, m in used]), norm, tuple(view for view, _ in used))
    return out


def cross_view_findings(
    views: Sequence[ViewMeasurements],
    rules: FindingRules,
    *,
    sex: str | None = None,
    ethnicity: str | None = None,
    table: SessionRelations | None = None,
) -> list[SessionFinding]:
    """The cross-view rules that fire on the session's pooled measurements, each with the views it read.

    Parameters
    ----------
    views : sequence of ViewMeasurements
        The analysed views' measurements and comparisons.
    rules : FindingRules
        Severity bands (their own relations are not used).
    sex, ethnicity : str, optional
        Select the working limits' population.
    table : SessionRelations, optional
        The rules; the packaged ``data/session_relations.toml`` by default.
    """
    table = table or load_session_relations()
    pool = pool_measurements(views, table.limits, sex=sex, ethnicity=ethnicity)
    measurements = {mid: p.measurement for mid, p in pool.items()}
    comparisons = {mid: compare_to_norm(p.measurement, p.norm) for mid, p in pool.items()}
    out = []
    for rel, finding in relation_findings(table.relations, measurements, comparisons, rules):
        seen = tuple(dict.fromkeys(v for c in rel.when for v in pool[c.measurement].views))
        out.append(SessionFinding(finding, seen, rel.intervention))
    return out
