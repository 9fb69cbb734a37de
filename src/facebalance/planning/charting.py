"""A treatment about to be charted, checked with the planner's own gates.

What the clinic charts must meet the rules the plan was made with, whatever the plan said: the same
eligibility and BDDQ-AS gate (:func:`~facebalance.planning.engine.safety_gate`), the same contraindication
rows (:func:`~facebalance.planning.safety.contraindications_for`), the same toxin interval
(:func:`~facebalance.planning.engine.toxin_release_day`) and learnt cadence
(:func:`~facebalance.planning.engine.patient_toxin_cadence`), the same per-visit caps
(:func:`~facebalance.planning.candidates.usage_of`,
:func:`~facebalance.planning.edit.limit_gates.resource_cap_violations`)
and the same filler ledger and area caps (:func:`~facebalance.planning.ledger.filler_ledger`,
:func:`~facebalance.planning.candidates.area_limit_of`), and the catalogue's dose range. Nothing here decides
on its own numbers: every limit comes from the planner's data files.

*Hard* gates mean the treatment should not be charted as it stands: the clinic refuses it unless the
clinician overrides with a written reason (kept and audited). *Soft* gates (a caution contraindication, a
toxin sooner than the patient's learnt cadence but after the minimum interval) are shown and charted.

The ``intake`` is the planner's :class:`~facebalance.planning.intake.Intake` with the patient's whole
history (reported at intake and charted here), as of the day of the treatment: entries after that day are
ignored, entries of the same day count towards that day's caps (one visit).

Examples
--------
>>> from datetime import date
>>> from facebalance.planning import BddqAs, Intake, PriorTreatment
>>> prior = PriorTreatment(date(2026, 10, 20), "toxin", "glabella", 20)
>>> intake = Intake(start_date=date(2026, 12, 1), history=(prior,),
...                 bddq_as=BddqAs(False, False, 1, 1, 1, 1, False))
>>> check = check_charted_treatment(ChartedTreatment(date(2026, 12, 1), "toxin", "glabella", 20), intake=intake)
>>> check.allowed, [v.gate for v in check.hard]
(False, ['toxin_interval'])
>>> later = ChartedTreatment(date(2027, 1, 20), "toxin", "glabella", 20)
>>> check_charted_treatment(later, intake=intake).allowed
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from facebalance.planning.candidates import area_limit_of, usage_of, visit_caps
from facebalance.planning.content import PlanningData
from facebalance.planning.documents import ViolationDocument
from facebalance.planning.edit.limit_gates import resource_cap_violations
from facebalance.planning.edit.model import Level, Violation
from facebalance.planning.engine import patient_toxin_cadence, safety_gate, toxin_release_day
from facebalance.planning.intake import HISTORY_UNITS, Intake, Modality, PriorTreatment
from facebalance.planning.ledger import filler_ledger
from facebalance.planning.safety import contraindications_for

__all__ = ["ChartedTreatment", "ChartingCheck", "check_charted_treatment"]

_FILLERS = ("ha", "caha")


@dataclass(frozen=True)
class ChartedTreatment:
    """One product in one catalogue area on one day; ``amount`` in the modality's unit (U, mL, vials)."""

    performed_on: date
    modality: Modality
    area: str
    amount: float

    @property
    def unit(self) -> str:
        return HISTORY_UNITS[self.modality]


@dataclass(frozen=True)
class ChartingCheck:
    """The gates a charted treatment breaks (``()`` when it meets every rule)."""

    violations: tuple[Violation, ...]

    @property
    def hard(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.level == "hard")

    @property
    def soft(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.level == "soft")

    @property
    def allowed(self) -> bool:
        """Whether it may be charted without an override."""
        return not self.hard

    def as_document(self) -> list[ViolationDocument]:
        return [v.as_document() for v in self.violations]


def _eligibility(intake: Intake, data: PlanningData) -> list[Violation]:
    """The planner's safety gate: under age, a positive BDDQ-AS without a documented override, or a
    patient-selection hold without a clinician's override."""
    gate = safety_gate((), intake, data)
    if gate.refused is None:
        return []
    screening = gate.screening
    if screening.positive and not screening.proceed:
        which = "bddq_as"
    else:
        which = "patient_selection" if gate.refused.status == "hold" else "eligibility"
    return [Violation(which, "hard", gate.refused.summary)]


def _contraindications(t: ChartedTreatment, intake: Intake, data: PlanningData) -> list[Violation]:
    out = []
    for hit in contraindications_for(intake.medical, data.safety):
        if hit.applies_to(t.modality, t.area):
            level: Level = "soft" if hit.rule.action == "caution" else "hard"
            out.append(Violation("contraindication", level, hit.rule.sentence))
    return out


