"""Property: whatever the patient and whatever the clinician's edits, an applied edit never gives a plan that
breaks a precedence, interval, cap, lip or evidence rule (checked by the same independent checker as the
engine's own plans), and every soft gate it breaks (budget, visits) is flagged on the plan; and the engine's
own plan breaks none of the edit gates."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from facebalance.planning import Intake, plan_document
from facebalance.planning.edit import PlanEdit, PlanEditError, check_state, edit_choices, edit_plan
from tests.planning.planning_personas import plan_for
from tests.planning.test_no_plan_breaks_a_clinical_rule import broken_rules, patients

SOFT = {
    "too many visits": "edit_visits",
    "over budget": "edit_budget",
    "longer than the planning window": "edit_timing",
}


def _edits(document: dict[str, object], patient: Intake, data: st.DataObject) -> PlanEdit:
    choices = edit_choices(document, findings=[], intake=patient)
    options: list[PlanEdit] = []
    for item in choices.items:
        steps = round((item.dose_max - item.dose_min) / item.dose_step)
        lo, hi = sorted(data.draw(st.integers(0, steps + 1)) for _ in range(2))
        options += [
            PlanEdit("drop", item.key),
            PlanEdit("move", item.key, visit=data.draw(st.integers(0, choices.visits))),
            PlanEdit(
                "dose",
                item.key,
                dose_low=item.dose_min + lo * item.dose_step,
                dose_high=item.dose_min + hi * item.dose_step,
            ),
            *(PlanEdit("product", item.key, treatment=t) for t, _ in item.products),
        ]
    options += [PlanEdit("add", a.key, visit=data.draw(st.integers(0, choices.visits))) for a in choices.additions]
    return data.draw(st.sampled_from(options))


@settings(max_examples=60)
@given(patients(), st.data())
def test_no_applied_edit_breaks_a_hard_rule_and_every_soft_one_is_flagged(patient: Intake, data: st.DataObject) -> None:
    plan = plan_for(patient, explain=False)
    if plan.status != "proposed":
        return
    document = plan_document(plan)
    # The edit gates and the solver agree: the engine's own plan breaks none of them.
    assert check_state(document, findings=[], intake=patient) == ()
    for _ in range(4):
        edit = _edits(document, patient, data)
        try:
            result = edit_plan(document, edit, findings=[], intake=patient)
        except PlanEditError:
            continue
        if not result.applied:
            assert result.violations and all(v.level == "hard" for v in result.violations)
            continue
        assert result.plan is not None
        broken = broken_rules(result.plan, patient)
        assert [b for b in broken if not b.startswith(tuple(SOFT))] == [], (edit, result.sentence)
        flags = {f.id for f in result.plan.flags}
        for b in broken:
            assert SOFT[next(s for s in SOFT if b.startswith(s))] in flags, (b, flags)
        document = plan_document(result.plan)
