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

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from facebalance.planning.candidates import (
    AreaLimit,
    Candidate,
    apply_guards,
    area_limit,
    solver_item,
    solver_problem,
)
from facebalance.planning.content import PlanningData
from facebalance.planning.engine import Shaping, assemble_plan, shape_candidates
from facebalance.planning.errors import PlanningError
from facebalance.planning.explain import lower_first
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.plan import PLAN_SCHEMA, Flag, Omission, Plan
from facebalance.planning.solver import Family, Schedule, SolverProblem, schedule_fixed

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

EditKind = Literal["drop", "add", "dose", "product", "move"]
Level = Literal["hard", "soft"]
EDIT_KINDS: tuple[EditKind, ...] = ("drop", "add", "dose", "product", "move")
#: Flag id of each applied edit's sentence on the edited plan.
EDIT_FLAG = "clinician_edit"
#: The date solve checks timing only; the other families are checked item by item, with clearer messages.
_DATES_ONLY: frozenset[Family] = frozenset({"budget", "visit_caps", "area_caps", "exclusive"})
_RESOURCE_LABELS = {"syringes": "filler syringes", "toxin_units": "toxin units", "plla_vials": "PLLA vials"}
#: Doses are compared to a thousandth of a unit (float arithmetic on 0.1 mL steps).
_DOSE_TOLERANCE = 1e-3


class PlanEditError(PlanningError):
    """The edit request itself is wrong: an unknown item, a visit that does not exist, a plan not editable."""

    code = "plan_edit"


