"""docs/planning.md names every finding id, grade, concern and data file the rules use."""

from __future__ import annotations

from pathlib import Path

import pytest

from facebalance.planning.rules import load_planning_rules
from facebalance.planning.safety import load_safety_rules
from facebalance.planning.scales import load_scales

DOCS = (Path(__file__).parents[2] / "docs/planning.md").read_text("utf-8")
RULES = load_planning_rules()
CONDITIONS = [
    c
    for row in (*RULES.indications, *RULES.relations, *RULES.referrals)
    for c in (*getattr(row, "when_any", ()), *getattr(row, "when_all", ()), *getattr(row, "unless_any", ()))
]


@pytest.mark.parametrize("finding", sorted({c.finding for c in CONDITIONS if c.finding}))
def test_every_finding_id_a_rule_reads_is_documented(finding: str) -> None:
    assert f"`{finding}`" in DOCS


@pytest.mark.parametrize("grade", sorted(load_scales()))
def test_every_grade_is_documented(grade: str) -> None:
    assert f"`{grade}`" in DOCS


@pytest.mark.parametrize("concern", sorted({a for row in RULES.indications for a in row.concerns} - {"gradual"}))
def test_every_concern_tag_is_documented(concern: str) -> None:
    assert f"`{concern}`" in DOCS


@pytest.mark.parametrize("expectation", sorted(load_safety_rules().expectations))
def test_every_expectation_id_is_documented(expectation: str) -> None:
    assert f"`{expectation}`" in DOCS


@pytest.mark.parametrize(
    "name",
    [
        "catalog.toml",
        "prices_default.toml",
        "rules.toml",
        "scales.toml",
        "safety.toml",
        "plan.schema.json",
        "example_intake.json",
    ],
)
def test_every_data_file_is_documented(name: str) -> None:
    assert f"`{name}`" in DOCS
