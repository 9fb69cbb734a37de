"""The treatment ledger: charted treatments in the form the planner consumes.

The planner's over-treatment guard (:func:`facebalance.planning.ledger.filler_ledger`) and toxin cadence
(:func:`facebalance.planning.cadence.toxin_cadence`) read a history of
:class:`~facebalance.planning.intake.PriorTreatment`. :func:`prior_treatments` turns charted records into
exactly that; :func:`treatment_ledger` runs the planner's own functions over it and adds the tables a
clinician reads (HA per area per year, the toxin history with the "movement returned after N weeks"
answers). Nothing here re-implements the guard or the cadence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from facebalance.planning.cadence import ToxinCadence, toxin_cadence
from facebalance.planning.content import PlanningData
from facebalance.planning.intake import PriorTreatment
from facebalance.planning.ledger import FillerLedger, filler_ledger
from facebalance.records.treatments import TreatmentRecord

FILLERS = ("ha", "caha")


def prior_treatment(record: TreatmentRecord) -> PriorTreatment:
    """One charted record as the planner's history entry (amount = the sum over its sites)."""
    return PriorTreatment(
        date=record.performed_on,
        modality=record.modality,
        area=record.area,
        amount=record.total_amount,
        product=record.product,
        clinic=record.clinic,
        satisfied=record.satisfied,
        disliked=record.disliked,
        movement_returned_weeks=record.movement_returned_weeks if record.modality == "toxin" else None,
    )


def prior_treatments(records: Iterable[TreatmentRecord], *, before: date | None = None) -> tuple[PriorTreatment, ...]:
    """The planner's history from charted records, oldest first (only those on or before ``before``).

    Examples
    --------
    >>> from facebalance.records.treatments import InjectionSite
    >>> site = InjectionSite("upper_lip", 100, 177, 0.5, "subcutaneous", "needle")
    >>> r = TreatmentRecord("t1", "p1", date(2024, 5, 1), "ha", "lips", "HA", "L1", None, sites=(site, site))
    >>> prior_treatments([r])[0].amount
    1.0
    """
    rows = [r for r in records if before is None or r.performed_on <= before]
    return tuple(prior_treatment(r) for r in sorted(rows, key=lambda r: (r.performed_on, r.id)))


def history_documents(records: Iterable[TreatmentRecord]) -> list[dict[str, Any]]:
    """The intake's ``history`` entries (``facebalance.intake`` 1.0) for charted records, so a plan made
    through the intake document sees the clinic's own treatments."""
    out = []
    for t in prior_treatments(records):
        entry: dict[str, Any] = {
            "date": t.date.isoformat(),
            "modality": t.modality,
            "area": t.area,
            "amount": t.amount,
            "product": t.product,
            "clinic": t.clinic,
            "disliked": t.disliked,
        }
        if t.satisfied is not None:
            entry["satisfied"] = t.satisfied
        if t.movement_returned_weeks is not None:
            entry["movement_returned_weeks"] = t.movement_returned_weeks
        out.append(entry)
    return out


@dataclass(frozen=True)
class ToxinEntry:
    on: date
    area: str
    units: float
    product: str
    movement_returned_weeks: float | None


@dataclass(frozen=True)
class TreatmentLedger:
    """The cumulative record on ``on``: what the planner's guard and cadence make of the history, and the
    tables behind them.

    ``filler_ml_by_year`` maps area -> calendar year -> mL of HA/CaHA given that year (all of it, whatever
    the guard still counts); ``filler`` is the guard's own ledger; ``cadence`` is ``None`` without toxin.
    """

    on: date
    history: tuple[PriorTreatment, ...]
    filler: FillerLedger
    filler_ml_by_year: Mapping[str, Mapping[int, float]]
    toxin: tuple[ToxinEntry, ...]
    cadence: ToxinCadence | None


def with_reported(
    charted: Iterable[PriorTreatment], reported: Iterable[PriorTreatment], *, before: date | None = None
) -> tuple[PriorTreatment, ...]:
    """Charted history and the treatments the patient reported at intake (given elsewhere or before charting
    began), oldest first; one reported and charted alike (same day, modality, area and amount) counts once.

    >>> a = PriorTreatment(date(2025, 1, 5), "toxin", "glabella", 20)
    >>> b = PriorTreatment(date(2024, 6, 1), "ha", "lips", 1.0, clinic="elsewhere")
    >>> [t.date.isoformat() for t in with_reported([a], [a, b])]
    ['2024-06-01', '2025-01-05']
    """
    out = {(t.date, t.modality, t.area, round(t.amount, 2)): t for t in reported}
    out.update({(t.date, t.modality, t.area, round(t.amount, 2)): t for t in charted})
    rows = [t for t in out.values() if before is None or t.date <= before]
    return tuple(sorted(rows, key=lambda t: t.date))


def treatment_ledger(
    records: Iterable[TreatmentRecord],
    *,
    on: date,
    data: PlanningData,
    high_exercise: bool = False,
    reported: Iterable[PriorTreatment] = (),
) -> TreatmentLedger:
    """The ledger of charted treatments, and of those the patient ``reported`` at intake, up to ``on`` (the
    clock is an argument, never today's date).

    The cadence is the planner's, with its large-muscle adjustment when masseter toxin is on record.
    """
    history = with_reported(prior_treatments(records, before=on), reported, before=on)
    label_months = {t.area: t.durability_months[1] for t in data.catalog.treatments.values() if t.modality == "ha"}
    filler = filler_ledger(
        history, on=on, persistence_years=data.rules.ledger_persistence_years, label_months=label_months
    )
    by_year: dict[str, dict[int, float]] = defaultdict(dict)
    for t in history:
        if t.modality in FILLERS:
            year = by_year[t.area]
            year[t.date.year] = round(year.get(t.date.year, 0.0) + t.amount, 2)
    toxin = tuple(
        ToxinEntry(t.date, t.area, t.amount, t.product, t.movement_returned_weeks)
        for t in history
        if t.modality == "toxin"
    )
    cadence = None
    if toxin:
        cadence = toxin_cadence(
            history,
            rules=data.rules.cadence,
            high_exercise=high_exercise,
            large_muscle=any(e.area == "masseter" for e in toxin),
        )
    return TreatmentLedger(on, history, filler, {a: dict(y) for a, y in by_year.items()}, toxin, cadence)
