"""The dates of an edited plan: the CP-SAT model with every visit fixed must find dates for every interval.

Beyond the planning window is soft (flagged); no dates at all is hard (refused).
"""

from __future__ import annotations

from datetime import timedelta

from facebalance.planning.edit.context import EditContext, PlanState
from facebalance.planning.edit.model import Violation
from facebalance.planning.solver import Family, Schedule, SolverProblem, schedule_fixed

#: The date solve checks timing only; the other families are checked item by item, with clearer messages.
_DATES_ONLY: frozenset[Family] = frozenset({"budget", "visit_caps", "plan_caps", "area_caps", "exclusive"})


def timing_violations(state: PlanState, problem: SolverProblem, ctx: EditContext) -> tuple[Schedule, list[Violation]]:
    """The earliest dates that keep every interval (and the gap between phases); beyond the planning window is
    soft, no dates at all hard."""
    visit_of, phases = state.visit_of, state.visit_phases or None
    schedule = schedule_fixed(problem, visit_of, relax=_DATES_ONLY, visit_phases=phases)
    if schedule.status != "infeasible":
        return schedule, []
    relaxed = schedule_fixed(problem, visit_of, relax=_DATES_ONLY | {"timing"}, visit_phases=phases)
    if relaxed.status != "infeasible":
        last = ctx.intake.start_date + timedelta(days=relaxed.visit_days[-1])
        return relaxed, [
            Violation(
                "timing",
                "soft",
                f"The intervals between visits put the last visit on {last.isoformat()}, beyond the "
                f"{problem.horizon_days}-day planning window.",
            )
        ]
    toxins = sorted({v for k, v in visit_of.items() if problem.item(k).is_toxin})
    detail = (
        f" Toxin at visits {', '.join(str(v + 1) for v in toxins)} must be at least "
        f"{problem.toxin_min_interval_days} days apart."
        if len(toxins) > 1
        else ""
    )
    limits = ctx.data.rules.limits
    return schedule, [
        Violation(
            "timing",
            "hard",
            "No dates keep every interval of this schedule (visits at least "
            f"{problem.min_visit_gap_days} days apart, the waits between dependent steps, PLLA sessions "
            f"{limits.plla_session_gap_text} apart, toxin never sooner than {limits.toxin_min_interval_weeks:g} "
            f"weeks after the last).{detail}",
        )
    ]
