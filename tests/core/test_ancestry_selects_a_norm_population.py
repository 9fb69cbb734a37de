"""An intake's self-reported ancestry selects the norm population a face is compared with."""

from __future__ import annotations

import pytest

from facebalance.norms import load_norm_set, load_populations


@pytest.mark.parametrize(
    ("ancestry", "population"),
    [
        ("White", "white"),
        ("African American", "african"),
        ("black", "african"),
        ("Mexican-American", "hispanic"),
        ("Latina", "hispanic"),
        ("Korean American", "east_asian"),
        ("Chinese", "east_asian"),
        ("Filipino", "southeast_asian"),
        ("Vietnamese", "southeast_asian"),
        ("Armenian", "middle_eastern"),
        ("Persian", "middle_eastern"),
        ("west_asian", "middle_eastern"),
        ("Indian", "south_asian"),
        ("east_asian", "east_asian"),
    ],
)
def test_an_ancestry_word_selects_its_population(ancestry: str, population: str) -> None:
    choice = load_populations().resolve(ancestry)
    assert (choice.population, choice.matched, choice.note) == (population, True, "")


@pytest.mark.parametrize("ancestry", ["East Asian / White", "Martian", "southeast-asian and hispanic"])
def test_a_mixed_or_unknown_ancestry_falls_back_to_the_default_saying_so(ancestry: str) -> None:
    choice = load_populations().resolve(ancestry)
    assert choice.population == load_populations().default and not choice.matched
    assert ancestry in choice.note


def test_no_ancestry_uses_the_default_without_a_note() -> None:
    choice = load_populations().resolve(None)
    assert (choice.population, choice.matched, choice.note) == (load_populations().default, False, "")


def test_every_population_and_the_default_carry_a_source_and_every_norm_population_exists() -> None:
    populations = load_populations()
    assert populations.default_provenance.source
    for population in populations.by_id.values():
        assert population.source.strip() and population.review in {"cited", "derived", "working"}
        assert population.ancestry
    for norm in load_norm_set().norms:
        assert norm.ethnicity == "any" or norm.ethnicity in populations.by_id, norm
