"""The limit gates of an edited plan: per-visit and cumulative area caps (hard), budget and visits (soft)."""

from __future__ import annotations

from collections.abc import Mapping

from facebalance.planning.candidates import FILLER_CENTI_ML
from facebalance.planning.edit.context import EditContext, PlanState
from facebalance.planning.edit.model import Violation
from facebalance.planning.solver import SolverProblem

_RESOURCE_LABELS = {"syringes": "filler syringes", "toxin_units": "toxin units", "plla_vials": "PLLA vials"}


def _amount(resource: str, n: int) -> str:
    """``'4.5 mL of filler'`` or ``'5 filler syringes'``: a resource amount in words (filler volume in mL)."""
    if resource == FILLER_CENTI_ML:
        return f"{n / 100:g} mL of filler"
    return f"{n} {_RESOURCE_LABELS.get(resource, resource)}"


def visit_cap_violations(visit_of: Mapping[str, int], problem: SolverProblem) -> list[Violation]:
    """Visits over a per-visit cap (filler syringes and volume, toxin units, PLLA vials)."""
    out: list[Violation] = []
    for v in sorted(set(visit_of.values())):
        used = {
            resource: sum(problem.item(k).usage.get(resource, 0) for k, x in visit_of.items() if x == v)
            for resource in problem.visit_caps
        }
        out += resource_cap_violations(
            f"Visit {v + 1}", used, problem.visit_caps, fix="Move an item to another visit or lower a dose."
        )
    return out


def resource_cap_violations(
    where: str, used: Mapping[str, int], caps: Mapping[str, int], *, fix: str
) -> list[Violation]:
    """``where`` (a visit, or a day's charted treatments) over a per-visit cap: one hard violation per resource."""
    return [
        Violation(
            "visit_cap",
            "hard",
            f"{where} would use {_amount(resource, used[resource])}, over the limit of {_amount(resource, cap)} "
            f"per visit. {fix}",
        )
        for resource, cap in caps.items()
        if used.get(resource, 0) > cap
    ]


def plan_cap_violations(visit_of: Mapping[str, int], problem: SolverProblem) -> list[Violation]:
    """The whole plan over a per-plan cap (filler volume across every visit and phase)."""
    out: list[Violation] = []
    for resource, cap in problem.plan_caps.items():
        used = sum(problem.item(k).usage.get(resource, 0) for k in visit_of)
        if used > cap:
            out.append(
                Violation(
                    "plan_cap",
                    "hard",
                    f"The plan would use {_amount(resource, used)}, over the limit of {_amount(resource, cap)} per "
                    "plan. Lower a dose or drop an item: more volume is a strategy to rethink with the patient.",
                )
            )
    return out


def area_cap_violations(
    visit_of: Mapping[str, int], problem: SolverProblem, ctx: EditContext, *, areas_refused: set[str]
) -> list[Violation]:
    """Areas whose cumulative cap (after the ledger) the planned filler passes.

    ``areas_refused``: areas whose cap a changed dose already breaks (said once, by the dose check)."""
    shaped = ctx.shaping.shaped
    assert shaped is not None
    out: list[Violation] = []
    for area, cap in problem.area_caps_centi.items():
        if area in areas_refused:
            continue
        planned = sum(problem.item(k).area_ml_centi for k in visit_of if problem.item(k).area == area)
        if planned > cap:
            a = ctx.data.catalog.areas[area]
            present = 0.0 if area in shaped.dissolving else shaped.ledger.present_ml(area)
            out.append(
                Violation(
                    "area_cap",
                    "hard",
                    f"The {a.label} would receive up to {planned / 100:g} mL; with {present:g} mL of earlier filler "
                    f"that may still be present, its cumulative cap of {a.cumulative_cap_ml or 0:g} mL leaves "
                    f"{cap / 100:g} mL (over-treatment guard).",
                )
            )
    return out


def preference_violations(state: PlanState, problem: SolverProblem, ctx: EditContext) -> list[Violation]:
    """Soft: over the patient's budget (on the chosen end of each price range) in a phase, more visits in a phase
    than the patient wants."""
    prefs = ctx.intake.preferences
    out: list[Violation] = []
    wanted = ctx.data.rules.limits.max_visits_for(prefs)
    phases = sorted({state.phase_of(v) for v in state.visit_of.values()})
    for phase in phases:
        where = f" in phase {phase + 1}" if len(phases) > 1 else ""
        keys = [k for k, v in state.visit_of.items() if state.phase_of(v) == phase]
        cost = sum(problem.item(k).cost for k in keys)
        if problem.budget is not None and cost > problem.budget:
            out.append(
                Violation(
                    "budget",
                    "soft",
                    f"Up to ${cost:,}{where} (the {prefs.budget_basis} end of each price range): over the "
                    f"patient's budget of ${problem.budget:,}.",
                )
            )
        n = len({state.visit_of[k] for k in keys})
        if n > wanted:
            out.append(Violation("visits", "soft", f"{n} visits{where}: more than the {wanted} the patient wants."))
    return out
