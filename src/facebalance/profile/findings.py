"""Profile-zone findings: norm deviations and the relationship rules the planner reads (pure).

Both come from the one findings engine (:mod:`facebalance.findings`): norm deviations with the packaged
severity bands, relationship rules from rows of ``data/profile_relations.toml`` read by the same loader as
the frontal rules. Each profile row names its conditions (a measurement on a side of its norm: ``above``,
``below`` or ``within``), the sentence the written plan shows and the **intervention order** it proposes,
e.g. "Chin support before more lip volume". The planner reads :attr:`ProfileFinding.intervention`; the
sentence and its source go into the report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from facebalance.errors import NormsError
from facebalance.findings import (
    Finding,
    FindingRules,
    NormComparison,
    Relation,
    RuleFile,
    derive_findings,
    load_finding_rules,
    packaged_rule_file,
    parse_rule_file,
    relation_findings,
)
from facebalance.findings.rules import SEVERITIES
from facebalance.norms import NormSet
from facebalance.zones.base import Measurement


@dataclass(frozen=True)
class ProfileFinding:
    """A proposed finding and, for relationship rules, the intervention order it suggests."""

    finding: Finding
    intervention: str = ""


def _profile_rules(rules: RuleFile) -> tuple[str, tuple[Relation, ...]]:
    for rel in rules.relations:
        if not rel.intervention:
            raise NormsError(
                f"Profile rule {rel.id!r} has no intervention.", hint="Every profile rule names the order it proposes."
            )
    return rules.version, rules.relations


@functools.lru_cache(maxsize=1)
def load_profile_relations() -> tuple[str, tuple[Relation, ...]]:
    """The packaged profile rules: ``(version, relations)``, parsed once per process."""
    return _profile_rules(packaged_rule_file("facebalance.profile", "profile_relations.toml"))


def parse_profile_relations(text: str) -> tuple[str, tuple[Relation, ...]]:
    """Parse and validate a profile rules document: every rule needs conditions, a sentence, an intervention
    and a source (the findings rule loader, :func:`facebalance.findings.parse_rule_file`)."""
    return _profile_rules(parse_rule_file(text))


def derive_profile_findings(
    measurements: dict[str, Measurement],
    comparisons: dict[str, NormComparison],
    norms: NormSet,
    *,
    relations: tuple[Relation, ...] | None = None,
    rules: FindingRules | None = None,
) -> list[ProfileFinding]:
    """Norm deviations of the profile measurements, then the relationship rules that fire.

    Parameters
    ----------
    measurements, comparisons : dict
        By measurement id; ``comparisons`` from :func:`facebalance.findings.engine.compare_to_norm`.
    norms : NormSet
    relations : tuple of Relation, optional
        Defaults to the packaged ``profile_relations.toml``.
    rules : FindingRules, optional
        Severity bands; defaults to the packaged findings rules (their frontal relations are not used).

    Returns
    -------
    list of ProfileFinding
        Sorted by severity (marked first), relationship findings after norm findings of the same severity.
    """
    base = rules or load_finding_rules()
    norm_findings = derive_findings(measurements, comparisons, norms, replace(base, relations=()))
    out = [ProfileFinding(f) for f in norm_findings]
    table = relations if relations is not None else load_profile_relations()[1]
    out.extend(
        ProfileFinding(f, intervention=rel.intervention)
        for rel, f in relation_findings(table, measurements, comparisons, base)
    )
    out.sort(key=lambda f: (-SEVERITIES.index(f.finding.severity), f.finding.kind != "norm", f.finding.id))
    return out
