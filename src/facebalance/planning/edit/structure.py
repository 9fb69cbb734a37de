"""The structure gates of an edited plan (hard): the rules between items and the order of dependent steps.

``requires`` (an item needs another in the plan), ``same_visit`` (given only together), ``forbids`` (a full
dose not together with the step that reduces it), ``exclusive`` (one of a set) and precedence (the later
step at a later visit), each refused with the rule's own sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

from facebalance.planning.edit.context import EditContext, because
from facebalance.planning.edit.model import Violation
from facebalance.planning.explain import lower_first
from facebalance.planning.solver import SolverProblem


def pairing_violations(visit_of: Mapping[str, int], problem: SolverProblem, ctx: EditContext) -> list[Violation]:
    """``requires``, ``same_visit`` and ``forbids`` pairs the plan breaks."""
    label, data = ctx.label, ctx.data
    out: list[Violation] = []
    same = {(p.a, p.b) for p in problem.same_visit}
    for p in problem.requires:
        if p.a in visit_of and not any(k in visit_of for k in problem.group_keys(p.b)) and (p.a, p.b) not in same:
            message = f"{label(p.a)} needs {lower_first(label(p.b))} in the plan.{because(p.rule, data)}"
            out.append(Violation("requires", "hard", message))
    for need in problem.requires_any:
        if need.a in visit_of and not any(k in visit_of for k in need.options):
            first = " or ".join(dict.fromkeys(lower_first(ctx.by_key[k].treatment.label) for k in need.options))
            message = (
                f"{label(need.a)} waits for {first}: it is planned only with it, never alone.{because(need.rule, data)}"
            )
            out.append(Violation("requires", "hard", message))
    for p in problem.same_visit:
        if p.a in visit_of and not any(visit_of.get(k) == visit_of[p.a] for k in problem.group_keys(p.b)):
            message = (
                f"{label(p.a)} is given only with {lower_first(label(p.b))} in the same visit.{because(p.rule, data)}"
            )
            out.append(Violation("same_visit", "hard", message))
    for p in problem.forbids:
        if p.a in visit_of and p.b in visit_of:
            message = (
                f"{label(p.b)} is not planned at its full dose together with {lower_first(label(p.a))}; drop "
                f"it and add it again for the reduced dose.{because(p.rule, data)}"
            )
            out.append(Violation("forbids", "hard", message))
    return out


def exclusive_violations(visit_of: Mapping[str, int], problem: SolverProblem, ctx: EditContext) -> list[Violation]:
    """Exclusive sets with more than one treatment planned."""
    out: list[Violation] = []
    for ex in problem.exclusive:
        chosen = [k for k in ex.keys if k in visit_of]
        if len({ctx.by_key[k].treatment.id for k in chosen}) > 1:
            names = " and ".join(lower_first(ctx.label(k)) for k in chosen)
            out.append(Violation("exclusive", "hard", f"Not both {names}.{because(ex.rule, ctx.data)}"))
    return out


def precedence_violations(visit_of: Mapping[str, int], problem: SolverProblem, ctx: EditContext) -> list[Violation]:
    """Dependent steps not at a later visit than the step they wait for."""
    label = ctx.label
    out: list[Violation] = []
    for link in problem.links:
        if link.before not in visit_of or link.after not in visit_of:
            continue
        vb, va = visit_of[link.before], visit_of[link.after]
        if va < vb or (va == vb and link.min_gap_days > 0):
            out.append(
                Violation(
                    "precedence",
                    "hard",
                    f"{label(link.after)} comes at least {link.min_gap_days} days after "
                    f"{lower_first(label(link.before))}: it would be at visit {va + 1} and "
                    f"{lower_first(label(link.before))} at visit {vb + 1}.{because(link.rule, ctx.data)}",
                )
            )
    return out


def structure_violations(visit_of: Mapping[str, int], problem: SolverProblem, ctx: EditContext) -> list[Violation]:
    """Every rule between items and every precedence the plan breaks, in that order."""
    return (
        pairing_violations(visit_of, problem, ctx)
        + exclusive_violations(visit_of, problem, ctx)
        + precedence_violations(visit_of, problem, ctx)
    )
