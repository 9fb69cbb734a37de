"""The guided script: which expressions a recording should contain, in which order, and how each is recognised.

Data, not code: ``data/script_default.toml`` (a clinic may supply its own file of the same shape). Parsed
and validated here into frozen dataclasses; a malformed file fails fast with a
:class:`~facebalance.dynamics.errors.ScriptError` naming the entry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from facebalance.dynamics.errors import ScriptError
from facebalance.dynamics.tracker import BLENDSHAPE_NAMES
from facebalance.provenance import Provenance, parse_table_text


class ExpressionKind(StrEnum):
    """Which movement measurements an expression gets (see :mod:`facebalance.dynamics.metrics`)."""

    REST = "rest"
    BROW_RAISE = "brow_raise"
    FROWN = "frown"
    EYE_CLOSURE = "eye_closure"
    SMILE = "smile"
    PUCKER = "pucker"
    EEE = "eee"
    CLENCH = "clench"


@dataclass(frozen=True)
class SegmentationSettings:
    """How a recording is cut into expressions (every field documented in the TOML file)."""

    smoothing_s: float
    baseline_quantile: float
    rest_fraction: float
    merge_gap_s: float
    hysteresis_fraction: float
    min_face_fraction: float
    max_stable_residual_iris: float
    segment_gap_warn_fraction: float
    source: str


@dataclass(frozen=True)
class CaptureTiming:
    """How long the guided capture shows each prompt (``[capture]`` of the script; docs/dynamics.md).

    Attributes
    ----------
    rest_s : float
        The rest prompt at the start.
    hold_s : float
        Each expression's prompt: make it and hold it.
    relax_s : float
        The "relax" prompt after each expression, so that each starts from rest.
    """

    rest_s: float
    hold_s: float
    relax_s: float
    source: str
    review: str

    def total_s(self, expressions: int) -> float:
        """Length of a guided recording of ``expressions`` movement expressions."""
        return self.rest_s + expressions * (self.hold_s + self.relax_s)


@dataclass(frozen=True)
class ExpressionSpec:
    """One expression of the script.

    Attributes
    ----------
    name : str
        Identifier used in ``dynamics.json`` (``"smile"``, ``"brow_raise"`` ...).
    label, instruction : str
        Shown to the clinician and read to the patient.
    kind : ExpressionKind
        Selects the measurements.
    aliases : tuple of str
        Words naming the expression in a photo's file name.
    activation : tuple of str
        Blendshapes whose largest score (less its rest value) is the expression's activation.
    threshold : float
        Activation at which the expression counts as present.
    min_duration_s : float
        Shorter runs are ignored (blinks, twitches).
    dao_probe : bool
        The corner of the mouth is pulled down here if depressor anguli oris is active.
    prompt_only : bool
        Found only where a guided recording's prompt (or a photo's name) says so, never recognised from the
        blendshapes (a broad smile is told from a smile only by the prompt; a clench has no blendshape).
    """

    name: str
    label: str
    instruction: str
    kind: ExpressionKind
    aliases: tuple[str, ...]
    activation: tuple[str, ...]
    threshold: float
    min_duration_s: float
    dao_probe: bool
    source: str
    review: str
    prompt_only: bool = False


@dataclass(frozen=True)
class Script:
    """The expected expressions in order, the segmentation settings and the capture timing."""

    name: str
    version: str
    segmentation: SegmentationSettings
    expressions: tuple[ExpressionSpec, ...]
    capture: CaptureTiming | None = None

    def expression(self, name: str) -> ExpressionSpec:
        for spec in self.expressions:
            if spec.name == name:
                return spec
        raise KeyError(f"the script has no expression {name!r}")

    @property
    def rest(self) -> ExpressionSpec:
        return next(e for e in self.expressions if e.kind is ExpressionKind.REST)

    @property
    def movements(self) -> tuple[ExpressionSpec, ...]:
        """Every expression except rest, in script order."""
        return tuple(e for e in self.expressions if e.kind is not ExpressionKind.REST)

    @property
    def recognised(self) -> tuple[ExpressionSpec, ...]:
        """The movements found from the blendshapes in an unprompted recording (all but ``prompt_only``)."""
        return tuple(e for e in self.movements if not e.prompt_only)

    def named(self, word: str) -> ExpressionSpec | None:
        """The expression ``word`` names (its name or one of its aliases), or ``None``."""
        key = word.strip().lower()
        return next((e for e in self.expressions if key == e.name or key in e.aliases), None)


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise ScriptError(f"{where}: missing {key!r}.", hint="Compare the file with dynamics/data/script_default.toml.")
    return entry[key]


def _positive(value: Any, key: str, where: str, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ScriptError(f"{where}: {key} must be a number, not {value!r}.", hint="Fix the entry.") from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ScriptError(
            f"{where}: {key} must be {'>= 0' if allow_zero else '> 0'}, not {number}.", hint="Fix the entry."
        )
    return number


def _review(entry: dict[str, Any], where: str) -> str:
    """The entry's review status (``working`` when not given), after checking it has a source."""
    return Provenance.of_row(entry, where, default_review="working", error=ScriptError).review


