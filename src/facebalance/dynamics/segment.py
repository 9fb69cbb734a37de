"""Cutting a recording into expressions and finding each one's peak (pure).

A frame belongs to the expression whose activation is highest relative to its threshold, when that ratio
reaches one (:mod:`facebalance.dynamics.script`). Runs of one expression are merged across short gaps,
widened to where the activation falls below the hysteresis fraction, and dropped when shorter than the
expression's minimum duration (a blink is not a tight eye closure). The peak is the frame of largest
movement (:func:`facebalance.dynamics.signals.peak_signal`) inside the segment. An expression seen more
than once is reported each time; the strongest is the one the findings use (``primary``).

For a photo series each photo is one "frame" and one segment: named by its file name when that contains
one of the expression's aliases, otherwise recognised from its activations.

A guided recording carries its prompts' times (:class:`Prompt`, the labels the clinic's capture page sends
with the video): :func:`segment_prompted` then cuts it by them instead of guessing from the blendshapes, and
the rest prompt's window holds the rest reference.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from facebalance.dynamics.errors import PromptError
from facebalance.dynamics.script import ExpressionKind, ExpressionSpec, Script
from facebalance.dynamics.signals import rolling_median


@dataclass(frozen=True)
class Segment:
    """One expression found in the recording.

    Attributes
    ----------
    name : str
        Expression name from the script.
    kind : ExpressionKind
    start, end, peak : int
        Frame indices (inclusive), photo indices for a photo series.
    start_s, end_s, peak_s : float
        Their times; photo indices for a photo series.
    peak_activation : float
        Activation (above rest) at the peak, for the strength of the expression.
    usable_fraction : float
        Fraction of the segment's frames with a usable face.
    primary : bool
        The strongest occurrence of this expression (used by the findings).
    warnings : tuple of str
    prompted : bool
        Named by a prompt (a guided recording's label) or a photo's name, not recognised from the blendshapes.
    repeat_note : str
        The warning (also in ``warnings``) saying the expression was seen more than once, if it was.
    window : (int, int) or None
        A prompted segment's prompt window (first and last frame), which may be wider than the segment.
    held_s : float or None
        A prompted segment's longest run at or over its threshold, seconds (``None`` without blendshapes).
    """

    name: str
    kind: ExpressionKind
    start: int
    end: int
    peak: int
    start_s: float
    end_s: float
    peak_s: float
    peak_activation: float
    usable_fraction: float
    primary: bool
    warnings: tuple[str, ...] = ()
    prompted: bool = False
    repeat_note: str = ""
    window: tuple[int, int] | None = None
    held_s: float | None = None


@dataclass(frozen=True)
class Segmentation:
    """All expressions found, the rest frames, and what is missing.

    Attributes
    ----------
    segments : tuple of Segment
        Movement expressions in time order.
    rest : ndarray of shape (F,), bool
        Frames at rest (usable and every activation below the rest fraction of its threshold).
    missing : tuple of str
        Script expressions not found, in script order.
    warnings : tuple of str
    notes : tuple of str
        The warnings about single photos or prompts (``warnings`` less the one about the order).
    """

    segments: tuple[Segment, ...]
    rest: np.ndarray
    missing: tuple[str, ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prompt:
    """One prompt of a guided recording: the expression asked for, shown from ``start_s`` until ``end_s``
    (seconds from the recording's first frame; the window should include the time the patient takes to
    respond and to hold it)."""

    name: str
    start_s: float
    end_s: float


def parse_prompts(items: Sequence[Prompt | Mapping[str, object]], script: Script) -> tuple[Prompt, ...]:
    """Checked prompts, each named by its script name (aliases accepted), in time order.

    Raises
    ------
    PromptError
        An expression the script does not know, a time that is not a number, negative, or an end not after
        its start, or two prompts that overlap.

    Examples
    --------
    >>> from facebalance.dynamics.script import load_script
    >>> parse_prompts([{"name": "neutral", "start_s": 0, "end_s": 3}, {"name": "smile", "start_s": 3, "end_s": 7}],
    ...               load_script())
    (Prompt(name='rest', start_s=0.0, end_s=3.0), Prompt(name='smile', start_s=3.0, end_s=7.0))
    """
    prompts: list[Prompt] = []
    for i, item in enumerate(items):
        raw: Mapping[str, object] = (
            {"name": item.name, "start_s": item.start_s, "end_s": item.end_s} if isinstance(item, Prompt) else item
        )
        where = f"Prompt #{i + 1}"
        spec = script.named(str(raw.get("name", "")))
        if spec is None:
            known = ", ".join(e.name for e in script.expressions)
            raise PromptError(
                f"{where} names {raw.get('name')!r}, not an expression of the script.", hint=f"Use {known}."
            )
        try:
            start, end = _seconds(raw["start_s"]), _seconds(raw["end_s"])
        except (KeyError, TypeError, ValueError):
            raise PromptError(f"{where} ({spec.name}) needs numeric start_s and end_s.", hint="Give seconds.") from None
        if not (0 <= start < end) or not (end < 1e6):
            raise PromptError(
                f"{where} ({spec.name}) runs from {start} s to {end} s.", hint="Give 0 <= start_s < end_s, seconds."
            )
        prompts.append(Prompt(spec.name, start, end))
    prompts.sort(key=lambda p: p.start_s)
    for a, b in itertools.pairwise(prompts):
        if b.start_s < a.end_s - 1e-6:
            raise PromptError(
                f"The prompts {a.name} ({a.start_s}-{a.end_s} s) and {b.name} ({b.start_s}-{b.end_s} s) overlap.",
                hint="Give each prompt its own time window.",
            )
    return tuple(prompts)


def _seconds(value: object) -> float:
    """A prompt time as a float; ``TypeError``/``ValueError`` for anything but a number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"not a time: {value!r}")
    return float(value)


