"""The recall list: who is due for toxin, filler maintenance or a planned next visit, and when.

Toxin: the planner's cadence (:func:`facebalance.planning.cadence.toxin_cadence`, learnt from the
patient's own "movement returned after N weeks" answers, never under its floor) after the last toxin,
charted here or reported at intake; the window is four weeks, as in the plan's maintenance calendar.
Filler maintenance: the last filler of an area (charted or reported) plus the catalogue treatment's
durability range (``durability_months``; HA in an area dissolved since is not recalled). Planned visits:
the first visit of an accepted plan whose items are not all charted yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from facebalance.planning.content import PlanningData
from facebalance.planning.intake import PriorTreatment
from facebalance.planning.timeline import add_months
from facebalance.records.ledger import treatment_ledger
from facebalance.records.treatments import TreatmentRecord

RecallKind = Literal["toxin", "filler_maintenance", "planned_visit"]
#: Days a planned visit stays "due" after its planned date before it reads as overdue.
PLANNED_VISIT_WINDOW_DAYS = 14
_MAINTAINED = ("ha", "caha", "plla")


@dataclass(frozen=True)
class RecallEntry:
    """One recall: ``due_from``-``due_until`` is the window; ``key`` is stable across runs (calendar UID)."""

    key: str
    patient_id: str
    patient_name: str
    kind: RecallKind
    label: str
    due_from: date
    due_until: date
    sentence: str

    def overdue(self, on: date) -> bool:
        return self.due_until < on


@dataclass(frozen=True)
class PatientHistory:
    """What the recall needs of one patient. ``plans`` are ``(plan id, plan document)`` of accepted plans."""

    patient_id: str
    patient_name: str
    records: tuple[TreatmentRecord, ...] = ()
    plans: tuple[tuple[str, Mapping[str, Any]], ...] = field(default=())
    high_exercise: bool = False
    #: Treatments the patient reported at intake (given elsewhere, or before charting began).
    reported: tuple[PriorTreatment, ...] = ()


def _planned_visit(history: PatientHistory) -> list[RecallEntry]:
    done = {(r.plan_id, r.plan_item) for r in history.records if r.plan_item}
    out = []
    for plan_id, doc in history.plans:
        labels = {i.get("key"): i.get("label", i.get("treatment", "")) for i in doc.get("items", [])}
        for visit in sorted(doc.get("visits", []), key=lambda v: v["date"]):
            missing = [k for k in visit.get("items", []) if (plan_id, k) not in done]
            if not missing:
                continue
            on = date.fromisoformat(visit["date"])
            what = ", ".join(labels.get(k, k) for k in missing)
            out.append(
                RecallEntry(
                    f"{plan_id}:visit{visit['index']}",
                    history.patient_id,
                    history.patient_name,
                    "planned_visit",
                    f"Planned visit {visit['index'] + 1}",
                    on,
                    on + timedelta(days=PLANNED_VISIT_WINDOW_DAYS),
                    f"Visit {visit['index'] + 1} of the accepted plan, planned for {on.isoformat()}: {what}.",
                )
            )
            break  # only the next visit of each plan is recalled; later ones follow from it
    return out


def patient_recalls(history: PatientHistory, *, on: date, data: PlanningData) -> list[RecallEntry]:
    """Every recall of one patient as of ``on`` (due, overdue or future), by due date."""
    out = _planned_visit(history)
    records = [r for r in history.records if r.performed_on <= on]
    ledger = treatment_ledger(records, on=on, data=data, high_exercise=history.high_exercise, reported=history.reported)
    if ledger.cadence is not None and ledger.toxin:
        last = max(e.on for e in ledger.toxin)
        due = ledger.cadence.next_after(last)
        areas = sorted({e.area for e in ledger.toxin if e.on == last})
        out.append(
            RecallEntry(
                f"{history.patient_id}:toxin:{last.isoformat()}",
                history.patient_id,
                history.patient_name,
                "toxin",
                f"Toxin ({', '.join(areas)})",
                due,
                # The planner's maintenance window (rules.toml [toxin_cadence] due_window_days).
                due + timedelta(days=data.rules.cadence.due_window_days),
                f"Toxin due from {due.isoformat()}: {ledger.cadence.weeks:g} weeks after {last.isoformat()}. "
                f"{ledger.cadence.sentence}",
            )
        )
    dissolved: dict[str, date] = {}
    for t in ledger.history:
        if t.modality == "hyaluronidase":
            dissolved[t.area] = max(t.date, dissolved.get(t.area, t.date))
    latest: dict[tuple[str, str], PriorTreatment] = {}
    for t in ledger.history:
        if t.modality in _MAINTAINED:
            latest[(t.modality, t.area)] = t
    for (modality, area), t in sorted(latest.items()):
        if modality == "ha" and area in dissolved and dissolved[area] >= t.date:
            continue
        match = [x for x in data.catalog.treatments.values() if x.modality == modality and x.area == area]
        if not match:
            continue
        treatment = match[0]
        low, high = treatment.durability_months
        start, end = add_months(t.date, low), add_months(t.date, high)
        out.append(
            RecallEntry(
                f"{history.patient_id}:{modality}:{area}:{t.date.isoformat()}",
                history.patient_id,
                history.patient_name,
                "filler_maintenance",
                f"Review {treatment.label}",
                start,
                end,
                f"{treatment.label} given on {t.date.isoformat()} lasts about {low:g}-{high:g} months: review between "
                f"{start.isoformat()} and {end.isoformat()} and touch up only what has faded.",
            )
        )
    return sorted(out, key=lambda e: (e.due_from, e.key))


def recall_list(
    histories: Iterable[PatientHistory], *, on: date, data: PlanningData, horizon_days: int = 60
) -> list[RecallEntry]:
    """Everyone due by ``on + horizon_days`` (overdue included), soonest first.

    Examples
    --------
    >>> from facebalance.records.treatments import InjectionSite
    >>> s = InjectionSite("procerus", 100, 93, 20, "intramuscular", "needle")
    >>> r = TreatmentRecord("t1", "p1", date(2026, 1, 5), "toxin", "glabella", "Botox", "C1", None, sites=(s,))
    >>> [(e.kind, e.due_from.isoformat()) for e in recall_list([PatientHistory("p1", "Ada", (r,))],
    ...                                                         on=date(2026, 4, 1), data=PlanningData.default())]
    [('toxin', '2026-04-20')]
    """
    until = on + timedelta(days=horizon_days)
    entries: list[RecallEntry] = []
    for h in histories:
        entries += [e for e in patient_recalls(h, on=on, data=data) if e.due_from <= until]
    return sorted(entries, key=lambda e: (e.due_from, e.patient_name, e.key))


def due_entries(entries: Sequence[RecallEntry], *, on: date) -> list[RecallEntry]:
    """Entries whose window has opened by ``on`` (including overdue ones)."""
    return [e for e in entries if e.due_from <= on]
