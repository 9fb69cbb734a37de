"""The entry points of plan editing: apply one edit (:func:`edit_plan`), list what may change
(:func:`edit_choices`), and the plan's clock (:func:`plan_start`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from facebalance.planning.content import PlanningData
from facebalance.planning.documents import PlanDocument
from facebalance.planning.edit.changes import apply_edit, other_products
from facebalance.planning.edit.check import Checked, check
from facebalance.planning.edit.context import EditContext, dose_bounds, dose_unit, read_context, read_state
from facebalance.planning.edit.model import (
    EDIT_FLAG,
    AddChoice,
    EditChoices,
    EditResult,
    ItemChoice,
    PlanEdit,
    PlanEditError,
)
from facebalance.planning.engine import SEX_MISMATCH, assemble_plan
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.plan import Flag, Omission, Plan


def _omissions(ctx: EditContext, checked: Checked, visit_of: Mapping[str, int]) -> list[Omission]:
    """The engine's omissions of what is still left out (a dropped item is said by its edit flag instead)."""
    planned = set(visit_of) | {checked.by_key[k].treatment.id for k in visit_of}
    return [
        Omission(o["treatment"], o["label"], o["reason"], o["sentence"], o.get("rule", ""))
        for o in ctx.document.get("omissions", [])
        if o["treatment"] not in planned
    ]


def _date_shifts(document: PlanDocument, plan: Plan) -> str:
    """A sentence naming the visits whose date the edit moved (intervals can push later visits)."""
    before = [v.get("date") for v in document.get("visits", [])]
    moved = [
        f"visit {v.index + 1} now on {v.date.isoformat()}"
        for v in plan.visits
        if v.index < len(before) and before[v.index] != v.date.isoformat()
    ]
    return f" Dates kept every interval: {', '.join(moved)}." if moved else ""


def edit_plan(
    document: PlanDocument,
    edit: PlanEdit,
    *,
    findings: Sequence[FindingInput],
    intake: Intake,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
) -> EditResult:
    """Apply one edit to a proposed plan, re-check every gate and price the result.

    Parameters
    ----------
    document : mapping
        The plan document (``plan_document``) being edited, as the engine made it or after earlier edits.
    edit : PlanEdit
        The change.
    findings, intake, measurements, data
        The inputs the plan was made from (as for ``build_plan``); ``intake.start_date`` must be the plan's.

    Returns
    -------
    EditResult
        Applied, with the new plan and the soft gates it breaks (also flagged on the plan); or refused, with the
        hard gates the edit would break and no plan.

    Raises
    ------
    PlanEditError
        When the request itself is wrong: the plan is not editable, the item is not in it, no such visit.
    """
    ctx = read_context(document, findings, intake, measurements, data)
    before = read_state(ctx)
    after, sentence, refused = apply_edit(edit, before, ctx)
    if refused:
        return EditResult(False, "Refused: " + refused[0].message, tuple(refused), None)
    checked = check(after, ctx)
    known = {v.message for v in check(before, ctx).violations if v.level == "hard"}
    hard = [v for v in checked.violations if v.level == "hard" and v.message not in known]
    if hard or checked.schedule is None:
        hard = hard or [v for v in checked.violations if v.level == "hard"]
        return EditResult(False, "Refused: " + hard[0].message, tuple(hard), None)
    soft = [v for v in checked.violations if v.level == "soft"]
    # A flag only the engine's first run could raise (it knew the assessment's sex) stays on the plan.
    flags = [
        Flag(f["id"], f["level"], f["sentence"], f["source"])
        for f in ctx.document.get("flags", [])
        if f.get("id") == SEX_MISMATCH
    ]
    flags += [Flag(f"edit_{v.gate}", "caution", v.message) for v in soft]
    flags += [Flag(EDIT_FLAG, "info", note) for note in after.notes]
    plan = assemble_plan(
        ctx.shaping,
        checked.problem,
        checked.by_key,
        checked.schedule,
        _omissions(ctx, checked, after.visit_of),
        extra_flags=flags,
    )
    assert plan.pricing is not None
    told = f"{sentence} Total now {plan.pricing.total.text()}." + _date_shifts(ctx.document, plan)
    if soft:
        told += " Flagged: " + " ".join(v.message for v in soft)
    return EditResult(True, told, tuple(soft), plan)


def edit_choices(
    document: PlanDocument,
    *,
    findings: Sequence[FindingInput],
    intake: Intake,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
) -> EditChoices:
    """What the clinician may change on the plan: per item the dose range and other products, the candidates
    that may be added (with the engine's reason for leaving each out), and the number of visits."""
    ctx = read_context(document, findings, intake, measurements, data)
    state = read_state(ctx)
    reasons = {o["treatment"]: o["sentence"] for o in document.get("omissions", [])}
    items = []
    for key, visit in sorted(state.visit_of.items(), key=lambda kv: kv[1]):
        c = ctx.by_key[key]
        unit = dose_unit(c, ctx.data)
        low, high = state.doses[key]
        products = tuple((tid, ctx.label(keys[0])) for tid, keys in other_products(ctx, key, state.visit_of).items())
        items.append(
            ItemChoice(
                key,
                c.label,
                visit,
                low,
                high,
                *dose_bounds(c),
                ctx.data.rules.doses.step_for(unit),
                unit,
                products,
            )
        )
    additions = []
    seen: set[str] = set()
    for item in ctx.problem.items:
        keys = ctx.group_keys(item.group)
        if item.group in seen or any(k in state.visit_of for k in keys):
            continue
        seen.add(item.group)
        c = ctx.by_key[keys[0]]
        if c.session > 1 and f"{c.treatment.id}#{c.session - 1}" not in state.visit_of:
            continue  # a later PLLA session is offered once the one before it is planned
        reason = reasons.get(c.key) or reasons.get(c.treatment.id, "")
        additions.append(AddChoice(c.group, c.label, reason))
    return EditChoices(tuple(items), tuple(additions), len(set(state.visit_of.values())))


def plan_start(document: PlanDocument) -> date:
    """The plan's start date (the planner's clock, which an edit's intake must share)."""
    try:
        return date.fromisoformat(str(document["start_date"]))
    except (KeyError, ValueError):
        raise PlanEditError("The plan has no start date.", hint="Generate a new plan.") from None
