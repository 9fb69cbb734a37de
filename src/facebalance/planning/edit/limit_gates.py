"""The limit gates of an edited plan: per-visit and cumulative area caps (hard), budget and visits (soft)."""

from __future__ import annotations

from collections.abc import Mapping

from facebalance.planning.edit.context import EditContext
from facebalance.planning.edit.model import Violation
from facebalance.planning.solver import SolverProblem

_RESOURCE_LABELS = {"syringes": "filler syringes", "toxin_units": "toxin units", "plla_vials": "PLLA vials"}


def visit_cap_violations(visit_of: Mapping[str, int], problem: SolverProblem) -> list[Violation]:
    """Visits over a per-visit cap (filler syringes, toxin units, PLLA vials)."""
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
            f"{where} would use {used[resource]} {_RESOURCE_LABELS.get(resource, resource)}, over the limit of "
            f"{cap} per visit. {fix}",
        )
        for resource, cap in caps.items()
        if used.get(resource, 0) > cap
    ]


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


def preference_violations(visit_of: Mapping[str, int], problem: SolverProblem, ctx: EditContext) -> list[Violation]:
    """Soft: over the patient's budget (on the chosen end of each price range), more visits than wanted."""
    prefs = ctx.intake.preferences
    out: list[Violation] = []
    cost = sum(problem.item(k).cost for k in visit_of)
    if problem.budget is not None and cost > problem.budget:
        out.append(
            Violation(
                "budget",
                "soft",
                f"Up to ${cost:,} (the {prefs.budget_basis} end of each price range): over the "
                f"patient's budget of ${problem.budget:,}.",
            )
        )
    n, wanted = len(set(visit_of.values())), ctx.data.rules.limits.max_visits_for(prefs)
    if n > wanted:
        out.append(Violation("visits", "soft", f"{n} visits: more than the {wanted} the patient wants."))
    return out
