"""What to expect from each item, and when: onset, review, when the result shows, how long it lasts.

Dates are computed from the item's visit date with the modality's timing and the treatment's durability
(months are counted as 30.4375 days, the mean month, since durabilities are ranges anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from facebalance.planning.catalog import Modality, Treatment

#: The mean month (365.25 / 12 days): a calendar constant, not a clinical one.
DAYS_PER_MONTH = 30.4375


def add_months(d: date, months: float) -> date:
    """``d`` plus ``months`` mean months (30.4375 days each), to the day.

    Examples
    --------
    >>> add_months(date(2026, 1, 1), 12).isoformat()
    '2027-01-01'
    """
    return d + timedelta(days=round(months * DAYS_PER_MONTH))


@dataclass(frozen=True)
class ItemTimeline:
    """The expected course of one item (dates are estimates for the patient's calendar)."""

    given_on: date
    onset_on: date
    review_on: date
    result_visible_on: date
    lasts_from: date | None
    lasts_until: date | None
    sentence: str


def course_end(treatment: Treatment, first: date, sessions: int) -> date:
    """The latest date a course's last session falls on (every session at the long end of its cadence)."""
    cadence = treatment.cadence_days[1] if treatment.cadence_days else 0
    return first + timedelta(days=cadence * max(0, sessions - 1))


def item_timeline(
    treatment: Treatment, modality: Modality, given_on: date, *, sessions_left: int = 0, sessions: int = 1
) -> ItemTimeline:
    """The expected course of a treatment given on ``given_on``.

    ``sessions_left`` (PLLA) delays the visible result until after the remaining sessions; ``sessions`` is the
    number of sessions of a course (a skin or device treatment) whose first is on ``given_on``.

    Examples
    --------
    >>> from facebalance.planning.catalog import load_catalog
    >>> cat = load_catalog()
    >>> t = cat.treatments["toxin_glabella"]
    >>> tl = item_timeline(t, cat.modality_of(t), date(2026, 1, 5))
    >>> tl.onset_on.isoformat(), tl.review_on.isoformat(), tl.lasts_until.isoformat()
    ('2026-01-08', '2026-01-19', '2026-05-07')
    """
    onset = given_on + timedelta(days=modality.onset_days)
    review = given_on + timedelta(days=modality.settled_days)
    visible = given_on + timedelta(days=modality.visible_days)
    low, high = treatment.durability_months
    lasts_from = add_months(given_on, low) if high > 0 else None
    lasts_until = add_months(given_on, high) if high > 0 else None
    if treatment.is_course:
        last = course_end(treatment, given_on, sessions)
        visible = last + timedelta(days=modality.visible_days)
        lasts_from = add_months(last, low) if high > 0 else None
        lasts_until = add_months(last, high) if high > 0 else None
        sentence = (
            f"A course of {treatment.course_text(sessions, sessions)}, the first at this visit. Downtime: "
            f"{treatment.downtime} The result builds over the course and is judged about {modality.visible_days} days "
            f"after the last session; it lasts about {low:g}-{high:g} months."
        )
        return ItemTimeline(given_on, onset, review, visible, lasts_from, lasts_until, sentence)
    if modality.kind == "neuromodulator":
        sentence = (
            f"Starts to work in about {modality.onset_days} days, full effect and review at {modality.peak_days} days; "
            f"movement returns gradually after about {low:g}-{high:g} months."
        )
    elif modality.kind == "enzyme":
        sentence = (
            f"Dissolves the old filler within {modality.peak_days} days; swelling settles and the area is reassessed "
            f"at {modality.settled_days} days before any refill."
        )
    elif modality.kind == "biostimulator":
        after = " after the last session" if sessions_left else ""
        sentence = (
            f"Initial fullness fades within days (the carrier water); collagen builds over weeks and the result shows "
            f"about {modality.visible_days // 30} months{after}, lasting about {low / 12:g}-{high / 12:g} years."
        )
        if sessions_left:
            visible = add_months(visible, modality.visible_delay_per_session_months * sessions_left)
    else:
        sentence = (
            f"Volume is visible at once; swelling settles and the result is judged at {modality.settled_days} days; "
            f"it lasts about {low:g}-{high:g} months (product can persist longer than it shows)."
        )
    return ItemTimeline(given_on, onset, review, visible, lasts_from, lasts_until, sentence)


@dataclass(frozen=True)
class MaintenanceEntry:
    """A future appointment window for one treatment."""

    treatment: str
    label: str
    due_from: date
    due_until: date
    sentence: str