def parse_script(text: str, *, origin: str = "<string>") -> Script:
    """Parse and validate a guided-script TOML document.

    Raises
    ------
    ScriptError
        Invalid TOML, a missing or out-of-range value, an unknown blendshape or kind, no rest expression, or
        two expressions with one name.
    """
    doc = parse_table_text(text, origin=origin, error=ScriptError)
    meta = doc.get("meta", {})
    seg = _need(doc, "segmentation", origin)
    where = f"{origin} [segmentation]"
    _review(seg, where)
    settings = SegmentationSettings(
        smoothing_s=_positive(_need(seg, "smoothing_s", where), "smoothing_s", where, allow_zero=True),
        baseline_quantile=_positive(
            _need(seg, "baseline_quantile", where), "baseline_quantile", where, allow_zero=True
        ),
        rest_fraction=_positive(_need(seg, "rest_fraction", where), "rest_fraction", where),
        merge_gap_s=_positive(_need(seg, "merge_gap_s", where), "merge_gap_s", where, allow_zero=True),
        hysteresis_fraction=_positive(_need(seg, "hysteresis_fraction", where), "hysteresis_fraction", where),
        min_face_fraction=_positive(_need(seg, "min_face_fraction", where), "min_face_fraction", where),
        max_stable_residual_iris=_positive(
            _need(seg, "max_stable_residual_iris", where), "max_stable_residual_iris", where
        ),
        segment_gap_warn_fraction=_positive(
            _need(seg, "segment_gap_warn_fraction", where), "segment_gap_warn_fraction", where
        ),
        source=str(seg["source"]),
    )
    if not 0 <= settings.baseline_quantile < 1 or not 0 < settings.min_face_fraction <= 1:
        raise ScriptError(
            f"{where}: baseline_quantile must be in [0, 1) and min_face_fraction in (0, 1].", hint="Fix the entry."
        )
    expressions: list[ExpressionSpec] = []
    for i, e in enumerate(doc.get("expression", [])):
        where = f"{origin} expression #{i + 1} ({e.get('name', '?')})"
        review = _review(e, where)
        try:
            kind = ExpressionKind(str(_need(e, "kind", where)))
        except ValueError:
            known = ", ".join(k.value for k in ExpressionKind)
            raise ScriptError(f"{where}: unknown kind {e['kind']!r}; known: {known}.", hint="Fix the entry.") from None
        activation = tuple(str(b) for b in e.get("activation", []))
        unknown = [b for b in activation if b not in BLENDSHAPE_NAMES]
        if unknown:
            raise ScriptError(
                f"{where}: unknown blendshape(s) {', '.join(unknown)}.",
                hint="Use MediaPipe's blendshape names, e.g. mouthSmileLeft.",
            )
        prompt_only = bool(e.get("prompt_only", False))
        if kind is not ExpressionKind.REST and not activation and not prompt_only:
            raise ScriptError(
                f"{where}: an expression needs at least one activation blendshape (or prompt_only = true).",
                hint="Add one.",
            )
        expressions.append(
            ExpressionSpec(
                name=str(_need(e, "name", where)),
                label=str(e.get("label", e["name"])),
                instruction=str(e.get("instruction", "")),
                kind=kind,
                aliases=tuple(str(a).lower() for a in e.get("aliases", [e["name"]])),
                activation=activation,
                threshold=_positive(
                    e.get("threshold", 1.0) if prompt_only else _need(e, "threshold", where), "threshold", where
                ),
                min_duration_s=_positive(e.get("min_duration_s", 0.0), "min_duration_s", where, allow_zero=True),
                dao_probe=bool(e.get("dao_probe", False)),
                source=str(e["source"]),
                review=review,
                prompt_only=prompt_only,
            )
        )
    names = [e.name for e in expressions]
    if len(set(names)) != len(names):
        raise ScriptError(f"{origin}: two expressions share a name.", hint="Give each expression its own name.")
    if sum(e.kind is ExpressionKind.REST for e in expressions) != 1:
        raise ScriptError(
            f'{origin}: the script needs exactly one expression of kind "rest".',
            hint="Rest is the reference every movement is measured from.",
        )
    return Script(
        name=str(meta.get("name", Path(origin).stem)),
        version=str(meta.get("version", "unversioned")),
        segmentation=settings,
        expressions=tuple(expressions),
        capture=_capture(doc.get("capture"), origin),
    )


def _capture(entry: dict[str, Any] | None, origin: str) -> CaptureTiming | None:
    """The ``[capture]`` timing, when the script has one (a script for photo series need not)."""
    if entry is None:
        return None
    where = f"{origin} [capture]"
    review = _review(entry, where)
    return CaptureTiming(
        rest_s=_positive(_need(entry, "rest_s", where), "rest_s", where),
        hold_s=_positive(_need(entry, "hold_s", where), "hold_s", where),
        relax_s=_positive(_need(entry, "relax_s", where), "relax_s", where, allow_zero=True),
        source=str(entry["source"]),
        review=review,
    )


@functools.lru_cache(maxsize=1)
def _default_script() -> Script:
    text = resources.files("facebalance.dynamics").joinpath("data/script_default.toml").read_text("utf-8")
    return parse_script(text, origin="script_default.toml")


def load_script(path: str | Path | None = None) -> Script:
    """The default guided script, or a clinic's file instead of it."""
    if path is None:
        return _default_script()
    p = Path(path)
    if not p.is_file():
        raise ScriptError(f"Script file {p} does not exist.", hint="Give the path of a TOML guided script.")
    return parse_script(p.read_text("utf-8"), origin=str(p))
