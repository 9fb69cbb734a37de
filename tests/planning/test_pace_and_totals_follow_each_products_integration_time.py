"""Pace and totals: filler volume is limited per visit (4 mL) and per plan (8 mL); a later step waits for the
earlier product's result (90 days after the last Sculptra session) and says "reassess before this step";
reversible HA is preferred along the jaw unless a clinician chooses calcium hydroxylapatite in writing."""

from __future__ import annotations

from typing import Any

from facebalance.planning import Plan
from tests.planning.planning_personas import intake, plan_for

#: Vera, 58: global volume loss, folds, marionettes, a retruded chin, thin lips, a narrow jaw and tear troughs:
#: the rules propose well over 12 mL of filler.
VERA: dict[str, Any] = {
    "patient": {"age_years": 58, "sex": "female"},
    "grades": {
        "midface_volume_deficit": 4,
        "temple_hollowing": 3,
        "marionette_lines": 3,
        "chin_retrusion": 3,
        "jawline": 3,
        "lip_fullness": 0,
        "nasolabial_folds": 5,
        "tear_trough_barton": 2,
    },
    "findings": [{"id": "jaw_vs_cheekbones_narrow_jaw", "severity": "moderate"}],
    "preferences": {"max_visits": 6},
}
#: Ines, 55: hollow temples and cheeks, prefers gradual change (a Sculptra course), with marionettes and a short chin.
INES: dict[str, Any] = {
    "patient": {"age_years": 55, "sex": "female"},
    "grades": {"midface_volume_deficit": 4, "temple_hollowing": 3, "marionette_lines": 3, "chin_retrusion": 2},
    "concerns": [{"area": "gaunt"}],
    "preferences": {"prefers_gradual": True, "max_visits": 5},
}
CAHA_CHOSEN = {
    "clinician": "Dr C. Ferreira",
    "reason": "HA along the jaw migrated twice; she wants the firmer product and consents to its permanence.",
    "treatment": "caha_jawline",
}


def filler_ml(plan: Plan, visit: int | None = None) -> float:
    return sum(i.dose_high for i in plan.items if i.modality in ("ha", "caha") and visit in (None, i.visit))


def test_no_visit_takes_more_than_4_ml_and_the_plan_no_more_than_8_ml_of_filler() -> None:
    plan = plan_for(intake(**VERA))
    assert max(filler_ml(plan, v.index) for v in plan.visits) <= 4.0
    assert filler_ml(plan) <= 8.0


def test_what_the_plan_volume_leaves_out_says_so() -> None:
    plan = plan_for(intake(**VERA))
    (capped,) = [o for o in plan.omissions if o.reason == "plan_caps"]
    assert "the plan's filler volume limit (8 mL of filler across the whole plan)" in capped.sentence


def test_lower_face_filler_waits_90_days_after_the_last_sculptra_session() -> None:
    plan = plan_for(intake(**INES))
    last_session = max(i.date for i in plan.items if i.modality == "plla")
    for item in (plan.item("ha_chin"), plan.item("ha_marionette")):
        assert (item.date - last_session).days >= 90
        (wait,) = item.reassess_before
        assert wait.on <= item.date
        assert wait.sentence.startswith("Reassess poly-L-lactic acid course")
        assert "(90 days after its last session)" in wait.sentence


def test_the_result_it_waits_for_shows_by_then_on_the_plans_own_timeline() -> None:
    plan = plan_for(intake(**INES))
    last_session = max((i for i in plan.items if i.modality == "plla"), key=lambda i: i.date)
    assert plan.item("ha_chin").date >= last_session.timeline.result_visible_on


def test_reversible_ha_is_chosen_along_the_jaw_and_calcium_hydroxylapatite_is_not_proposed() -> None:
    plan = plan_for(intake(grades={"jawline": 3}, findings=[{"id": "jaw_vs_cheekbones_narrow_jaw"}]))
    assert plan.treatments == ("ha_jawline",)
    caha = plan.omission("caha_jawline")
    assert caha.reason == "prefer_reversible"
    assert "Reversible HA is preferred along the jaw: HA can be dissolved" in caha.sentence
    assert "overrides.non_reversible_product" in caha.sentence


def test_a_clinician_may_choose_calcium_hydroxylapatite_in_writing_and_the_plan_records_it() -> None:
    plan = plan_for(
        intake(
            grades={"jawline": 3},
            findings=[{"id": "jaw_vs_cheekbones_narrow_jaw"}],
            overrides={"non_reversible_product": CAHA_CHOSEN},
        )
    )
    assert plan.treatments == ("caha_jawline",)
    assert any(CAHA_CHOSEN["reason"] in f for f in plan.item("caha_jawline").flags)
    assert [o.gate for o in plan.overrides] == ["non_reversible_product"]
    ha = plan.omission("ha_jawline")
    assert ha.reason == "exclusive" and "one product along the jaw" in ha.sentence


def test_no_explanation_speaks_of_points() -> None:
    for persona in (VERA, INES):
        for omission in plan_for(intake(**persona)).omissions:
            assert "points" not in omission.sentence and "worth more" not in omission.sentence, omission.sentence
