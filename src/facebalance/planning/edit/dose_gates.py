"""The dose gates of an edited item: the catalogue's range, the area caps and lip guard, a rule's reduced dose.

A changed dose goes through the engine's own guard (:func:`~facebalance.planning.candidates.apply_guards`),
so the clinician's dose meets the same over-treatment checks as the engine's.
"""

from __future__ import annotations

from dataclasses import replace

from facebalance.planning.candidates import LOW_DOSE, AreaLimit, Candidate, apply_guards, area_limit
from facebalance.planning.edit.context import EditContext, because, dose_bounds, dose_text, dose_unit
from facebalance.planning.edit.model import DOSE_TOLERANCE, Violation

#: The lip guard's own sentences that say why a lip dose is limited (copied into the refusal).
_LIP_GUARD_SENTENCES = ("E-line guard: the", "Lip ratio guard: with")


def guarded(c: Candidate, ctx: EditContext, low: float, high: float) -> tuple[Candidate, list[str]]:
    """The candidate at a dose through the engine's own guard (trimmed, with its sentences as flags), and the
    guard's sentence when it would drop the item."""
    shaped = ctx.shaping.shaped
    assert shaped is not None
    probe = replace(c, dose_low=low, dose_high=high, flags=[], rules=list(c.rules), evidence=list(c.evidence))
    out = apply_guards({c.key: probe}, ctx.intake, ctx.shaping.measurements, shaped.ledger, shaped.dissolving, ctx.data)
    return probe, [o.sentence for o in out]


def area_cap_message(c: Candidate, low: float, high: float, limit: AreaLimit, ctx: EditContext) -> str:
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
        f"{c.label}: {dose_text(low, high, 'mL')} is more than the {a.label} may receive: at most "
        f"{limit.ceiling_ml:g} mL ({'; '.join(caps)}). Over-treatment guard."
    )


def _filler_gates(c: Candidate, low: float, high: float, ctx: EditContext) -> tuple[Candidate, list[Violation]]:
    """A filler at its new dose through the area caps and the lip guard."""
    shaped = ctx.shaping.shaped
    assert shaped is not None
    unit = dose_unit(c, ctx.data)
    limit = area_limit(c, shaped.ledger, shaped.dissolving, ctx.data)
    # The engine ran the guard at the catalogue dose; its sentences give way to the guard's at the new dose.
    engine_run, _ = guarded(c, ctx, *c.dose_range)
    probe, dropped = guarded(c, ctx, low, high)
    out: list[Violation] = []
    if high > limit.ceiling_ml + DOSE_TOLERANCE:
        out.append(Violation("area_cap", "hard", area_cap_message(c, low, high, limit, ctx)))
    elif dropped:
        out.append(Violation("lip_guard", "hard", dropped[0]))
    elif probe.dose_high < high - DOSE_TOLERANCE:
        why = " ".join(f for f in probe.lip_notes if f.startswith(_LIP_GUARD_SENTENCES))
        out.append(
            Violation(
                "lip_guard",
                "hard",
                f"{c.label}: {dose_text(low, high, unit)} is more than the lip guard allows "
                f"({probe.dose_high:g} {unit}). {why}".strip(),
            )
        )
    kept = [f for f in c.flags if f not in engine_run.flags]
    return replace(probe, flags=kept + probe.flags, dose_low=low, dose_high=high), out


def _reduced_dose_gate(base: Candidate, low: float, high: float, ctx: EditContext) -> list[Violation]:
    """Soft: a dose variant (lips after the chin) raised above the reduced dose its rule planned."""
    if base.key == base.group or base.session != 0 or high <= base.dose_high + DOSE_TOLERANCE:
        return []
    unit = dose_unit(base, ctx.data)
    planned = "chosen to fit the budget" if base.key.endswith(LOW_DOSE) else "planned after the earlier step"
    return [
        Violation(
            "reduced_dose",
            "soft",
            f"{base.label}: {dose_text(low, high, unit)} is more than the {base.dose_high:g} {unit} {planned}."
            f"{because(base.rules[-1], ctx.data)}",
        )
    ]


def dose_violations(key: str, low: float, high: float, ctx: EditContext) -> tuple[Candidate, list[Violation]]:
    """The item at its new dose, and the dose gates: catalogue range, area caps and lip guard, reduced dose."""
    c = ctx.by_key[key]
    unit = dose_unit(c, ctx.data)
    cat_lo, cat_hi = dose_bounds(c)
    if low <= 0 or low > high or low < cat_lo - DOSE_TOLERANCE or high > cat_hi + DOSE_TOLERANCE:
        message = (
            f"{c.label}: {dose_text(low, high, unit)} is outside the {dose_text(cat_lo, cat_hi, unit)} per visit "
            f"allowed for it (catalogue: {c.treatment.source})."
        )
        return c, [Violation("dose_range", "hard", message)]
    if c.treatment.modality in ("ha", "caha"):
        changed, out = _filler_gates(c, low, high, ctx)
    else:
        changed, out = replace(c, dose_low=low, dose_high=high, flags=list(c.flags)), []
    return changed, out + _reduced_dose_gate(ctx.by_key[key], low, high, ctx)
