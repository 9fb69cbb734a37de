"""Findings: measurements judged against their norms, asymmetries against noticed thresholds, and
relationships between zones. Every finding is a *proposal* for the clinician to confirm.

One engine (:mod:`~facebalance.findings.engine`) and one rule-table loader
(:mod:`~facebalance.findings.rules`) serve the frontal and the profile views.
"""

from facebalance.findings.engine import (
    Finding,
    NormComparison,
    compare_to_norm,
    derive_findings,
    relation_findings,
)
from facebalance.findings.rules import (
    Condition,
    FindingRules,
    Relation,
    RuleFile,
    SeverityBands,
    load_finding_rules,
    packaged_rule_file,
    parse_rule_file,
)

__all__ = [
    "Condition",
    "Finding",
    "FindingRules",
    "NormComparison",
    "Relation",
    "RuleFile",
    "SeverityBands",
    "compare_to_norm",
    "derive_findings",
    "load_finding_rules",
    "packaged_rule_file",
    "parse_rule_file",
    "relation_findings",
]
