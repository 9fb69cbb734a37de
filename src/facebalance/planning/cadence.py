"""Toxin cadence that learns from the patient's own history, and never goes below 12 weeks.

The estimate is the posterior mean of a normal model with a conjugate prior: the prior (3-4 months,
15 weeks) counts as ``prior_strength`` observations, and each observed time to return of movement
counts as one. It is then shortened by 10% for each of: high exercise, a dose below the catalogue range,
a large muscle (masseter). The interval used is ``max(floor, estimate)``: when toxin wears off sooner
than the floor, the answer is a dose review, never a shorter interval (antibody formation with frequent
dosing).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from facebalance.planning.intake import PriorTreatment
from facebalance.planning.rules import CadenceRules
from facebalance.planning.timeline import DAYS_PER_MONTH


@dataclass(frozen=True)
class ToxinCadence:
    """The recommended toxin interval for this patient.

    ``estimate_weeks`` is the learnt time to return of movement (after the adjustments);
    ``weeks`` is the interval the plan uses, never below ``floor_weeks``.
    """

    weeks: float
    estimate_weeks: float
    floor_weeks: float
    prior_weeks: float
    observed_weeks: tuple[float, ...]
    adjustments: tuple[str, ...]
    sentence: str

    def next_after(self, last: date) -> date:
        return last + timedelta(days=round(self.weeks * 7))


def toxin_cadence(
    history: Iterable[PriorTreatment],
    *,
    rules: CadenceRules,
    high_exercise: bool = False,
    low_dose: bool = False,
    large_muscle: bool = False,
) -> ToxinCadence:
    """Learn the patient's toxin interval from the observed return of movement.

    Parameters
    ----------
    history : iterable of PriorTreatment
        Toxin sessions with ``movement_returned_weeks`` recorded count as observations.
    rules : CadenceRules
        Prior, its strength, the floor and the adjustment factors.
    high_exercise, low_dose, large_muscle : bool
        Each shortens the estimate by its factor.

    Examples
    --------
    >>> from datetime import date
    >>> r = CadenceRules(15, 2, 12, 0.9, 0.9, 0.9, 28, "src")
    >>> h = [PriorTreatment(date(2026, m, 1), "toxin", "glabella", 20, movement_returned_weeks=10) for m in (1, 4, 7)]
    >>> c = toxin_cadence(h, rules=r)
    >>> c.estimate_weeks, c.weeks
    (12.0, 12.0)
    >>> toxin_cadence([], rules=r).weeks
    15.0
    """
    observed = tuple(
        float(t.movement_returned_weeks)
        for t in sorted(history, key=lambda t: t.date)
        if t.modality == "toxin" and t.movement_returned_weeks is not None
    )
    n = len(observed)
    posterior = (rules.prior_strength * rules.prior_weeks + sum(observed)) / (rules.prior_strength + n)
    adjustments = []
    factor = 1.0
    for applies, f, why in (
        (high_exercise, rules.high_exercise_factor, "high exercise"),
        (low_dose, rules.low_dose_factor, "a dose below the catalogue range"),
        (large_muscle, rules.large_muscle_factor, "a large muscle (masseter)"),
    ):
        if applies:
            factor *= f
            adjustments.append(f"{why} (x{f:g})")
    estimate = round(posterior * factor, 1)
    weeks = float(max(rules.floor_weeks, estimate))
    sentence = _sentence(observed, posterior, estimate, weeks, adjustments, rules)
    return ToxinCadence(weeks, estimate, rules.floor_weeks, rules.prior_weeks, observed, tuple(adjustments), sentence)


def _months_text(weeks: float) -> str:
    """``'3-4 months'`` for 15 weeks: the months a number of weeks falls between.

    >>> _months_text(15), _months_text(30.4375 * 3 / 7)
    ('3-4 months', '3 months')
    """
    months = weeks * 7 / DAYS_PER_MONTH
    low, high = math.floor(months + 1e-9), math.ceil(months - 1e-9)
    return f"{low} months" if low == high else f"{low}-{high} months"


def _sentence(
    observed: tuple[float, ...],
    posterior: float,
    estimate: float,
    weeks: float,
    adjustments: list[str],
    rules: CadenceRules,
) -> str:
    """The cadence in words: the observations or the prior, the adjustments, the interval and any warning."""
    n = len(observed)
    parts = []
    if n:
        listed = ", ".join(f"{w:g}" for w in observed)
        parts.append(
            f"Movement returned at {listed} weeks (mean {sum(observed) / n:.1f}); shrunk toward the "
            f"{rules.prior_weeks:g}-week prior (worth {rules.prior_strength:g} sessions): {posterior:.1f} weeks."
        )
    else:
        parts.append(
            f"No observed return of movement on record: the {rules.prior_weeks:g}-week prior "
            f"({_months_text(rules.prior_weeks)})."
        )
    if adjustments:
        parts.append(f"Shortened for {', '.join(adjustments)}: {estimate:g} weeks.")
    parts.append(f"Toxin every {weeks:g} weeks; never sooner than {rules.floor_weeks:g} weeks.")
    if estimate < rules.floor_weeks or (n and sum(observed) / n < rules.floor_weeks):
        parts.append(
            f"The toxin wears off before {rules.floor_weeks:g} weeks: review the dose per point (or the product) "
            "rather than injecting more often, which raises the risk of neutralising antibodies."
        )
    return " ".join(parts)