@dataclass(frozen=True)
class PlanEdit:
    """One change to a plan.

    ``kind`` and what it reads:

    * ``drop``: ``key`` (a planned item's key);
    * ``add``: ``key`` (a candidate's key or treatment id, from :func:`edit_choices`), ``visit``;
    * ``dose``: ``key``, ``dose_low`` and ``dose_high`` (the visit total in the item's unit: U, mL, vials);
    * ``product``: ``key``, ``treatment`` (another candidate treatment for the same area);
    * ``move``: ``key``, ``visit``.

    ``visit`` is 0-based; the number of visits means a new visit after the last.
    """

    kind: EditKind
    key: str
    visit: int | None = None
    dose_low: float | None = None
    dose_high: float | None = None
    treatment: str | None = None

    @classmethod
    def parse(cls, doc: Mapping[str, Any]) -> PlanEdit:
        """An edit from its JSON form (``{"kind": "move", "key": "ha_lips", "visit": 1}``), checked."""
        kind = doc.get("kind")
        if kind not in EDIT_KINDS:
            raise PlanEditError(f"Unknown edit {kind!r}.", hint=f"Use one of: {', '.join(EDIT_KINDS)}.")
        key = doc.get("key")
        if not isinstance(key, str) or not key:
            raise PlanEditError("The edit names no item.", hint="Give the item's key.")
        visit = doc.get("visit")
        if kind in ("add", "move") and (isinstance(visit, bool) or not isinstance(visit, int) or visit < 0):
            raise PlanEditError(f"{kind} needs the visit to put the item in.", hint="Give visit as 0, 1, ...")
        doses: tuple[float | None, float | None] = (None, None)
        if kind == "dose":
            low, high = doc.get("dose_low"), doc.get("dose_high")
            numbers = []
            for name, value in (("dose_low", low), ("dose_high", low if high is None else high)):
                if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                    raise PlanEditError(f"The new dose needs a number for {name}.", hint="e.g. 1.5")
                numbers.append(float(value))
            doses = (numbers[0], numbers[1])
        treatment = doc.get("treatment")
        if kind == "product" and (not isinstance(treatment, str) or not treatment):
            raise PlanEditError("A change of product names the new treatment.", hint="Give treatment.")
        return cls(
            kind,
            key,
            visit if kind in ("add", "move") else None,
            doses[0],
            doses[1],
            treatment if kind == "product" else None,
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "key": self.key}
        for name in ("visit", "dose_low", "dose_high", "treatment"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


@dataclass(frozen=True)
class Violation:
    """A gate the edited plan breaks: ``hard`` refuses the edit, ``soft`` is flagged on the plan."""

    gate: str
    level: Level
    message: str


@dataclass(frozen=True)
class EditResult:
    """What an edit did: the new plan (``None`` when refused), its sentence and the gates it touched.

    Refused: ``violations`` are the hard gates the edit would break. Applied: the soft gates the new plan breaks
    (also flagged on it).
    """

    applied: bool
    sentence: str
    violations: tuple[Violation, ...]
    plan: Plan | None


@dataclass(frozen=True)
class ItemChoice:
    """What may be changed on one planned item: the catalogue's dose range and the other products."""

    key: str
    label: str
    visit: int
    dose_low: float
    dose_high: float
    dose_min: float
    dose_max: float
    dose_step: float
    unit: str
    products: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AddChoice:
    """A candidate the rules proposed that is not in the plan, with the engine's reason for leaving it out."""

    key: str
    label: str
    reason: str


@dataclass(frozen=True)
class EditChoices:
    items: tuple[ItemChoice, ...]
    additions: tuple[AddChoice, ...]
    visits: int


@dataclass(frozen=True)
class _State:
    """The clinician's plan: each item's visit (0-based, contiguous) and dose range, and the edits so far."""

    visit_of: Mapping[str, int]
    doses: Mapping[str, tuple[float, float]]
    notes: tuple[str, ...]


@dataclass
class _Context:
    shaping: Shaping
    problem: SolverProblem
    by_key: dict[str, Candidate]
    document: Mapping[str, Any]

    @property
    def data(self) -> PlanningData:
        return self.shaping.data

    @property
    def intake(self) -> Intake:
        return self.shaping.intake

    def label(self, key: str) -> str:
        return self.by_key[key].label if key in self.by_key else key


# --- reading the plan --------------------------------------------------------------------------------


def _context(
    document: Mapping[str, Any],
    findings: Sequence[FindingInput],
    intake: Intake,
    measurements: Mapping[str, float] | None,
    data: PlanningData | None,
) -> _Context:
    if document.get("schema") != PLAN_SCHEMA:
        raise PlanEditError("This is not a treatment plan document.", hint=f"Expected schema {PLAN_SCHEMA}.")
    if document.get("status") != "proposed":
        raise PlanEditError(
            f"Only a proposed plan can be edited (this one is {document.get('status')!r}).",
            hint="A plan that refers, defers or has nothing to treat has no items to change.",
        )
    if document.get("start_date") != intake.start_date.isoformat():
        raise PlanEditError(
            f"The plan starts on {document.get('start_date')} but the intake on {intake.start_date.isoformat()}.",
            hint="Edit a plan with the intake it was made from (same start date).",
        )
    shaping = shape_candidates(findings, intake, measurements=measurements, data=data)
    shaped = shaping.shaped
    if shaping.refused is not None or shaped is None or not shaped.candidates:
        summary = shaping.refused.summary if shaping.refused is not None else "no treatment is proposed"
        raise PlanEditError(
            f"The plan's inputs no longer give a plan: {summary}", hint="Generate a new plan from the assessment."
        )
    problem, by_key = solver_problem(shaped.candidates, intake, shaped.ledger, shaped.dissolving, shaping.data)
    return _Context(shaping, problem, dict(by_key), document)


def _state(ctx: _Context) -> _State:
    visit_of: dict[str, int] = {}
    doses: dict[str, tuple[float, float]] = {}
    for item in ctx.document.get("items", []):
        key = item.get("key")
        if key not in ctx.by_key:
            raise PlanEditError(
                f"The plan has an item {key!r} that its inputs no longer propose.",
                hint="Generate a new plan from the assessment.",
            )
        visit_of[key] = int(item["visit"])
        doses[key] = (float(item["dose"]["low"]), float(item["dose"]["high"]))
    if not visit_of:
        raise PlanEditError("The plan has no items to edit.", hint="Generate a new plan from the assessment.")
    notes = tuple(f["sentence"] for f in ctx.document.get("flags", []) if f.get("id") == EDIT_FLAG)
    return _State(_compact(visit_of), doses, notes)


def _compact(visit_of: Mapping[str, int]) -> dict[str, int]:
    """Renumber the visits in order without gaps (a visit left empty by an edit disappears)."""
    order = {v: n for n, v in enumerate(sorted(set(visit_of.values())))}
    return {k: order[v] for k, v in visit_of.items()}


def _dose_text(lo: float, hi: float, unit: str) -> str:
    return f"{lo:g} {unit}" if math.isclose(lo, hi) else f"{lo:g}-{hi:g} {unit}"


def _unit(c: Candidate, data: PlanningData) -> str:
    return "mL" if c.treatment.modality in ("ha", "caha") else data.catalog.modality_of(c.treatment).unit


def _rule_sentence(rule: str, data: PlanningData) -> str:
    sentences = (
        {s.id: s.sentence for s in data.rules.sequences}
        | {r.id: r.sentence for r in data.rules.relations}
        | {"plla_sessions": "PLLA sessions are 4-6 weeks apart, each after the one before."}
    )
    return sentences.get(rule, "")


def _because(rule: str, data: PlanningData) -> str:
    """`` Rule ID: its sentence.``, to follow a sentence that ends with a full stop."""
    sentence = _rule_sentence(rule, data).strip()
    return f" Rule {rule}: {sentence}" if sentence else f" (Rule {rule}.)"


def dose_bounds(c: Candidate) -> tuple[float, float]:
    """The doses a clinician may choose for a candidate: the catalogue's range per visit, reaching down to a
    rule's reduced dose (lips after the chin at half the dose)."""
    low, high = c.treatment.total_dose
    return min(low, c.dose_low), high


# --- applying one edit ---------------------------------------------------------------------------------


def _group_keys(ctx: _Context, group: str) -> list[str]:
    return [i.key for i in ctx.problem.items if i.group == group]


def _addable_key(ctx: _Context, keys: Sequence[str], planned: Mapping[str, int]) -> str:
    """Of a group's keys (dose variants), the one whose rules the current plan satisfies (else the first)."""
    for key in keys:
        needs = [p.b for p in ctx.problem.requires if p.a == key and p.b not in planned]
        blocked = [p for p in ctx.problem.forbids if key in (p.a, p.b) and ({p.a, p.b} - {key}) & set(planned)]
        if not needs and not blocked:
            return key
    return keys[0]


def _candidate_keys(ctx: _Context, key: str) -> list[str]:
    """The problem's keys a request names: a key, a group, or a treatment id (its first session)."""
    if key in ctx.by_key:
        return _group_keys(ctx, ctx.by_key[key].group)
    keys = [k for k, c in ctx.by_key.items() if c.treatment.id == key and c.session <= 1]
    return _group_keys(ctx, ctx.by_key[keys[0]].group) if keys else []


def _not_a_candidate(ctx: _Context, treatment: str) -> Violation:
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


def _planned_item(state: _State, key: str) -> int:
    if key not in state.visit_of:
        planned = ", ".join(state.visit_of)
        raise PlanEditError(f"{key!r} is not in the plan.", hint=f"Planned items: {planned}.")
    return state.visit_of[key]


def _target_visit(state: _State, visit: int | None) -> int:
    n = len(set(state.visit_of.values()))
    if visit is None or not 0 <= visit <= n:
        raise PlanEditError(
            f"There is no visit {visit if visit is None else visit + 1}.",
            hint=f"Choose visit 1-{n}, or {n + 1} for a new visit after the last.",
        )
    # A new visit goes after the last one, whatever the numbering left by earlier edits.
    return visit if visit < n else max(state.visit_of.values()) + 1


def _same_visit_partners(ctx: _Context, key: str, planned: Mapping[str, int]) -> list[str]:
    """Planned items tied to ``key`` by a same-visit rule, in either direction, transitively."""
    found = [key]
    for k in found:
        for p in ctx.problem.same_visit:
            for a, b in ((p.a, p.b), (p.b, p.a)):
                if a == k and b in planned and b not in found:
                    found.append(b)
    return found[1:]


def _apply(edit: PlanEdit, state: _State, ctx: _Context) -> tuple[_State, str, list[Violation]]:
    """The state after the edit, its sentence, and the hard gates the request itself breaks."""
    visit_of, doses = dict(state.visit_of), dict(state.doses)
    refused: list[Violation] = []
    if edit.kind == "drop":
        v = _planned_item(state, edit.key)
        if len(visit_of) == 1:
            refused.append(
                Violation("empty", "hard", "A plan keeps at least one item: to plan nothing, do not accept it.")
            )
        del visit_of[edit.key], doses[edit.key]
        sentence = f"Dropped {lower_first(ctx.label(edit.key))} (visit {v + 1})."
    elif edit.kind == "add":
        keys = _candidate_keys(ctx, edit.key)
        if not keys:
            return state, "", [_not_a_candidate(ctx, edit.key)]
        if any(k in visit_of for k in keys):
            raise PlanEditError(f"{ctx.label(keys[0])} is already in the plan.", hint="Move it or change its dose.")
        visit = _target_visit(state, edit.visit)
        key = _addable_key(ctx, keys, visit_of)
        visit_of[key] = visit
        doses[key] = (ctx.by_key[key].dose_low, ctx.by_key[key].dose_high)
        sentence = f"Added {lower_first(ctx.label(key))} at visit {_compact(visit_of)[key] + 1}."
    elif edit.kind == "dose":
        _planned_item(state, edit.key)
        assert edit.dose_low is not None and edit.dose_high is not None
        before = doses[edit.key]
        if math.isclose(before[0], edit.dose_low, abs_tol=_DOSE_TOLERANCE) and math.isclose(
            before[1], edit.dose_high, abs_tol=_DOSE_TOLERANCE
        ):
            raise PlanEditError(f"{ctx.label(edit.key)} is already at that dose.", hint="Choose another dose.")
        doses[edit.key] = (edit.dose_low, edit.dose_high)
        unit = _unit(ctx.by_key[edit.key], ctx.data)
        sentence = (
            f"Changed the dose of {lower_first(ctx.label(edit.key))} from {_dose_text(*before, unit)} "
            f"to {_dose_text(edit.dose_low, edit.dose_high, unit)}."
        )
    elif edit.kind == "product":
        v = _planned_item(state, edit.key)
        assert edit.treatment is not None
        alternatives = _products(ctx, edit.key, visit_of)
        if edit.treatment not in alternatives:
            t = ctx.data.catalog.treatments.get(edit.treatment)
            if t is None or t.area != ctx.by_key[edit.key].area:
                raise PlanEditError(
                    f"{edit.treatment!r} is not a product for the {ctx.by_key[edit.key].area.replace('_', ' ')}.",
                    hint=f"Choose one of: {', '.join(alternatives) or 'none is proposed for this patient'}.",
                )
            return state, "", [_not_a_candidate(ctx, edit.treatment)]
        key = _addable_key(ctx, alternatives[edit.treatment], {k: x for k, x in visit_of.items() if k != edit.key})
        del visit_of[edit.key], doses[edit.key]
        visit_of[key] = v
        doses[key] = (ctx.by_key[key].dose_low, ctx.by_key[key].dose_high)
        sentence = f"Changed {lower_first(ctx.label(edit.key))} at visit {v + 1} to {lower_first(ctx.label(key))}."
    else:
        v = _planned_item(state, edit.key)
        target = _target_visit(state, edit.visit)
        if target == v:
            raise PlanEditError(f"{ctx.label(edit.key)} is already at visit {v + 1}.", hint="Choose another visit.")
        partners = _same_visit_partners(ctx, edit.key, visit_of)
        for k in (edit.key, *partners):
            visit_of[k] = target
        if _compact(visit_of) == state.visit_of:
            raise PlanEditError(
                f"{ctx.label(edit.key)} is alone in the last visit: a new visit after it changes nothing.",
                hint="Choose an earlier visit.",
            )
        with_ = f" with {', '.join(lower_first(ctx.label(k)) for k in partners)} (same-visit rule)" if partners else ""
        sentence = f"Moved {lower_first(ctx.label(edit.key))} from visit {v + 1} to visit "
        sentence += f"{_compact(visit_of)[edit.key] + 1}{with_}."
    return _State(_compact(visit_of), doses, (*state.notes, sentence)), sentence, refused


def _products(ctx: _Context, key: str, planned: Mapping[str, int]) -> dict[str, list[str]]:
    """Other candidate treatments for the item's area (treatment id -> its keys), not planned already."""
    c = ctx.by_key[key]
    out: dict[str, list[str]] = {}
    for other in ctx.by_key.values():
        if other.area != c.area or other.treatment.id == c.treatment.id or other.session > 1:
            continue
        keys = _group_keys(ctx, other.group)
        if not any(k in planned for k in keys):
            out.setdefault(other.treatment.id, keys)
    return out


# --- checking a state ------------------------------------------------------------------------------------


@dataclass
class _Checked:
    violations: list[Violation]
    problem: SolverProblem
    by_key: dict[str, Candidate]
    schedule: Schedule | None


def _guarded(c: Candidate, ctx: _Context, low: float, high: float) -> tuple[Candidate, list[str]]:
    """The candidate at a dose through the engine's own guard (trimmed, with its sentences as flags), and the
    guard's sentence when it would drop the item."""
    shaped = ctx.shaping.shaped
    assert shaped is not None
    probe = replace(c, dose_low=low, dose_high=high, flags=[], rules=list(c.rules), evidence=list(c.evidence))
    out = apply_guards({c.key: probe}, ctx.intake, ctx.shaping.measurements, shaped.ledger, shaped.dissolving, ctx.data)
    return probe, [o.sentence for o in out]


def _area_cap_message(c: Candidate, low: float, high: float, limit: AreaLimit, ctx: _Context) -> str:
    a = ctx.data.catalog.areas[c.area]
    caps = []
    if a.visit_cap_ml is not None:
        caps.append(f"{a.visit_cap_ml:g} mL per visit")
    if a.cumulative_cap_ml is not None:
        caps.append(
            f"{a.cumulative_cap_ml:g} mL in all, with {limit.present_ml:g} mL of earlier filler that may still be "
            "present (HA persists for years after its label duration)"
        )
    return (
        f"{c.label}: {_dose_text(low, high, 'mL')} is more than the {a.label} may receive: at most "
        f"{limit.ceiling_ml:g} mL ({'; '.join(caps)}). Over-treatment guard."
    )


def _dose_violations(key: str, low: float, high: float, ctx: _Context) -> tuple[Candidate, list[Violation]]:
    """The item at its new dose, and the dose gates: catalogue range, area caps and lip guard, reduced dose."""
    c = ctx.by_key[key]
    t = c.treatment
    unit = _unit(c, ctx.data)
    cat_lo, cat_hi = dose_bounds(c)
    if low <= 0 or low > high or low < cat_lo - _DOSE_TOLERANCE or high > cat_hi + _DOSE_TOLERANCE:
        message = (
            f"{c.label}: {_dose_text(low, high, unit)} is outside the {_dose_text(cat_lo, cat_hi, unit)} per visit "
            f"allowed for it (catalogue: {t.source})."
        )
        return c, [Violation("dose_range", "hard", message)]
    out: list[Violation] = []
    if t.modality in ("ha", "caha"):
        shaped = ctx.shaping.shaped
        assert shaped is not None
        limit = area_limit(c, shaped.ledger, shaped.dissolving, ctx.data)
        # The engine ran the guard at the catalogue dose; its sentences give way to the guard's at the new dose.
        engine_run, _ = _guarded(c, ctx, *t.total_dose)
        probe, dropped = _guarded(c, ctx, low, high)
        if high > limit.ceiling_ml + _DOSE_TOLERANCE:
            out.append(Violation("area_cap", "hard", _area_cap_message(c, low, high, limit, ctx)))
        elif dropped:
            out.append(Violation("lip_guard", "hard", dropped[0]))
        elif probe.dose_high < high - _DOSE_TOLERANCE:
            why = " ".join(f for f in probe.flags if f.startswith(("E-line guard: the", "Lip ratio guard: with")))
            out.append(
                Violation(
                    "lip_guard",
                    "hard",
                    f"{c.label}: {_dose_text(low, high, unit)} is more than the lip guard allows "
                    f"({probe.dose_high:g} {unit}). {why}".strip(),
                )
            )
        kept = [f for f in c.flags if f not in engine_run.flags]
        c = replace(probe, flags=kept + probe.flags, dose_low=low, dose_high=high)
    else:
        c = replace(c, dose_low=low, dose_high=high, flags=list(c.flags))
    base = ctx.by_key[key]
    if base.key != base.group and base.session == 0 and high > base.dose_high + _DOSE_TOLERANCE:
        rule = base.rules[-1]
        out.append(
            Violation(
                "reduced_dose",
                "soft",
                f"{base.label}: {_dose_text(low, high, unit)} is more than the {base.dose_high:g} {unit} planned "
                f"after the earlier step.{_because(rule, ctx.data)}",
            )
        )
    return c, out


def _structure_violations(
    visit_of: Mapping[str, int], problem: SolverProblem, ctx: _Context, *, areas_refused: set[str]
) -> list[Violation]:
    """Rules between items, precedence, per-visit caps, area caps, budget and visits on a fixed schedule.

    ``areas_refused``: areas whose cap a changed dose already breaks (said once, by the dose check)."""
    data, intake = ctx.data, ctx.intake
    label = ctx.label
    out: list[Violation] = []
    same = {(p.a, p.b) for p in problem.same_visit}
    for p in problem.requires:
        if p.a in visit_of and p.b not in visit_of and (p.a, p.b) not in same:
            out.append(
                Violation(
                    "requires",
                    "hard",
                    f"{label(p.a)} needs {lower_first(label(p.b))} in the plan.{_because(p.rule, data)}",
                )
            )
    for p in problem.same_visit:
        if p.a in visit_of and visit_of.get(p.b) != visit_of[p.a]:
            out.append(
                Violation(
                    "same_visit",
                    "hard",
                    f"{label(p.a)} is given only with {lower_first(label(p.b))} in the same visit."
                    f"{_because(p.rule, data)}",
                )
            )
    for p in problem.forbids:
        if p.a in visit_of and p.b in visit_of:
            out.append(
                Violation(
                    "forbids",
                    "hard",
                    f"{label(p.b)} is not planned at its full dose together with {lower_first(label(p.a))}; drop "
                    f"it and add it again for the reduced dose.{_because(p.rule, data)}",
                )
            )
    for ex in problem.exclusive:
        chosen = [k for k in ex.keys if k in visit_of]
        if len({ctx.by_key[k].treatment.id for k in chosen}) > 1:
            names = " and ".join(lower_first(label(k)) for k in chosen)
            out.append(Violation("exclusive", "hard", f"Not both {names}.{_because(ex.rule, data)}"))
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
                    f"{lower_first(label(link.before))} at visit {vb + 1}.{_because(link.rule, data)}",
                )
            )
    for v in sorted(set(visit_of.values())):
        for resource, cap in problem.visit_caps.items():
            used = sum(problem.item(k).usage.get(resource, 0) for k, x in visit_of.items() if x == v)
            if used > cap:
                out.append(
                    Violation(
                        "visit_cap",
                        "hard",
                        f"Visit {v + 1} would use {used} {_RESOURCE_LABELS.get(resource, resource)}, over the limit of "
                        f"{cap} per visit. Move an item to another visit or lower a dose.",
                    )
                )
    shaped = ctx.shaping.shaped
    assert shaped is not None
    for area, cap in problem.area_caps_centi.items():
        if area in areas_refused:
            continue
        planned = sum(problem.item(k).area_ml_centi for k in visit_of if problem.item(k).area == area)
        if planned > cap:
            a = data.catalog.areas[area]
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
    cost = sum(problem.item(k).cost for k in visit_of)
    if problem.budget is not None and cost > problem.budget:
        out.append(
            Violation(
                "budget",
                "soft",
                f"Up to ${cost:,} (the {intake.preferences.budget_basis} end of each price range): over the "
                f"patient's budget of ${problem.budget:,}.",
            )
        )
    n = len(set(visit_of.values()))
    if n > intake.preferences.max_visits:
        out.append(
            Violation("visits", "soft", f"{n} visits: more than the {intake.preferences.max_visits} the patient wants.")
        )
    return out


