"""Every gate on a whole plan state: the dose gates of changed items, the structure, the limits, the dates."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from facebalance.planning.candidates import Candidate, solver_item
from facebalance.planning.content import PlanningData
from facebalance.planning.documents import PlanDocument
from facebalance.planning.edit.context import EditContext, PlanState, read_context, read_state
from facebalance.planning.edit.dose_gates import dose_violations
from facebalance.planning.edit.limit_gates import (
    area_cap_violations,
    plan_cap_violations,
    preference_violations,
    visit_cap_violations,
)
from facebalance.planning.edit.model import DOSE_TOLERANCE, Violation
from facebalance.planning.edit.structure import structure_violations
from facebalance.planning.edit.timing import timing_violations
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.solver import Schedule, SolverProblem


@dataclass
class Checked:
    """The gates a state breaks, with the problem and candidates at its doses and its dates (when any)."""

    violations: list[Violation]
    problem: SolverProblem
    by_key: dict[str, Candidate]
    schedule: Schedule | None


@dataclass
class _Doses:
    by_key: dict[str, Candidate]
    violations: list[Violation]
    changed: set[str]
    areas_refused: set[str]


def _changed_doses(state: PlanState, ctx: EditContext) -> _Doses:
    """The candidates at the state's doses, the dose gates they break, the items whose dose changed and the
    areas a changed dose already refuses."""
    by_key = dict(ctx.by_key)
    violations: list[Violation] = []
    changed: set[str] = set()
    areas_refused: set[str] = set()
    for key, (low, high) in state.doses.items():
        c = ctx.by_key[key]
        if math.isclose(low, c.dose_low, abs_tol=DOSE_TOLERANCE) and math.isclose(
            high, c.dose_high, abs_tol=DOSE_TOLERANCE
        ):
            continue
        by_key[key], found = dose_violations(key, low, high, ctx)
        violations += found
        changed.add(key)
        if any(v.gate == "area_cap" for v in found):
            areas_refused.add(c.area)
    return _Doses(by_key, violations, changed, areas_refused)


def check(state: PlanState, ctx: EditContext) -> Checked:
    """Every gate the state breaks; the dates are solved only when no hard gate is broken."""
    doses = _changed_doses(state, ctx)
    by_key, violations = doses.by_key, doses.violations
    problem = replace(
        ctx.problem,
        items=tuple(
            solver_item(by_key[i.key], ctx.intake, ctx.data) if i.key in doses.changed else i for i in ctx.problem.items
        ),
    )
    visit_of = state.visit_of
    violations += structure_violations(visit_of, problem, ctx)
    violations += visit_cap_violations(visit_of, problem)
    violations += plan_cap_violations(visit_of, problem)
    violations += area_cap_violations(visit_of, problem, ctx, areas_refused=doses.areas_refused)
    violations += preference_violations(state, problem, ctx)
    if any(v.level == "hard" for v in violations):
        return Checked(violations, problem, by_key, None)
    schedule, timing = timing_violations(state, problem, ctx)
    violations += timing
    return Checked(violations, problem, by_key, None if schedule.status == "infeasible" else schedule)


def check_state(
    document: PlanDocument,
    *,
    findings: Sequence[FindingInput],
    intake: Intake,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
) -> tuple[Violation, ...]:
    """Every gate the plan document breaks as it stands (``()`` for a plan as the engine made it)."""
    ctx = read_context(document, findings, intake, measurements, data)
    return tuple(check(read_state(ctx), ctx).violations)