def prompt_window(times_s: np.ndarray, prompt: Prompt) -> np.ndarray:
    """The frames shown while ``prompt`` was up (times from the first frame), as a mask."""
    t = np.asarray(times_s, dtype=np.float64)
    t = t - t[0] if len(t) else t
    return np.asarray((t >= prompt.start_s) & (t < prompt.end_s))


def _odd(n: int) -> int:
    return n if n % 2 else n + 1


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(label, start, end inclusive) of each run of equal labels >= 0."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            if labels[start] >= 0:
                runs.append((int(labels[start]), start, i - 1))
            start = i
    return runs


def repeat_note(name: str, count: int, primary: bool) -> str:
    """The warning on an expression seen ``count`` times (empty when once)."""
    if count <= 1:
        return ""
    used = "this, the strongest, is used" if primary else "the strongest occurrence is used"
    return f"{name} was seen {count} times; {used} for the findings."


def order_and_missing(
    order: list[str], script: Script, *, prompted: bool, asked: tuple[str, ...] | None = None
) -> tuple[str, tuple[str, ...]]:
    """The warning when the expressions found (``order``: each once, by time) came out of the script's order
    (empty when in order or prompted), and the expressions expected but not found.

    A recording without prompts is expected to show the expressions the blendshapes can recognise; a prompted
    one the expressions its prompts asked for (``asked``; every expression of the script when not given).
    """
    if asked is not None:
        expected = list(asked)
    else:
        expected = [e.name for e in (script.movements if prompted else script.recognised)]
    warning = ""
    if not prompted and order != [n for n in expected if n in order]:
        warning = (
            f"The expressions came in the order {', '.join(order)}, not the script's; each was "
            "recognised from the face, so the measurements stand."
        )
    return warning, tuple(n for n in expected if n not in order)


def _finish(
    found: list[Segment],
    script: Script,
    extra_warnings: list[str],
    rest: np.ndarray,
    *,
    prompted: bool = False,
    asked: tuple[str, ...] | None = None,
) -> Segmentation:
    found.sort(key=lambda s: s.start)
    strongest: dict[str, Segment] = {}
    for seg in found:
        if seg.name not in strongest or seg.peak_activation > strongest[seg.name].peak_activation:
            strongest[seg.name] = seg
    warnings = list(extra_warnings)
    segments = []
    for seg in found:
        primary = strongest[seg.name] is seg
        notes = list(seg.warnings)
        note = repeat_note(seg.name, sum(s.name == seg.name for s in found), primary)
        if note:
            notes.append(note)
        segments.append(replace(seg, primary=primary, warnings=tuple(notes), repeat_note=note))
    order_warning, missing = order_and_missing(
        [s.name for s in sorted(strongest.values(), key=lambda s: s.start)], script, prompted=prompted, asked=asked
    )
    if order_warning:
        warnings.append(order_warning)
    return Segmentation(
        segments=tuple(segments),
        rest=rest,
        missing=missing,
        warnings=tuple(warnings),
        notes=tuple(extra_warnings),
    )