def _timing(visit_of: Mapping[str, int], problem: SolverProblem, ctx: _Context) -> tuple[Schedule, list[Violation]]:
    """The earliest dates that keep every interval; beyond the planning window is soft, no dates at all hard."""
    schedule = schedule_fixed(problem, visit_of, relax=_DATES_ONLY)
    if schedule.status != "infeasible":
        return schedule, []
    relaxed = schedule_fixed(problem, visit_of, relax=_DATES_ONLY | {"timing"})
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
    return schedule, [
        Violation(
            "timing",
            "hard",
            "No dates keep every interval of this schedule (visits at least "
            f"{problem.min_visit_gap_days} days apart, the waits between dependent steps, PLLA sessions 4-6 weeks "
            f"apart, toxin never sooner than 12 weeks after the last).{detail}",
        )
    ]


def _check(state: _State, ctx: _Context) -> _Checked:
    by_key = dict(ctx.by_key)
    violations: list[Violation] = []
    changed: set[str] = set()
    areas_refused: set[str] = set()
    for key, (low, high) in state.doses.items():
        c = ctx.by_key[key]
        if math.isclose(low, c.dose_low, abs_tol=_DOSE_TOLERANCE) and math.isclose(
            high, c.dose_high, abs_tol=_DOSE_TOLERANCE
        ):
            continue
        by_key[key], found = _dose_violations(key, low, high, ctx)
        violations += found
        changed.add(key)
        if any(v.gate == "area_cap" for v in found):
            areas_refused.add(c.area)
    problem = replace(
        ctx.problem,
        items=tuple(
            solver_item(by_key[i.key], ctx.intake, ctx.data) if i.key in changed else i for i in ctx.problem.items
        ),
    )
    violations += _structure_violations(state.visit_of, problem, ctx, areas_refused=areas_refused)
    if any(v.level == "hard" for v in violations):
        return _Checked(violations, problem, by_key, None)
    schedule, timing = _timing(state.visit_of, problem, ctx)
    violations += timing
    return _Checked(violations, problem, by_key, None if schedule.status == "infeasible" else schedule)


