"""HA persists for years: the ledger keeps counting it after its label duration, and the area cap uses it."""

from __future__ import annotations

from datetime import date
from typing import Any

from facebalance.planning import PriorTreatment
from facebalance.planning.ledger import filler_ledger
from tests.planning.planning_personas import intake, plan_for

LIPS_EVERY_YEAR: list[dict[str, Any]] = [
    {"date": d, "modality": "ha", "area": "lips", "amount": 1.0, "satisfied": True}
    for d in ("2023-11-01", "2024-11-01", "2025-11-01")
]


def test_it_counts_lip_filler_from_three_years_ago_as_still_present() -> None:
    history = [PriorTreatment(date.fromisoformat(str(r["date"])), "ha", "lips", 1.0) for r in LIPS_EVERY_YEAR]
    ledger = filler_ledger(history, on=date(2026, 12, 1), persistence_years=5, label_months={"lips": 12})
    assert ledger.present_ml("lips") == 3.0
    assert ledger.areas["lips"].label_expired_ml == 3.0


def test_it_forgets_filler_only_once_it_is_dissolved_or_past_the_persistence_window() -> None:
    history = [
        PriorTreatment(date(2019, 1, 1), "ha", "lips", 1.0),
        PriorTreatment(date(2024, 1, 1), "ha", "lips", 1.0),
        PriorTreatment(date(2024, 6, 1), "hyaluronidase", "lips", 0.0),
        PriorTreatment(date(2025, 1, 1), "ha", "lips", 0.5),
    ]
    assert filler_ledger(history, on=date(2026, 12, 1), persistence_years=5).present_ml("lips") == 0.5


def test_it_plans_no_more_lip_filler_once_the_cumulative_cap_is_reached() -> None:
    plan = plan_for(intake(grades={"lip_fullness": 1}, history=LIPS_EVERY_YEAR))
    assert plan.status == "nothing_to_treat"
    omission = plan.omission("ha_lips")
    assert omission.reason == "cap"
    assert "3 mL of earlier filler may still be in the lips" in omission.sentence
    assert "HA persists for years" in omission.sentence


def test_it_trims_the_dose_to_what_the_cap_leaves() -> None:
    plan = plan_for(intake(grades={"lip_fullness": 1}, history=LIPS_EVERY_YEAR[1:]))
    lips = plan.item("ha_lips")
    assert (lips.dose_low, lips.dose_high) == (0.5, 1.0)
    plan = plan_for(
        intake(grades={"lip_fullness": 1}, history=[*LIPS_EVERY_YEAR[1:], {**LIPS_EVERY_YEAR[0], "amount": 0.5}])
    )
    lips = plan.item("ha_lips")
    assert (lips.dose_low, lips.dose_high) == (0.5, 0.5)
    assert any("Dose limited to 0.5 mL by the lips cap" in f for f in lips.flags)