def segment_video(
    times_s: np.ndarray, activations: np.ndarray, usable: np.ndarray, peak_signals: np.ndarray, script: Script
) -> Segmentation:
    """Segment a video into the script's expressions.

    Parameters
    ----------
    times_s : ndarray of shape (F,)
        Frame times, seconds.
    activations : ndarray of shape (F, E)
        Activation above rest of each movement expression (``script.movements`` order).
    usable : ndarray of shape (F,), bool
        Frames with a usable face; the others never belong to a segment's peak.
    peak_signals : ndarray of shape (F, E)
        Movement of each expression's peak signal (NaN where not usable).
    script : Script

    Examples
    --------
    A smile held from 1.0 s to 2.0 s in a 3 s, 10 fps recording:

    >>> from facebalance.dynamics.script import load_script
    >>> script = load_script()
    >>> t = np.arange(30) / 10
    >>> act = np.zeros((30, len(script.movements)))
    >>> smile = [e.name for e in script.movements].index("smile")
    >>> act[10:21, smile] = 0.8
    >>> seg = segment_video(t, act, np.ones(30, bool), act.copy(), script)
    >>> [(s.name, s.start_s, s.end_s) for s in seg.segments]
    [('smile', 1.0, 2.0)]
    """
    settings = script.segmentation
    specs = script.movements
    times = np.asarray(times_s, dtype=np.float64)
    count = len(times)
    dt = float(np.median(np.diff(times))) if count > 1 else 1.0
    dt = dt if dt > 0 else 1.0 / 30.0
    window = _odd(max(1, round(settings.smoothing_s / dt)))
    act = rolling_median(np.asarray(activations, dtype=np.float64), window)
    act[~usable] = np.nan
    thresholds = np.array([e.threshold for e in specs])
    ratio = act / thresholds
    finite = np.isfinite(ratio).any(axis=1)
    filled = np.where(np.isfinite(ratio), ratio, -np.inf)
    filled[:, [e.prompt_only for e in specs]] = -np.inf  # found only by their prompts
    best = np.argmax(filled, axis=1)
    labels = np.where(finite & (filled[np.arange(count), best] >= 1.0), best, -1)
    rest = usable & finite & (np.where(np.isfinite(ratio), ratio, 0.0) < settings.rest_fraction).all(axis=1)

    # Merge runs of one expression across short gaps that hold no other expression, and across gaps where the
    # face was lost (it left the frame mid-expression: the expression did not stop).
    gap_frames = max(0, round(settings.merge_gap_s / dt))
    runs = _runs(labels)
    merged: list[list[int]] = []
    for label, start, end in runs:
        lost = merged and not usable[merged[-1][2] + 1 : start].any()
        if merged and merged[-1][0] == label and (start - merged[-1][2] - 1 <= gap_frames or lost):
            merged[-1][2] = end
        else:
            merged.append([label, start, end])

    peaks = np.asarray(peak_signals, dtype=np.float64)
    found: list[Segment] = []
    for label, start, end in merged:
        e = int(label)
        while (
            start > 0
            and np.isfinite(ratio[start - 1, e])
            and ratio[start - 1, e] >= settings.hysteresis_fraction
            and labels[start - 1] in (-1, e)
        ):
            start -= 1
        while (
            end < count - 1
            and np.isfinite(ratio[end + 1, e])
            and ratio[end + 1, e] >= settings.hysteresis_fraction
            and labels[end + 1] in (-1, e)
        ):
            end += 1
        duration = times[end] - times[start] + dt
        spec = specs[e]
        if duration + 1e-9 < spec.min_duration_s:
            continue
        span = slice(start, end + 1)
        candidates = np.where(usable[span], peaks[span, e], np.nan)
        if not np.isfinite(candidates).any():
            candidates = np.where(usable[span], act[span, e], np.nan)
        if not np.isfinite(candidates).any():
            continue
        peak = start + int(np.nanargmax(candidates))
        usable_fraction = float(usable[span].mean())
        notes = []
        if 1.0 - usable_fraction > settings.segment_gap_warn_fraction:
            notes.append(
                f"The face was not usable in {1 - usable_fraction:.0%} of this expression's frames (it left "
                "the frame, turned away or was covered); it is measured on the frames that remain."
            )
        found.append(
            Segment(
                name=spec.name,
                kind=spec.kind,
                start=start,
                end=end,
                peak=peak,
                start_s=float(times[start]),
                end_s=float(times[end]),
                peak_s=float(times[peak]),
                peak_activation=float(act[peak, e]),
                usable_fraction=usable_fraction,
                primary=False,
                warnings=tuple(notes),
            )
        )
    return _finish(found, script, [], rest)


