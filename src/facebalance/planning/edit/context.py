"""Reading a plan document for an edit: the engine's problem for its inputs, and the clinician's state."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from facebalance.planning.candidates import PLLA_SESSIONS, Candidate, solver_problem
from facebalance.planning.content import PlanningData
from facebalance.planning.documents import PlanDocument
from facebalance.planning.edit.model import EDIT_FLAG, PlanEditError
from facebalance.planning.engine import Shaping, shape_candidates
from facebalance.planning.explain import rule_sentences
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.plan import PLAN_SCHEMA
from facebalance.planning.solver import SolverProblem


@dataclass(frozen=True)
class PlanState:
    """The clinician's plan: each item's visit (0-based, contiguous) and dose range, the edits so far, and each
    visit's phase (0 = now; a plan under a budget has later phases)."""

    visit_of: Mapping[str, int]
    doses: Mapping[str, tuple[float, float]]
    notes: tuple[str, ...]
    visit_phases: tuple[int, ...] = ()

    def phase_of(self, visit: int) -> int:
        return self.visit_phases[visit] if visit < len(self.visit_phases) else 0


@dataclass
class EditContext:
    """The plan document being edited with the engine's shaping and solver problem for its inputs."""

    shaping: Shaping
    problem: SolverProblem
    by_key: dict[str, Candidate]
    document: PlanDocument

    @property
    def data(self) -> PlanningData:
        return self.shaping.data

    @property
    def intake(self) -> Intake:
        return self.shaping.intake

    def label(self, key: str) -> str:
        return self.by_key[key].label if key in self.by_key else key

    def group_keys(self, group: str) -> list[str]:
        """The problem's keys of one group (a treatment's dose variants, or one PLLA session)."""
        return [i.key for i in self.problem.items if i.group == group]


def read_context(
    document: PlanDocument,
    findings: Sequence[FindingInput],
    intake: Intake,
    measurements: Mapping[str, float] | None,
    data: PlanningData | None,
) -> EditContext:
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
    return EditContext(shaping, problem, dict(by_key), document)


def read_state(ctx: EditContext) -> PlanState:
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
    phases = {int(v["index"]): int(v.get("phase", 0)) for v in ctx.document.get("visits", [])}
    return PlanState(compact_visits(visit_of), doses, notes, compact_phases(visit_of, phases))


def compact_visits(visit_of: Mapping[str, int]) -> dict[str, int]:
    """Renumber the visits in order without gaps (a visit left empty by an edit disappears)."""
    order = {v: n for n, v in enumerate(sorted(set(visit_of.values())))}
    return {k: order[v] for k, v in visit_of.items()}


def compact_phases(visit_of: Mapping[str, int], phase_of: Mapping[int, int]) -> tuple[int, ...]:
    """The phase of each visit left after :func:`compact_visits`, renumbered from 0 without gaps."""
    raw = [phase_of.get(v, 0) for v in sorted(set(visit_of.values()))]
    order = {f: n for n, f in enumerate(sorted(set(raw)))}
    return tuple(order[f] for f in raw)


def dose_text(lo: float, hi: float, unit: str) -> str:
    return f"{lo:g} {unit}" if math.isclose(lo, hi) else f"{lo:g}-{hi:g} {unit}"


def dose_unit(c: Candidate, data: PlanningData) -> str:
    return "mL" if c.treatment.modality in ("ha", "caha") else data.catalog.modality_of(c.treatment).unit


def rule_sentence(rule: str, data: PlanningData) -> str:
    sentence = rule_sentences(data).get(rule, "")
    # An edit can move a session before the one it follows: say that the order is part of the rule.
    return sentence.removesuffix(".") + ", each after the one before." if rule == PLLA_SESSIONS else sentence


def because(rule: str, data: PlanningData) -> str:
    """`` Rule ID: its sentence.``, to follow a sentence that ends with a full stop."""
    sentence = rule_sentence(rule, data).strip()
    return f" Rule {rule}: {sentence}" if sentence else f" (Rule {rule}.)"


def dose_bounds(c: Candidate) -> tuple[float, float]:
    """The doses a clinician may choose for a candidate: the catalogue's range per visit for this patient (the
    male row for a man), reaching down to a rule's reduced dose (lips after the chin at half the dose)."""
    low, high = c.dose_range
    return min(low, c.dose_low), high
