"""The rule table, row by row: each indication proposes its treatment on its evidence, with its sentence."""

from __future__ import annotations

import pytest

from facebalance.planning import FindingInput
from facebalance.planning.rules import Condition, Evidence, Indication, Relation, load_planning_rules
from facebalance.planning.scales import load_scales
from tests.planning.planning_personas import intake, plan_for

RULES = load_planning_rules()
SCALES = load_scales()


def evidence_for(conditions: tuple[Condition, ...]) -> tuple[dict[str, int], list[FindingInput]]:
    """Grades and findings that make exactly these conditions hold (concerns: :func:`concerns_for`)."""
    grades: dict[str, int] = {}
    findings = []
    for c in conditions:
        if c.finding is not None:
            findings.append(FindingInput(c.finding, "lower_face", "moderate", "clinician"))
        elif c.concern is not None:
            continue
        elif c.at_least is not None:
            grades[c.grade or ""] = c.at_least
        else:
            grades[c.grade or ""] = c.at_most or 0
    return grades, findings


def concerns_for(conditions: tuple[Condition, ...]) -> list[dict[str, str]]:
    """The intake concerns that make these concern conditions hold (an optional service serves a concern)."""
    return [{"area": c.concern} for c in conditions if c.concern is not None]


@pytest.mark.parametrize("row", RULES.indications, ids=lambda r: r.id)
def test_each_indication_proposes_its_treatment_on_its_first_piece_of_evidence(row: Indication) -> None:
    first = (*row.when_all, *row.when_any[:1])
    grades, findings = evidence_for(first)
    plan = plan_for(intake(grades=grades, concerns=concerns_for(first)), findings)
    considered = set(plan.treatments) | {o.treatment for o in plan.omissions}
    assert row.treatment in considered
    if row.treatment in plan.treatments:
        item = plan.item(row.treatment)
        assert row.id in item.rules and item.evidence and row.rationale in item.why


@pytest.mark.parametrize("row", RULES.indications, ids=lambda r: r.id)
def test_each_indication_stays_silent_without_evidence(row: Indication) -> None:
    assert row.matches(Evidence({}, {}, SCALES)) == ()


@pytest.mark.parametrize("row", [r for r in RULES.indications if r.unless_any], ids=lambda r: r.id)
def test_each_indication_with_an_exception_yields_to_it(row: Indication) -> None:
    grades, findings = evidence_for((*row.when_all, *row.when_any[:1]))
    grades.update(evidence_for(row.unless_any[:1])[0])
    concerns = frozenset(c["area"] for c in concerns_for((*row.when_all, *row.when_any[:1])))
    ev = Evidence({f.id: f for f in findings}, grades, SCALES, concerns)
    assert row.matches(ev) == ()


@pytest.mark.parametrize("row", [r for r in RULES.relations if r.kind == "suppress"], ids=lambda r: r.id)
def test_each_suppress_relation_removes_its_treatments_and_says_why(row: Relation) -> None:
    targets = [i for i in RULES.indications if i.treatment in row.treatments]
    grades, findings = evidence_for(tuple(c for i in targets for c in (*i.when_all, *i.when_any[:1])))
    more_grades, more_findings = evidence_for(row.when_any[:1])
    plan = plan_for(intake(grades={**grades, **more_grades}), [*findings, *more_findings])
    assert not set(row.treatments) & set(plan.treatments)
    suppressed = [o for o in plan.omissions if o.reason == "suppressed"]
    assert suppressed and all(row.sentence in o.sentence for o in suppressed)


def test_masseter_width_gets_masseter_toxin_not_jaw_filler() -> None:
    plan = plan_for(
        intake(grades={"jawline": 3}), [FindingInput("jaw_vs_cheekbones_wide_jaw", "lower_face", "moderate", "frontal")]
    )
    assert plan.treatments == ("toxin_masseter",)
    assert plan.omission("ha_jawline").reason == "suppressed"
    assert any("palpation" in f for f in plan.item("toxin_masseter").flags)


def test_a_dominant_nose_gets_chin_and_cheek_support_and_a_note_not_nasal_filler() -> None:
    plan = plan_for(intake(), [FindingInput("nose_vs_chin_dominant_nose", "midface", "moderate", "frontal")])
    assert plan.treatments == ("ha_cheek", "ha_chin")
    assert plan.item("ha_cheek").visit < plan.item("ha_chin").visit
    assert any(n.startswith("The nose is not treated") for n in plan.notes)


def test_forehead_toxin_brings_the_glabella_into_the_same_visit() -> None:
    plan = plan_for(intake(grades={"forehead_lines": 3}))
    assert plan.treatments == ("toxin_glabella", "toxin_forehead")
    assert plan.item("toxin_glabella").visit == plan.item("toxin_forehead").visit
    assert "forehead_with_glabella" in plan.item("toxin_glabella").rules


def test_lateral_brow_drop_gets_toxin_to_the_lateral_orbicularis() -> None:
    plan = plan_for(intake(), [FindingInput("lateral_brow_drop_left_mm_above", "upper_face", "mild", "frontal")])
    assert plan.treatments == ("toxin_lateral_brow",)
    assert plan.item("toxin_lateral_brow").dose_text == "2-5 U per side (4-10 U)"


def test_dao_pull_gets_dao_toxin() -> None:
    plan = plan_for(intake(), [FindingInput("dynamic.dao_pull_strong", "lower_face", "moderate", "dynamic")])
    assert plan.treatments == ("toxin_dao",)
    assert plan.item("toxin_dao").dose_text == "2-3 U per point (4-6 U)"


def test_significant_laxity_is_referred_for_a_surgical_opinion() -> None:
    plan = plan_for(intake(grades={"skin_laxity": 3, "jawline": 3}))
    assert [r.to for r in plan.referrals] == ["facial plastic surgeon"]
    assert "ha_jawline" not in plan.treatments


def test_a_severe_tear_trough_is_referred_not_filled() -> None:
    plan = plan_for(intake(grades={"tear_trough_barton": 3}))
    assert plan.status == "nothing_to_treat"
    assert [r.to for r in plan.referrals] == ["oculoplastic surgeon"]


def test_it_names_a_request_without_a_supporting_finding_and_plans_nothing_for_it() -> None:
    plan = plan_for(intake(requested_treatments=["ha_lips"], concerns=[{"area": "lips"}], grades={"lip_fullness": 3}))
    assert plan.status == "nothing_to_treat"
    omission = plan.omission("ha_lips")
    assert omission.reason == "no_finding" and "lip_fullness <= 1" in omission.sentence
