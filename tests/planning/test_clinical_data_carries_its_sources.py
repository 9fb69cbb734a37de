"""Every number in the planning data has a source and a review status; working numbers say who confirms them."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from facebalance.planning.catalog import load_catalog, parse_catalog
from facebalance.planning.errors import ClinicalDataError

FILES = (
    "catalog.toml",
    "prices_default.toml",
    "rules.toml",
    "scales.toml",
    "safety.toml",
    "vocabulary.toml",
    "findings.toml",
)
REVIEW = {"cited", "working", "clinic"}
WORKING_SAYS = "confirm"
CONDITION_KEYS = ("when_any", "when_all", "unless_any")


def load(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("facebalance.planning").joinpath(f"data/{name}").read_text("utf-8"))


def rows_with_numbers(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every table that holds a number (booleans aside), with its path."""
    out = []
    if isinstance(node, dict):
        if any(isinstance(v, int | float) and not isinstance(v, bool) for v in node.values()) or any(
            isinstance(v, list) and v and all(isinstance(x, int | float) for x in v) for v in node.values()
        ):
            out.append((path, node))
        for k, v in node.items():
            out += rows_with_numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for n, v in enumerate(node):
            out += rows_with_numbers(v, f"{path}[{n}]")
    return out


@pytest.mark.parametrize("name", FILES)
def test_every_table_with_a_number_has_a_source_and_review_status(name: str) -> None:
    for path, row in rows_with_numbers(load(name)):
        # A rule's conditions are covered by the rule row's own source.
        if path.endswith((".meta", ".when")) or ".item[" in path or any(f".{k}[" in path for k in CONDITION_KEYS):
            continue
        sources = [k for k in row if k.endswith("source")]
        assert sources, f"{name}{path} has numbers but no source"
        for key in sources:
            assert str(row[key]).strip(), f"{name}{path}.{key} is empty"
            review = row.get(key.replace("source", "review"), row.get("review"))
            assert review in REVIEW, f"{name}{path}.{key} has review {review!r}"


@pytest.mark.parametrize("name", FILES)
def test_every_working_number_asks_the_clinic_to_confirm_it(name: str) -> None:
    for path, row in rows_with_numbers(load(name)):
        for key in (k for k in row if k.endswith("review") and row[k] == "working"):
            source = str(row[key.replace("review", "source")])
            assert WORKING_SAYS in source or "facebalance working" in source or "working default" in source, (
                f"{name}{path}.{key.replace('review', 'source')} is working but does not say so: {source}"
            )


def test_the_catalogue_refuses_a_treatment_without_a_source() -> None:
    doc = load("catalog.toml")
    doc["treatment"][0]["source"] = ""
    with pytest.raises(ClinicalDataError, match="has no source"):
        parse_catalog(doc)


def test_the_issue_doses_and_durations_are_in_the_catalogue() -> None:
    t = load_catalog().treatments
    assert (t["toxin_lateral_brow"].dose_low, t["toxin_lateral_brow"].dose_high, t["toxin_lateral_brow"].per) == (
        2,
        5,
        "side",
    )
    assert (t["toxin_dao"].dose_low, t["toxin_dao"].dose_high, t["toxin_dao"].per) == (2, 3, "point")
    assert (t["toxin_masseter"].dose_low, t["toxin_masseter"].dose_high, t["toxin_masseter"].per) == (20, 40, "side")
    assert t["toxin_glabella"].total_dose == (20, 20)
    assert t["toxin_glabella"].durability_months == (3, 4) and t["plla_course"].durability_months == (24, 36)
    m = load_catalog().modalities
    assert m["ha"].reversible and not m["plla"].reversible and not m["toxin"].reversible
