"""Applying one edit to the clinician's state: drop, add, change dose or product, move between visits.

Each kind changes which item is at which visit with which dose and says what it did; the gates are checked
afterwards on the whole new state (:mod:`facebalance.planning.edit.check`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from facebalance.planning.edit.context import (
    EditContext,
    PlanState,
    compact_phases,
    compact_visits,
    dose_text,
    dose_unit,
)
from facebalance.planning.edit.model import DOSE_TOLERANCE, EditKind, PlanEdit, PlanEditError, Violation
from facebalance.planning.explain import lower_first

#: What one kind of edit does to the draft it is given: its sentence, and the hard gates the request breaks.
Change = Callable[[PlanEdit, PlanState, EditContext, "Draft"], tuple[str, list[Violation]]]


@dataclass
class Draft:
    """The visits, doses and visit phases an edit is changing (in place)."""

    visit_of: dict[str, int]
    doses: dict[str, tuple[float, float]]
    phase_of: dict[int, int]


def addable_key(ctx: EditContext, keys: Sequence[str], planned: Mapping[str, int]) -> str:
    """Of a group's keys (dose variants), the one whose rules the current plan satisfies (else the first)."""
    for key in keys:
        needs = [p.b for p in ctx.problem.requires if p.a == key and p.b not in planned]
        blocked = [p for p in ctx.problem.forbids if key in (p.a, p.b) and ({p.a, p.b} - {key}) & set(planned)]
        if not needs and not blocked:
            return key
    return keys[0]


def candidate_keys(ctx: EditContext, key: str) -> list[str]:
    """The problem's keys a request names: a key, a group, or a treatment id (its first session)."""
    if key in ctx.by_key:
        return ctx.group_keys(ctx.by_key[key].group)
    keys = [k for k, c in ctx.by_key.items() if c.treatment.id == key and c.session <= 1]
    return ctx.group_keys(ctx.by_key[keys[0]].group) if keys else []


def not_a_candidate(ctx: EditContext, treatment: str) -> Violation:
    """Why a treatment the rules did not pass to the solver cannot be added (its omission, or no finding)."""
    shaped = ctx.shaping.shaped
    assert shaped is not None
    for o in shaped.omissions:
        if o.treatment == treatment:
            return Violation(o.reason, "hard", o.sentence)
    t = ctx.data.catalog.treatments.get(treatment)
    if t is None:
        raise PlanEditError(
            f"{treatment!r} is not a treatment of the catalogue.", hint="Choose one of the proposed candidates."
        )
    return Violation(
        "no_finding",
        "hard",
        f"{t.label}: no rule proposes it for this patient. Nothing is planned without a supporting finding; "
        "record the finding or grade in the assessment first.",
    )


def planned_visit(state: PlanState, key: str) -> int:
    if key not in state.visit_of:
        planned = ", ".join(state.visit_of)
        raise PlanEditError(f"{key!r} is not in the plan.", hint=f"Planned items: {planned}.")
    return state.visit_of[key]


def target_visit(state: PlanState, visit: int | None, draft: Draft) -> int:
    n = len(set(state.visit_of.values()))
    if visit is None or not 0 <= visit <= n:
        raise PlanEditError(
            f"There is no visit {visit if visit is None else visit + 1}.",
            hint=f"Choose visit 1-{n}, or {n + 1} for a new visit after the last.",
        )
    if visit < n:
        return visit
    # A new visit goes after the last one, whatever the numbering left by earlier edits, in the last phase.
    last = max(state.visit_of.values())
    draft.phase_of[last + 1] = draft.phase_of.get(last, 0)
    return last + 1


def same_visit_partners(ctx: EditContext, key: str, planned: Mapping[str, int]) -> list[str]:
    """Planned items tied to ``key`` by a same-visit rule, in either direction, transitively."""
    found = [key]
    for k in found:
        for p in ctx.problem.same_visit:
            for a, b in ((p.a, p.b), (p.b, p.a)):
                if a == k and b in planned and b not in found:
                    found.append(b)
    return found[1:]


def other_products(ctx: EditContext, key: str, planned: Mapping[str, int]) -> dict[str, list[str]]:
    """Other candidate treatments for the item's area (treatment id -> its keys), not planned already."""
    c = ctx.by_key[key]
    out: dict[str, list[str]] = {}
    for other in ctx.by_key.values():
        if other.area != c.area or other.treatment.id == c.treatment.id or other.session > 1:
            continue
        keys = ctx.group_keys(other.group)
        if not any(k in planned for k in keys):
            out.setdefault(other.treatment.id, keys)
    return out


def _drop(edit: PlanEdit, state: PlanState, ctx: EditContext, draft: Draft) -> tuple[str, list[Violation]]:
    visit_of, doses = draft.visit_of, draft.doses
    v = planned_visit(state, edit.key)
    refused = []
    if len(visit_of) == 1:
        refused.append(Violation("empty", "hard", "A plan keeps at least one item: to plan nothing, do not accept it."))
    del visit_of[edit.key], doses[edit.key]
    return f"Dropped {lower_first(ctx.label(edit.key))} (visit {v + 1}).", refused


