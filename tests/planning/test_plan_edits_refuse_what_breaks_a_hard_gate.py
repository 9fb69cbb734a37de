"""An edit that breaks one of the engine's hard gates is refused with the gate's own sentence, and nothing
changes: one row per gate (precedence, rules between items, intervals, caps, lip guard, safety, evidence)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.planning.plan_edit_personas import IRIS, JADE, KIRA, OLGA, PIA, edit, planned
from tests.planning.planning_personas import LENA, NORA

#: persona, edit, the gate that refuses it, words its message must contain.
REFUSALS: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    (
        "lips_before_chin",
        LENA,
        {"kind": "move", "key": "ha_lips@after_ha_chin", "visit": 0},
        "precedence",
        "at least 14 days after chin projection",
    ),
    (
        "chin_dropped_under_the_lips",
        LENA,
        {"kind": "drop", "key": "ha_chin"},
        "requires",
        "needs chin projection with high-lift HA in the plan",
    ),
    (
        "filler_before_toxin_in_the_region",
        NORA,
        {"kind": "move", "key": "toxin_crows_feet", "visit": 3},
        "precedence",
        "Rule toxin_before_filler_same_region",
    ),
    (
        "cheek_dose_above_the_catalogue",
        NORA,
        {"kind": "dose", "key": "ha_cheek", "dose_low": 1, "dose_high": 4},
        "dose_range",
        "outside the 1-2 mL per visit",
    ),
    (
        "toxin_below_the_catalogue",
        NORA,
        {"kind": "dose", "key": "toxin_crows_feet", "dose_low": 10, "dose_high": 20},
        "dose_range",
        "outside the 16-24 U",
    ),
    (
        "lips_past_the_e_line",
        IRIS,
        {"kind": "dose", "key": "ha_lips", "dose_low": 0.5, "dose_high": 1.0},
        "lip_guard",
        "E-line guard: the lower lip sits 0.6 mm behind the E-line",
    ),
    (
        "lips_over_the_cumulative_cap",
        PIA,
        {"kind": "dose", "key": "ha_lips", "dose_low": 0.5, "dose_high": 1.0},
        "area_cap",
        "2.5 mL of earlier filler that may still be present",
    ),
    (
        "toxin_units_over_the_visit_cap",
        OLGA,
        {"kind": "move", "key": "toxin_masseter", "visit": 0},
        "visit_cap",
        "over the limit of 100 toxin units per visit",
    ),
    (
        "forehead_left_without_glabella",
        OLGA,
        {"kind": "drop", "key": "toxin_glabella"},
        "same_visit",
        "Rule forehead_with_glabella",
    ),
    (
        "two_midface_strategies",
        NORA,
        {"kind": "add", "key": "plla_course", "visit": 0},
        "exclusive",
        "Rule one_midface_volume_strategy",
    ),
    ("biostimulator_with_keloids", KIRA, {"kind": "add", "key": "plla_course", "visit": 0}, "excluded", "keloids"),
    (
        "biostimulator_by_product_swap",
        KIRA,
        {"kind": "product", "key": "ha_cheek", "treatment": "plla_course"},
        "excluded",
        "keloids",
    ),
    (
        "no_finding",
        LENA,
        {"kind": "add", "key": "ha_nasolabial", "visit": 0},
        "no_finding",
        "Nothing is planned without a supporting finding",
    ),
    ("the_last_item", JADE, {"kind": "drop", "key": "caha_jawline"}, "empty", "at least one item"),
    (
        "midface_dropped_under_the_lower_face",
        NORA,
        {"kind": "drop", "key": "ha_cheek"},
        "requires",
        "waits for cheek (midface) support with high-lift HA or poly-L-lactic acid course",
    ),
]


@pytest.mark.parametrize(("name", "persona", "op", "gate", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_it_refuses_the_edit_with_the_gates_sentence(
    name: str, persona: dict[str, Any], op: dict[str, Any], gate: str, words: str
) -> None:
    patient, doc = planned(persona)
    result = edit(patient, doc, **op)
    assert not result.applied and result.plan is None
    assert all(v.level == "hard" for v in result.violations)
    assert gate in {v.gate for v in result.violations}, result.violations
    assert words in " ".join(v.message for v in result.violations)
    assert result.sentence.startswith("Refused: ")


def test_a_broken_gate_is_named_once_even_when_two_checks_see_it() -> None:
    patient, doc = planned(PIA)
    result = edit(patient, doc, kind="dose", key="ha_lips", dose_low=0.5, dose_high=1.0)
    assert [v.gate for v in result.violations] == ["area_cap"]
