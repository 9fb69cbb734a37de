"""The over-treatment guard: a cumulative filler ledger per area, area caps, and the lip checks.

Hyaluronic acid persists for years on MRI, long after its labelled duration (Master 2021), so the
ledger counts every HA (and calcium hydroxylapatite) injection of the last ``persistence_years`` as still
present unless the area was dissolved afterwards. Caps apply to what may still be there plus the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from facebalance.planning.catalog import Area
from facebalance.planning.intake import PriorTreatment
from facebalance.planning.rules import LipRules, floor_to_step

_DAYS_PER_YEAR = 365.25
#: Measurement ids the lip guard reads (profile ids come from the profile analysis or the clinician).
UPPER_LIP_E_LINE = "profile.upper_lip_to_e_line_mm"
LOWER_LIP_E_LINE = "profile.lower_lip_to_e_line_mm"
UPPER_VERMILION = "upper_vermilion_height_mm"
LOWER_VERMILION = "lower_vermilion_height_mm"


@dataclass(frozen=True)
class AreaLedger:
    """Filler that may still be present in one area on the planning date.

    ``present_ml`` counts HA and CaHA injected within the persistence window and not dissolved since;
    ``label_expired_ml`` is the part of it past its labelled duration that a naive count would forget.
    """

    area: str
    present_ml: float
    label_expired_ml: float
    sessions: int
    last_dissolved: date | None


@dataclass(frozen=True)
class FillerLedger:
    on: date
    persistence_years: float
    areas: Mapping[str, AreaLedger]

    def present_ml(self, area: str) -> float:
        entry = self.areas.get(area)
        return entry.present_ml if entry else 0.0


def filler_ledger(
    history: Iterable[PriorTreatment],
    *,
    on: date,
    persistence_years: float,
    label_months: Mapping[str, float] | None = None,
) -> FillerLedger:
    """The ledger of filler possibly present per area on ``on``.

    Parameters
    ----------
    history : iterable of PriorTreatment
        Earlier treatments; HA and CaHA amounts in mL, hyaluronidase entries mark dissolution.
    on : date
        The planning date.
    persistence_years : float
        How long an injection is counted as possibly present.
    label_months : mapping of str to float, optional
        The labelled duration (months, high end) per area, to report how much a label-based count
        would already have forgotten.

    Examples
    --------
    >>> from datetime import date
    >>> h = [PriorTreatment(date(2023, 1, 1), "ha", "lips", 1.0), PriorTreatment(date(2025, 6, 1), "ha", "lips", 1.0)]
    >>> led = filler_ledger(h, on=date(2026, 1, 1), persistence_years=5, label_months={"lips": 12})
    >>> led.present_ml("lips"), led.areas["lips"].label_expired_ml
    (2.0, 1.0)
    """
    entries = sorted(history, key=lambda t: t.date)
    dissolved: dict[str, date] = {}
    for t in entries:
        if t.modality == "hyaluronidase" and t.date <= on:
            dissolved[t.area] = max(t.date, dissolved.get(t.area, t.date))
    areas: dict[str, AreaLedger] = {}
    for t in entries:
        if t.modality not in ("ha", "caha") or t.date > on:
            continue
        age_years = (on - t.date).days / _DAYS_PER_YEAR
        cleared = t.modality == "ha" and t.area in dissolved and dissolved[t.area] >= t.date
        counted = 0.0 if cleared or age_years > persistence_years else t.amount
        label = (label_months or {}).get(t.area)
        expired = counted if label is not None and age_years * 12 > label else 0.0
        prev = areas.get(t.area, AreaLedger(t.area, 0.0, 0.0, 0, dissolved.get(t.area)))
        areas[t.area] = AreaLedger(
            t.area, prev.present_ml + counted, prev.label_expired_ml + expired, prev.sessions + 1, prev.last_dissolved
        )
    return FillerLedger(on, persistence_years, areas)


def area_headroom_ml(area: Area, ledger: FillerLedger, *, dissolving: bool = False) -> float | None:
    """How much more filler the area's cumulative cap allows (``None`` when the area has no cap).

    With ``dissolving`` the plan dissolves the area first, so earlier HA does not count.
    """
    if area.cumulative_cap_ml is None:
        return None
    present = 0.0 if dissolving else ledger.present_ml(area.id)
    return max(0.0, area.cumulative_cap_ml - present)


@dataclass(frozen=True)
class LipDecision:
    """What the lip guard allows: the largest safe dose (``None`` = no lip filler) and the upper-lip share."""

    dose_high_ml: float | None
    upper_share: float
    sentences: tuple[str, ...]


def lip_guard(
    measurements: Mapping[str, float],
    *,
    dose_low_ml: float,
    dose_high_ml: float,
    upper_share: float,
    rules: LipRules,
) -> LipDecision:
    """Check planned lip filler against the E-line and the upper:lower vermilion ratio.

    Parameters
    ----------
    measurements : mapping of str to float
        May hold ``profile.upper_lip_to_e_line_mm`` / ``profile.lower_lip_to_e_line_mm`` (negative =
        behind Ricketts' E-line) and the frontal ``upper_vermilion_height_mm`` / ``lower_vermilion_height_mm``.
    dose_low_ml, dose_high_ml : float
        The planned dose range.
    upper_share : float
        Fraction of the volume placed in the upper lip.
    rules : LipRules
        Gains per mL and the inverted-ratio threshold.

    Returns
    -------
    LipDecision
        The dose ceiling that keeps both lips behind the E-line (``None`` if even the low dose would push a
        lip past it), the share (switched to lower-lip only if the planned share would invert the ratio),
        and the sentences saying what was checked.

    Examples
    --------
    >>> r = LipRules(-4.0, -2.0, 1.5, 2.0, 1.0, 0.63, 0.1, "src")
    >>> lip_guard({LOWER_LIP_E_LINE: -0.5}, dose_low_ml=0.5, dose_high_ml=1.0, upper_share=0.4, rules=r).dose_high_ml
    0.5
    >>> lip_guard({LOWER_LIP_E_LINE: 0.5}, dose_low_ml=0.5, dose_high_ml=1.0, upper_share=0.4, rules=r).dose_high_ml
    """
    share, sentences = _ratio_guard(measurements, dose_high_ml, upper_share, rules)
    ceiling, e_line = _e_line_guard(measurements, dose_high_ml, share, rules)
    sentences += e_line
    # Doses are drawn in steps: round the ceiling down, never up past the line.
    ceiling = floor_to_step(ceiling, rules.dose_step_ml) if ceiling < dose_high_ml else dose_high_ml
    if ceiling < dose_low_ml:
        return LipDecision(None, share, tuple(sentences))
    return LipDecision(ceiling, share, tuple(sentences))


def _ratio_guard(
    measurements: Mapping[str, float], dose_high_ml: float, upper_share: float, rules: LipRules
) -> tuple[float, list[str]]:
    """The upper-lip share that keeps the upper:lower vermilion ratio from inverting, and what was checked."""
    upper_h, lower_h = measurements.get(UPPER_VERMILION), measurements.get(LOWER_VERMILION)
    if upper_h is None or lower_h is None or not lower_h > 0:
        return upper_share, ["Lip ratio guard: vermilion heights not measured; check the upper:lower ratio clinically."]
    gain = rules.vermilion_gain_mm_per_ml * dose_high_ml

    def ratio(s: float) -> float:
        return (upper_h + gain * s) / (lower_h + gain * (1 - s))

    if ratio(upper_share) > rules.inverted_ratio:
        return 0.0, [
            f"Lip ratio guard: with {upper_share:.0%} to the upper lip the upper:lower vermilion ratio would be "
            f"{(upper_h + gain * upper_share) / (lower_h + gain * (1 - upper_share)):.2f} (inverted, above "
            f"{rules.inverted_ratio:g}); filler goes to the lower lip only (predicted {ratio(0.0):.2f})."
        ]
    return upper_share, [
        f"Lip ratio guard: predicted upper:lower vermilion ratio {ratio(upper_share):.2f} after "
        f"{dose_high_ml:g} mL (not inverted; canon {rules.canon_ratio:g})."
    ]


def _e_line_guard(
    measurements: Mapping[str, float], dose_high_ml: float, share: float, rules: LipRules
) -> tuple[float, list[str]]:
    """The largest dose that keeps each lip receiving filler behind the E-line, and what was checked."""
    ceiling = dose_high_ml
    sentences: list[str] = []
    checked_e_line = False
    for mid, key, s in ((UPPER_LIP_E_LINE, "upper", share), (LOWER_LIP_E_LINE, "lower", 1 - share)):
        position = measurements.get(mid)
        if position is None or s == 0:
            continue
        checked_e_line = True
        per_ml = rules.projection_gain_mm_per_ml * s
        allowed = -position / per_ml if per_ml > 0 else float("inf")
        if allowed < ceiling:
            ceiling = max(0.0, allowed)
            sentences.append(
                f"E-line guard: the {key} lip sits {abs(position):.1f} mm "
                f"{'behind' if position < 0 else 'in front of'} the E-line; more than {ceiling:.2f} mL would "
                "push it past the line (over-projection)."
            )
    if not checked_e_line:
        sentences.append("E-line guard: lip position to the E-line not measured; check the profile before lip filler.")
    return ceiling, sentences