def _add(edit: PlanEdit, state: PlanState, ctx: EditContext, draft: Draft) -> tuple[str, list[Violation]]:
    visit_of, doses = draft.visit_of, draft.doses
    keys = candidate_keys(ctx, edit.key)
    if not keys:
        return "", [not_a_candidate(ctx, edit.key)]
    if any(k in visit_of for k in keys):
        raise PlanEditError(f"{ctx.label(keys[0])} is already in the plan.", hint="Move it or change its dose.")
    visit = target_visit(state, edit.visit, draft)
    key = addable_key(ctx, keys, visit_of)
    visit_of[key] = visit
    doses[key] = (ctx.by_key[key].dose_low, ctx.by_key[key].dose_high)
    return f"Added {lower_first(ctx.label(key))} at visit {compact_visits(visit_of)[key] + 1}.", []


def _dose(edit: PlanEdit, state: PlanState, ctx: EditContext, draft: Draft) -> tuple[str, list[Violation]]:
    doses = draft.doses
    planned_visit(state, edit.key)
    assert edit.dose_low is not None and edit.dose_high is not None
    before = doses[edit.key]
    if math.isclose(before[0], edit.dose_low, abs_tol=DOSE_TOLERANCE) and math.isclose(
        before[1], edit.dose_high, abs_tol=DOSE_TOLERANCE
    ):
        raise PlanEditError(f"{ctx.label(edit.key)} is already at that dose.", hint="Choose another dose.")
    doses[edit.key] = (edit.dose_low, edit.dose_high)
    unit = dose_unit(ctx.by_key[edit.key], ctx.data)
    sentence = (
        f"Changed the dose of {lower_first(ctx.label(edit.key))} from {dose_text(*before, unit)} "
        f"to {dose_text(edit.dose_low, edit.dose_high, unit)}."
    )
    return sentence, []


def _product(edit: PlanEdit, state: PlanState, ctx: EditContext, draft: Draft) -> tuple[str, list[Violation]]:
    visit_of, doses = draft.visit_of, draft.doses
    v = planned_visit(state, edit.key)
    assert edit.treatment is not None
    alternatives = other_products(ctx, edit.key, visit_of)
    if edit.treatment not in alternatives:
        t = ctx.data.catalog.treatments.get(edit.treatment)
        if t is None or t.area != ctx.by_key[edit.key].area:
            raise PlanEditError(
                f"{edit.treatment!r} is not a product for the {ctx.by_key[edit.key].area.replace('_', ' ')}.",
                hint=f"Choose one of: {', '.join(alternatives) or 'none is proposed for this patient'}.",
            )
        return "", [not_a_candidate(ctx, edit.treatment)]
    key = addable_key(ctx, alternatives[edit.treatment], {k: x for k, x in visit_of.items() if k != edit.key})
    del visit_of[edit.key], doses[edit.key]
    visit_of[key] = v
    doses[key] = (ctx.by_key[key].dose_low, ctx.by_key[key].dose_high)
    return f"Changed {lower_first(ctx.label(edit.key))} at visit {v + 1} to {lower_first(ctx.label(key))}.", []


def _move(edit: PlanEdit, state: PlanState, ctx: EditContext, draft: Draft) -> tuple[str, list[Violation]]:
    visit_of = draft.visit_of
    v = planned_visit(state, edit.key)
    target = target_visit(state, edit.visit, draft)
    if target == v:
        raise PlanEditError(f"{ctx.label(edit.key)} is already at visit {v + 1}.", hint="Choose another visit.")
    partners = same_visit_partners(ctx, edit.key, visit_of)
    for k in (edit.key, *partners):
        visit_of[k] = target
    if compact_visits(visit_of) == state.visit_of:
        raise PlanEditError(
            f"{ctx.label(edit.key)} is alone in the last visit: a new visit after it changes nothing.",
            hint="Choose an earlier visit.",
        )
    with_ = f" with {', '.join(lower_first(ctx.label(k)) for k in partners)} (same-visit rule)" if partners else ""
    sentence = f"Moved {lower_first(ctx.label(edit.key))} from visit {v + 1} to visit "
    return sentence + f"{compact_visits(visit_of)[edit.key] + 1}{with_}.", []


_CHANGES: Mapping[EditKind, Change] = {"drop": _drop, "add": _add, "dose": _dose, "product": _product, "move": _move}


def apply_edit(edit: PlanEdit, state: PlanState, ctx: EditContext) -> tuple[PlanState, str, list[Violation]]:
    """The state after the edit, its sentence, and the hard gates the request itself breaks (when there are
    any, the state is not to be used)."""
    draft = Draft(dict(state.visit_of), dict(state.doses), dict(enumerate(state.visit_phases)))
    sentence, refused = _CHANGES[edit.kind](edit, state, ctx, draft)
    after = PlanState(
        compact_visits(draft.visit_of),
        draft.doses,
        (*state.notes, sentence),
        compact_phases(draft.visit_of, draft.phase_of),
    )
    return after, sentence, refused