def _toxin_timing(t: ChartedTreatment, earlier: Intake, data: PlanningData) -> list[Violation]:
    """The minimum interval after the last toxin (hard), and the patient's learnt cadence (soft)."""
    if t.modality != "toxin":
        return []
    limits = data.rules.limits
    release, last = toxin_release_day(earlier, limits.toxin_min_interval_days)
    if last is None:
        return []
    if release > 0:
        return [
            Violation(
                "toxin_interval",
                "hard",
                f"Last toxin on {last.isoformat()}: not before "
                f"{(t.performed_on + timedelta(days=release)).isoformat()} "
                f"({limits.toxin_min_interval_weeks:g}-week minimum interval).",
            )
        ]
    cadence = patient_toxin_cadence(earlier, [], data)
    if cadence is not None and t.performed_on < cadence.next_after(last):
        return [
            Violation(
                "toxin_cadence",
                "soft",
                f"Sooner than this patient's toxin cadence: next toxin from {cadence.next_after(last).isoformat()} "
                f"({cadence.weeks:g} weeks after {last.isoformat()}). {cadence.sentence}",
            )
        ]
    return []


def _visit_caps(t: ChartedTreatment, same_day: list[PriorTreatment], data: PlanningData) -> list[Violation]:
    used: dict[str, int] = {}
    for entry in (*same_day, PriorTreatment(t.performed_on, t.modality, t.area, t.amount)):
        for resource, n in usage_of(entry.modality, entry.amount, data).items():
            used[resource] = used.get(resource, 0) + n
    where = f"The treatments charted on {t.performed_on.isoformat()}"
    return resource_cap_violations(where, used, visit_caps(data), fix="Check the amounts charted for that day.")


def _area_caps(t: ChartedTreatment, history: tuple[PriorTreatment, ...], data: PlanningData) -> list[Violation]:
    """The over-treatment guard: the filler that may still be in the area, the per-visit and cumulative caps."""
    if t.modality not in _FILLERS or t.area not in data.catalog.areas:
        return []
    label_months = {x.area: x.durability_months[1] for x in data.catalog.treatments.values() if x.modality == "ha"}
    ledger = filler_ledger(
        history, on=t.performed_on, persistence_years=data.rules.ledger_persistence_years, label_months=label_months
    )
    limit = area_limit_of(t.area, ledger, set(), data)
    area = data.catalog.areas[t.area]
    earlier_today = sum(
        x.amount for x in history if x.date == t.performed_on and x.modality in _FILLERS and x.area == t.area
    )
    out = []
    if area.visit_cap_ml is not None and earlier_today + t.amount > area.visit_cap_ml + 1e-9:
        out.append(
            Violation(
                "area_cap",
                "hard",
                f"{earlier_today + t.amount:g} mL in the {area.label} on {t.performed_on.isoformat()}: over the "
                f"{area.visit_cap_ml:g} mL per visit (over-treatment guard).",
            )
        )
    if limit.headroom_ml is not None and t.amount > limit.headroom_ml + 1e-9:
        out.append(
            Violation(
                "area_cap",
                "hard",
                f"{t.amount:g} mL in the {area.label}: {limit.present_ml:g} mL of earlier filler may still be "
                f"there (HA persists for years after its label duration); the cumulative cap of "
                f"{area.cumulative_cap_ml or 0:g} mL leaves {limit.headroom_ml:g} mL (over-treatment guard).",
            )
        )
    return out


def _dose_range(t: ChartedTreatment, data: PlanningData) -> list[Violation]:
    """More than the catalogue's largest dose per visit for this modality in this area."""
    matches = [x for x in data.catalog.treatments.values() if x.modality == t.modality and x.area == t.area]
    if not matches:
        return []
    top = max(matches, key=lambda x: x.total_dose[1])
    high = top.total_dose[1]
    if t.amount <= high + 1e-9:
        return []
    return [
        Violation(
            "dose_range",
            "hard",
            f"{t.amount:g} {t.unit} is more than the {high:g} {t.unit} per visit the catalogue allows for "
            f"{top.label[:1].lower()}{top.label[1:]} ({top.source}).",
        )
    ]


def check_charted_treatment(
    treatment: ChartedTreatment, *, intake: Intake, data: PlanningData | None = None
) -> ChartingCheck:
    """Every planner gate the treatment breaks, as of its day (see the module docstring).

    Parameters
    ----------
    treatment : ChartedTreatment
        What is about to be charted.
    intake : Intake
        The patient's intake with the whole history (reported and charted); its ``start_date`` is ignored
        (the treatment's day is the clock).
    data : PlanningData, optional
        The planner's data (the packaged defaults if omitted).
    """
    data = data or PlanningData.default()
    day = treatment.performed_on
    history = tuple(x for x in intake.history if x.date <= day)
    on_day = replace(intake, start_date=day, history=history)
    # A session's toxin in several areas is one session: the interval counts from earlier days only.
    earlier = replace(on_day, history=tuple(x for x in history if x.date < day))
    same_day = [x for x in history if x.date == day]
    violations = [
        *_eligibility(on_day, data),
        *_contraindications(treatment, on_day, data),
        *_toxin_timing(treatment, earlier, data),
        *_dose_range(treatment, data),
        *_visit_caps(treatment, same_day, data),
        *_area_caps(treatment, history, data),
    ]
    return ChartingCheck(tuple(violations))
