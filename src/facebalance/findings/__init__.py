"""Findings: measurements judged against their norms, asymmetries against noticed thresholds, and
relationships between zones. Every finding is a *proposal* for the clinician to confirm."""

from facebalance.findings.engine import (
    Finding,
    FindingRules,
    NormComparison,
    Relation,
    compare_to_norm,
    derive_findings,
    load_finding_rules,
)

__all__ = [
    "Finding",
    "FindingRules",
    "NormComparison",
    "Relation",
    "compare_to_norm",
    "derive_findings",
    "load_finding_rules",
]