def _words(name: str) -> set[str]:
    """Lower-case words of a file stem, also joined pairwise (``brow_raise`` matches ``brow-raise``, ``browRaise``)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    words = [w for w in re.split(r"[^a-zA-Z]+", spaced.lower()) if w]
    pairs = list(itertools.pairwise(words))
    return set(words) | {f"{a}_{b}" for a, b in pairs} | {f"{a}{b}" for a, b in pairs}


def expression_from_name(stem: str, expressions: tuple[ExpressionSpec, ...]) -> ExpressionSpec | None:
    """The expression a photo's file name names, or ``None`` when it names none (or several).

    Examples
    --------
    >>> from facebalance.dynamics.script import load_script
    >>> expression_from_name("IMG_0042_smile", load_script().expressions).name
    'smile'
    >>> expression_from_name("anna-brow-raise", load_script().expressions).name
    'brow_raise'
    >>> expression_from_name("IMG_0042", load_script().expressions) is None
    True
    >>> expression_from_name("02_broad_smile", load_script().expressions).name
    'big_smile'
    """
    words = _words(stem)
    hits = {e.name: words & set(e.aliases) for e in expressions if words & set(e.aliases)}
    # "broad_smile" also holds the word "smile": an expression whose every alias found lies inside another's
    # ("smile" in "broad_smile") is not named by the photo.
    kept = [
        name
        for name, found in hits.items()
        if not all(any(a != b and a in b for other, bs in hits.items() if other != name for b in bs) for a in found)
    ]
    return next(e for e in expressions if e.name == kept[0]) if len(kept) == 1 else None


def segment_photos(
    stems: list[str], activations: np.ndarray, usable: np.ndarray, script: Script, *, rest_index: int
) -> Segmentation:
    """One segment per recognised photo of a series; times are photo indices.

    A photo named for an expression (file name or label) is that expression; an unnamed photo is recognised
    from its blendshapes when one reaches its threshold (its movement pattern is then checked, as for any
    segment, by :mod:`facebalance.dynamics.reading`). An unnamed photo whose blendshapes stay under every
    threshold is not used: recognising it from its movement alone named 3 of the 51 London neutral/smiling
    pairs a pucker and 1 a brow raise (the least animated photo, taken as rest, was the smiling one), for 4
    subtle smiles gained, so a subtle expression needs its label (the clinic app always labels its views).

    Parameters
    ----------
    stems : list of str
        File names without extension, in the order given.
    activations : ndarray of shape (P, E)
        Activation above rest of each movement expression.
    usable : ndarray of shape (P,), bool
    script : Script
    rest_index : int
        The rest photo (the reference of every movement).
    """
    specs = script.movements
    thresholds = np.array([e.threshold for e in specs])
    found: list[Segment] = []
    warnings: list[str] = []
    rest = np.zeros(len(stems), dtype=bool)
    rest[rest_index] = True
    for i, stem in enumerate(stems):
        if i == rest_index:
            continue
        if not usable[i]:
            warnings.append(f"Photo {stem} has no usable face and is not measured.")
            continue
        named = expression_from_name(stem, script.expressions)
        ratio = activations[i] / thresholds
        if named is not None and named.kind is ExpressionKind.REST:
            warnings.append(f"Photo {stem} is a second rest photo; {stems[rest_index]} is the reference.")
            continue
        if named is not None:
            e = specs.index(named)
            if ratio[e] < script.segmentation.hysteresis_fraction:
                warnings.append(
                    f"Photo {stem} is named {named.name} but the face shows little of it (activation "
                    f"{activations[i, e]:.2f}, threshold {named.threshold:.2f}); it is measured as named."
                )
        else:
            ratio = np.where([not spec.prompt_only for spec in specs], ratio, -np.inf)
            if ratio.max() < 1.0:
                warnings.append(
                    f"Photo {stem} shows no recognisable expression; it is not used. Name the file after its "
                    "expression (e.g. smile.jpg)."
                )
                continue
            e = int(np.argmax(ratio))
        spec = specs[e]
        found.append(
            Segment(
                name=spec.name,
                kind=spec.kind,
                start=i,
                end=i,
                peak=i,
                start_s=float(i),
                end_s=float(i),
                peak_s=float(i),
                peak_activation=float(activations[i, e]),
                usable_fraction=1.0,
                primary=False,
                prompted=named is not None,
            )
        )
    return _finish(found, script, warnings, rest)


def segment_prompted(
    times_s: np.ndarray,
    activations: np.ndarray,
    usable: np.ndarray,
    peak_signals: np.ndarray,
    script: Script,
    prompts: tuple[Prompt, ...],
) -> Segmentation:
    """Segment a guided recording by its prompts: one segment per movement prompt, its peak the largest
    movement of the prompted expression inside the prompt's window.

    The segment spans the frames around the peak where the expression's activation stays above the
    hysteresis fraction of its threshold (the whole window when it never gets there, or for a prompt-only
    expression without blendshapes). A prompt whose window holds no usable face gives a note, and its
    expression is missing. Whether the movement shows the expression is judged afterwards
    (:mod:`facebalance.dynamics.reading`).

    Examples
    --------
    A smile prompted from 3 s to 6 s, made from 3.5 s to 5 s, in a 10 fps recording:

    >>> from facebalance.dynamics.script import load_script
    >>> script = load_script()
    >>> t = np.arange(80) / 10
    >>> act = np.zeros((80, len(script.movements)))
    >>> smile = [e.name for e in script.movements].index("smile")
    >>> act[35:51, smile] = 0.8
    >>> seg = segment_prompted(t, act, np.ones(80, bool), act.copy(), script,
    ...                        (Prompt("rest", 0, 3), Prompt("smile", 3, 6)))
    >>> [(s.name, s.start_s, s.end_s, s.prompted) for s in seg.segments]
    [('smile', 3.5, 5.0, True)]
    """
    settings = script.segmentation
    specs = script.movements
    names = [e.name for e in specs]
    times = np.asarray(times_s, dtype=np.float64)
    count = len(times)
    dt = float(np.median(np.diff(times))) if count > 1 else 1.0
    dt = dt if dt > 0 else 1.0 / 30.0
    act = rolling_median(np.asarray(activations, dtype=np.float64), _odd(max(1, round(settings.smoothing_s / dt))))
    act[~usable] = np.nan
    ratio = act / np.array([e.threshold for e in specs])
    peaks = np.asarray(peak_signals, dtype=np.float64)
    rest = np.zeros(count, dtype=bool)
    found: list[Segment] = []
    notes: list[str] = []
    for prompt in prompts:
        window = prompt_window(times, prompt) & usable
        if prompt.name not in names:
            rest |= window
            continue
        e = names.index(prompt.name)
        spec = specs[e]
        frames = np.flatnonzero(window)
        if len(frames) == 0:
            notes.append(
                f"No usable face while the {spec.label.lower()} prompt was up ({prompt.start_s:.1f}-"
                f"{prompt.end_s:.1f} s); it is not measured."
            )
            continue
        candidates = peaks[frames, e]
        if not np.isfinite(candidates).any():
            candidates = np.nan_to_num(act[frames, e], nan=-np.inf)
        peak = int(frames[int(np.nanargmax(candidates))])
        start = end = peak
        if spec.activation and np.isfinite(ratio[peak, e]) and ratio[peak, e] >= settings.hysteresis_fraction:
            while start - 1 >= frames[0] and window[start - 1] and ratio[start - 1, e] >= settings.hysteresis_fraction:
                start -= 1
            while end + 1 <= frames[-1] and window[end + 1] and ratio[end + 1, e] >= settings.hysteresis_fraction:
                end += 1
        else:
            start, end = int(frames[0]), int(frames[-1])
        span = slice(start, end + 1)
        over = np.nan_to_num(ratio[frames[0] : frames[-1] + 1, e]) >= 1.0
        held = max((b - a + 1 for _, a, b in _runs(np.where(over, 0, -1))), default=0) * dt
        found.append(
            Segment(
                name=spec.name,
                kind=spec.kind,
                start=start,
                end=end,
                peak=peak,
                start_s=float(times[start]),
                end_s=float(times[end]),
                peak_s=float(times[peak]),
                peak_activation=float(np.nan_to_num(act[peak, e])),
                usable_fraction=float(usable[span].mean()),
                primary=False,
                prompted=True,
                window=(int(frames[0]), int(frames[-1])),
                held_s=float(held) if spec.activation else None,
            )
        )
    asked = tuple(dict.fromkeys(p.name for p in prompts if p.name in names))
    return _finish(found, script, notes, rest, prompted=True, asked=asked)