def check_state(
    document: Mapping[str, Any],
    *,
    findings: Sequence[FindingInput],
    intake: Intake,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
) -> tuple[Violation, ...]:
    """Every gate the plan document breaks as it stands (``()`` for a plan as the engine made it)."""
    ctx = _context(document, findings, intake, measurements, data)
    return tuple(_check(_state(ctx), ctx).violations)


# --- the entry points --------------------------------------------------------------------------------------


def _omissions(ctx: _Context, checked: _Checked, visit_of: Mapping[str, int]) -> list[Omission]:
    """The engine's omissions of what is still left out (a dropped item is said by its edit flag instead)."""
    planned = set(visit_of) | {checked.by_key[k].treatment.id for k in visit_of}
    return [
        Omission(o["treatment"], o["label"], o["reason"], o["sentence"])
        for o in ctx.document.get("omissions", [])
        if o["treatment"] not in planned
    ]


def _date_shifts(document: Mapping[str, Any], plan: Plan) -> str:
    """A sentence naming the visits whose date the edit moved (intervals can push later visits)."""
    before = [v.get("date") for v in document.get("visits", [])]
    moved = [
        f"visit {v.index + 1} now on {v.date.isoformat()}"
        for v in plan.visits
        if v.index < len(before) and before[v.index] != v.date.isoformat()
    ]
    return f" Dates kept every interval: {', '.join(moved)}." if moved else ""


