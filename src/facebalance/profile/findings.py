"""Profile-zone findings: norm deviations and the relationship rules the planner reads (pure).

Norm deviations reuse the frontal engine (:func:`facebalance.findings.engine.derive_findings` with the
packaged severity bands). Relationship rules are rows of ``data/profile_relations.toml``: each row names
the conditions (a measurement on a side of its norm: ``above``, ``below`` or ``within``), the sentence the
written plan shows and the **intervention order** it proposes, e.g. "Chin support before more lip volume".
The planner reads :attr:`ProfileFinding.intervention`; the sentence and its source go into the report.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from facebalance.errors import NormsError
from facebalance.findings import Finding, FindingRules, NormComparison, derive_findings, load_finding_rules
from facebalance.norms import NormSet
from facebalance.zones.base import Measurement, Zone

Side = Literal["above", "below", "within"]
_ORDER = ("mild", "moderate", "marked")


@dataclass(frozen=True)
class ProfileCondition:
    measurement: str
    side: Side


@dataclass(frozen=True)
class ProfileRelation:
    """One rule row: conditions, the plan sentence, the intervention order and the rule's basis."""

    id: str
    when: tuple[ProfileCondition, ...]
    sentence: str
    intervention: str
    source: str
    review: str


@dataclass(frozen=True)
class ProfileFinding:
    """A proposed finding and, for relationship rules, the intervention order it suggests."""

    finding: Finding
    intervention: str = ""


@functools.lru_cache(maxsize=1)
def load_profile_relations() -> tuple[str, tuple[ProfileRelation, ...]]:
    """The packaged profile rules: ``(version, relations)``, parsed once per process."""
    text = resources.files("facebalance.profile").joinpath("data/profile_relations.toml").read_text("utf-8")
    return parse_profile_relations(text)


def parse_profile_relations(text: str) -> tuple[str, tuple[ProfileRelation, ...]]:
    """Parse and validate a profile rules document (every rule needs conditions, a sentence and a source)."""
    doc = tomllib.loads(text)
    relations = []
    for e in doc.get("relation", []):
        rid = str(e.get("id", "?"))
        for key in ("when", "sentence", "intervention", "source"):
            if not e.get(key):
                raise NormsError(
                    f"Profile rule {rid!r} has no {key}.", hint="Every rule explains itself and cites its basis."
                )
        conditions = []
        for c in e["when"]:
            if c.get("side") not in ("above", "below", "within"):
                raise NormsError(f"Profile rule {rid!r}: side must be above, below or within.", hint="Fix the rule.")
            conditions.append(ProfileCondition(str(c["measurement"]), c["side"]))
        relations.append(
            ProfileRelation(
                rid,
                tuple(conditions),
                str(e["sentence"]),
                str(e["intervention"]),
                str(e["source"]),
                str(e.get("review", "working")),
            )
        )
    return str(doc.get("meta", {}).get("version", "unversioned")), tuple(relations)


def _fmt(m: Measurement) -> str:
    v = m.value or 0.0
    return f"{v:.2f}" if m.unit.value in ("ratio", "fraction") else f"{v:+.1f}" if m.unit.value == "mm" else f"{v:.0f}"


def derive_profile_findings(
    measurements: dict[str, Measurement],
    comparisons: dict[str, NormComparison],
    norms: NormSet,
    *,
    relations: tuple[ProfileRelation, ...] | None = None,
    rules: FindingRules | None = None,
) -> list[ProfileFinding]:
    """Norm deviations of the profile measurements, then the relationship rules that fire.

    Parameters
    ----------
    measurements, comparisons : dict
        By measurement id; ``comparisons`` from :func:`facebalance.findings.engine.compare_to_norm`.
    norms : NormSet
    relations : tuple of ProfileRelation, optional
        Defaults to the packaged ``profile_relations.toml``.
    rules : FindingRules, optional
        Severity bands; defaults to the packaged findings rules (their frontal relations are not used).

    Returns
    -------
    list of ProfileFinding
        Sorted by severity (marked first), relationship findings after norm findings of the same severity.
    """
    base = rules or load_finding_rules()
    bands_only = FindingRules(version=base.version, z=base.z, range=base.range, asymmetry=base.asymmetry, relations=())
    norm_findings = derive_findings(measurements, comparisons, norms, bands_only)
    by_measurement = {f.measurements[0]: f for f in norm_findings}
    out = [ProfileFinding(f) for f in norm_findings]
    for rel in relations if relations is not None else load_profile_relations()[1]:
        hits = [comparisons.get(c.measurement) for c in rel.when]
        if not all(h is not None and h.status == c.side for h, c in zip(hits, rel.when, strict=True)):
            continue
        used = [measurements[c.measurement] for c in rel.when]
        sentence = rel.sentence.format(**{m.id: _fmt(m) for m in used})
        severities = [by_measurement[m.id].severity for m in used if m.id in by_measurement]
        severity = max(severities, key=_ORDER.index) if severities else "mild"
        first = used[0]
        out.append(
            ProfileFinding(
                Finding(
                    id=rel.id,
                    kind="relationship",
                    zones=(Zone.PROFILE,),
                    measurements=tuple(m.id for m in used),
                    value=first.value,
                    uncertainty=first.uncertainty,
                    unit=first.unit.value,
                    norm="",
                    source=rel.source,
                    deviation=None,
                    severity=severity,
                    beyond_uncertainty=all(
                        comparisons[c.measurement].beyond_uncertainty for c in rel.when if c.side != "within"
                    ),
                    sentence=f"{sentence} {rel.intervention}",
                    points=tuple(p for m in used for p in m.points),
                ),
                intervention=rel.intervention,
            )
        )
    out.sort(key=lambda f: (-_ORDER.index(f.finding.severity), f.finding.kind != "norm", f.finding.id))
    return out
