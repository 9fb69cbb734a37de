"""Honest reading: each segment named only when its movement shows the expression's pattern (pure).

The blendshapes (a recording without prompts) or the prompts (a guided recording, a named photo) propose an
expression for each segment; :func:`facebalance.dynamics.patterns.read_movement` judges the movement at its
peak. :func:`settle` then turns the segments whose reading is not named into unclassified movements (shown,
never used for findings), marks which occurrence of each named expression the findings use, and lists the
script's expressions that were not found.
"""

from __future__ import annotations

from dataclasses import replace

from facebalance.dynamics.results import ExpressionResult
from facebalance.dynamics.script import Script
from facebalance.dynamics.segment import order_and_missing, repeat_note

#: Name and label of a segment whose movement did not show the pattern of the expression proposed for it.
UNCLASSIFIED = "unclassified"
UNCLASSIFIED_LABEL = "Unclassified movement"


def settle(
    expressions: list[ExpressionResult], script: Script, *, prompted: bool, asked: tuple[str, ...] | None = None
) -> tuple[tuple[ExpressionResult, ...], tuple[str, ...], tuple[str, ...]]:
    """The expressions as read, the expressions expected but not found, and the recording-level warnings.

    ``asked`` names the expressions a guided recording's prompts asked for (the expected ones).

    ``expressions`` come in time order with their :class:`~facebalance.dynamics.patterns.Reading`; their
    ``warnings`` must not yet hold a repeat note (:func:`~facebalance.dynamics.segment.repeat_note`).
    """
    named = [e for e in expressions if e.classified]
    strongest: dict[str, ExpressionResult] = {}
    for e in named:
        if e.name not in strongest or e.peak_activation > strongest[e.name].peak_activation:
            strongest[e.name] = e
    out: list[ExpressionResult] = []
    for e in expressions:
        why = e.reading.sentence() if e.reading is not None else ""
        if not e.classified:
            out.append(
                replace(e, name=UNCLASSIFIED, label=UNCLASSIFIED_LABEL, primary=False, warnings=(*e.warnings, why))
            )
            continue
        primary = strongest[e.name] is e
        note = repeat_note(e.name, sum(n.name == e.name for n in named), primary)
        notes = tuple(w for w in (*e.warnings, why, note) if w)
        out.append(replace(e, primary=primary, warnings=notes))
    order = [e.name for e in sorted(strongest.values(), key=lambda e: e.start_s)]
    order_warning, missing = order_and_missing(order, script, prompted=prompted, asked=asked)
    unclassified = sum(not e.classified for e in expressions)
    warnings = [order_warning] if order_warning else []
    if unclassified:
        warnings.append(
            f"{unclassified} movement(s) did not show the pattern of the expression proposed for them; they are "
            "shown as unclassified movement and not used for findings."
        )
    return tuple(out), missing, tuple(warnings)