def edit_plan(
    document: Mapping[str, Any],
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
    ctx = _context(document, findings, intake, measurements, data)
    before = _state(ctx)
    after, sentence, refused = _apply(edit, before, ctx)
    if refused:
        return EditResult(False, "Refused: " + refused[0].message, tuple(refused), None)
    checked = _check(after, ctx)
    known = {v.message for v in _check(before, ctx).violations if v.level == "hard"}
    hard = [v for v in checked.violations if v.level == "hard" and v.message not in known]
    if hard or checked.schedule is None:
        hard = hard or [v for v in checked.violations if v.level == "hard"]
        return EditResult(False, "Refused: " + hard[0].message, tuple(hard), None)
    soft = [v for v in checked.violations if v.level == "soft"]
    flags = [Flag(f"edit_{v.gate}", "caution", v.message) for v in soft]
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
    document: Mapping[str, Any],
    *,
    findings: Sequence[FindingInput],
    intake: Intake,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
) -> EditChoices:
    """What the clinician may change on the plan: per item the dose range and other products, the candidates
    that may be added (with the engine's reason for leaving each out), and the number of visits."""
    ctx = _context(document, findings, intake, measurements, data)
    state = _state(ctx)
    reasons = {o["treatment"]: o["sentence"] for o in document.get("omissions", [])}
    items = []
    for key, visit in sorted(state.visit_of.items(), key=lambda kv: kv[1]):
        c = ctx.by_key[key]
        unit = _unit(c, ctx.data)
        low, high = state.doses[key]
        products = tuple((tid, ctx.label(keys[0])) for tid, keys in _products(ctx, key, state.visit_of).items())
        items.append(
            ItemChoice(
                key,
                c.label,
                visit,
                low,
                high,
                *dose_bounds(c),
                0.1 if unit == "mL" else 1.0,
                unit,
                products,
            )
        )
    additions = []
    seen: set[str] = set()
    for item in ctx.problem.items:
        keys = _group_keys(ctx, item.group)
        if item.group in seen or any(k in state.visit_of for k in keys):
            continue
        seen.add(item.group)
        c = ctx.by_key[keys[0]]
        if c.session > 1 and f"{c.treatment.id}#{c.session - 1}" not in state.visit_of:
            continue  # a later PLLA session is offered once the one before it is planned
        reason = reasons.get(c.key) or reasons.get(c.treatment.id, "")
        additions.append(AddChoice(c.group, c.label, reason))
    return EditChoices(tuple(items), tuple(additions), len(set(state.visit_of.values())))


def plan_start(document: Mapping[str, Any]) -> date:
    """The plan's start date (the planner's clock, which an edit's intake must share)."""
    try:
        return date.fromisoformat(str(document["start_date"]))
    except (KeyError, ValueError):
        raise PlanEditError("The plan has no start date.", hint="Generate a new plan.") from None
