"""Edit a proposed plan (drop, add, change dose or product, move between visits), re-checked and re-priced.

The clinician changes the engine's plan; the engine checks the change with its own gates and prices the
result again. An edit works on the plan document (schema ``facebalance.treatment_plan`` 1.0) together with
the inputs the plan was made from:

1. The candidates are shaped again (:func:`~facebalance.planning.engine.shape_candidates`: safety gate, rule
   rows, contraindications, over-treatment guard) and made into the solver's problem
   (:func:`~facebalance.planning.candidates.solver_problem`), exactly as for ``build_plan``; the plan's items
   are keys of that problem, so nothing can be added that the rules did not propose.
2. The edit changes the plan's state: which item is at which visit, with which dose.
3. Every gate is checked on the whole new state (:func:`check_state`).

   *Hard* gates refuse the edit: a dose outside the catalogue's range; the area caps and the lip guard
   (:func:`~facebalance.planning.candidates.apply_guards` on the new dose); the per-visit caps (filler
   syringes, toxin units, PLLA vials); the cumulative area caps after the ledger; the rules between items
   (requires, same visit, not together, exclusive sets); precedence (the later item at a later visit); and the
   dates: the CP-SAT model with every visit fixed (:func:`~facebalance.planning.solver.schedule_fixed`) must
   find dates for every interval (visits 14 days apart, precedence gaps, PLLA sessions 4-6 weeks apart, toxin
   never sooner than 12 weeks after the last toxin).

   *Soft* gates are flagged on the plan: the budget, more visits than the patient wants, dates beyond the
   planning window, and a dose above a rule's reduced dose (lips after the chin).
4. If no hard gate is newly broken the plan is assembled and priced again
   (:func:`~facebalance.planning.engine.assemble_plan`). Soft gates become ``caution`` flags ``edit_<gate>``,
   and every applied edit an ``info`` flag ``clinician_edit`` with its sentence, so the written plan says what
   the clinician changed. The result is a plan document of the same schema.

A state that was already broken before the edit (the rules changed since the plan was made) does not block
an edit that leaves it no worse: only hard violations the edit *introduces* refuse it.

Examples
--------
>>> from datetime import date
>>> from facebalance.planning import BddqAs, Intake, build_plan, plan_document
>>> intake = Intake(start_date=date(2026, 12, 1), grades={"chin_retrusion": 2, "glabellar_lines": 2},
...                 bddq_as=BddqAs(False, False, 1, 1, 1, 1, False))
>>> doc = plan_document(build_plan([], intake))
>>> result = edit_plan(doc, PlanEdit("drop", "toxin_glabella"), findings=[], intake=intake)
>>> result.applied, [i.key for i in result.plan.items]
(True, ['ha_chin'])
>>> result = edit_plan(doc, PlanEdit("dose", "ha_chin", dose_low=1.0, dose_high=3.0), findings=[], intake=intake)
>>> result.applied, result.violations[0].gate
(False, 'dose_range')
"""

from facebalance.planning.edit.check import check_state
from facebalance.planning.edit.context import dose_bounds
from facebalance.planning.edit.entry import edit_choices, edit_plan, plan_start
from facebalance.planning.edit.model import (
    EDIT_FLAG,
    AddChoice,
    EditChoices,
    EditResult,
    ItemChoice,
    PlanEdit,
    PlanEditError,
    Violation,
)

__all__ = [
    "EDIT_FLAG",
    "AddChoice",
    "EditChoices",
    "EditResult",
    "ItemChoice",
    "PlanEdit",
    "PlanEditError",
    "Violation",
    "check_state",
    "dose_bounds",
    "edit_choices",
    "edit_plan",
    "plan_start",
]
