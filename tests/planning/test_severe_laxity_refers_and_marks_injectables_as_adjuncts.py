"""Severe laxity: the surgical referral says what injectables can and cannot do, the cheek and marionette filler
still offered are marked as adjuncts to the surgical opinion (priced for information), and every omission
gives its true reason (the jawline is left out for laxity, not for want of a finding)."""

from __future__ import annotations

from typing import Any

from facebalance.planning import plan_document
from tests.planning.planning_personas import intake, plan_for

#: Ruth, 63: lax skin (grade 3 of 0-4), flat cheeks, marionette lines, a lost jawline; worried about her jowls.
RUTH: dict[str, Any] = {
    "patient": {"age_years": 63, "sex": "female"},
    "concerns": [{"area": "jowls", "text": "my jowls"}, {"area": "jawline"}],
    "grades": {"skin_laxity": 3, "midface_volume_deficit": 3, "marionette_lines": 3, "jawline": 3},
}


def test_it_refers_for_a_surgical_opinion_saying_what_injectables_can_and_cannot_do() -> None:
    (referral,) = plan_for(intake(**RUTH)).referrals
    assert referral.to == "facial plastic surgeon"
    assert referral.can.startswith("Restore volume the face has lost")
    assert "Lift sagging skin" in referral.cannot and "jawline filler does not restore a jawline" in referral.cannot


def test_the_filler_still_offered_is_marked_as_an_adjunct_with_the_caveat() -> None:
    plan = plan_for(intake(**RUTH))
    assert set(plan.treatments) == {"ha_cheek", "ha_marionette"}
    for item in plan.items:
        assert item.role == "adjunct"
        assert any(
            f.startswith("Adjunct to the surgical opinion: it restores volume but does not lift") for f in item.flags
        )
    assert plan.pricing is not None
    assert any(n.startswith("Adjuncts to the surgical opinion, priced for information") for n in plan.pricing.notes)
    assert {i["role"] for i in plan_document(plan)["items"]} == {"adjunct"}


def test_the_jawline_is_left_out_for_the_laxity_and_the_jowls_concern_is_answered_with_that_reason() -> None:
    plan = plan_for(intake(**RUTH))
    jaw = plan.omission("ha_jawline")
    assert jaw.reason == "suppressed"
    assert "skin laxity of grade 3 or more" in jaw.sentence and "grade 3 of 0-4 (marked)" in jaw.sentence
    for concern in ("concern:jowls", "concern:jawline"):
        answer = plan.omission(concern)
        assert answer.reason == "suppressed" and "sagging skin" in answer.sentence
        assert "no supporting finding" not in answer.sentence


def test_without_laxity_the_same_items_are_treatments_not_adjuncts() -> None:
    plan = plan_for(intake(**{**RUTH, "grades": {**RUTH["grades"], "skin_laxity": 1}}))
    assert {i.role for i in plan.items if i.modality == "ha"} == {"treatment"} and plan.referrals == ()
    assert "ha_jawline" in plan.treatments
