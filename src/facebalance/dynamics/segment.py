"""Cutting a recording into expressions and finding each one's peak (pure).

A frame belongs to the expression whose activation is highest relative to its threshold, when that ratio
reaches one (:mod:`facebalance.dynamics.script`). Runs of one expression are merged across short gaps,
widened to where the activation falls below the hysteresis fraction, and dropped when shorter than the
expression's minimum duration (a blink is not a tight eye closure). The peak is the frame of largest
movement (:func:`facebalance.dynamics.signals.peak_signal`) inside the segment. An expression seen more
than once is reported each time; the strongest is the one the findings use (``primary``).

For a photo series each photo is one "frame" and one segment: named by its file name when that contains
one of the expression's aliases, otherwise recognised from its activations.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

import numpy as np

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
    """

    segments: tuple[Segment, ...]
    rest: np.ndarray
    missing: tuple[str, ...]
    warnings: tuple[str, ...]


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


def _finish(found: list[Segment], script: Script, extra_warnings: list[str], rest: np.ndarray) -> Segmentation:
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
        count = sum(s.name == seg.name for s in found)
        if count > 1:
            notes.append(
                f"{seg.name} was seen {count} times; "
                + (
                    "this, the strongest, is used for the findings."
                    if primary
                    else "the strongest occurrence is used for the findings."
                )
            )
        segments.append(replace(seg, primary=primary, warnings=tuple(notes)))
    expected = [e.name for e in script.movements]
    order = [s.name for s in sorted(strongest.values(), key=lambda s: s.start)]
    if order != [n for n in expected if n in strongest]:
        warnings.append(
            f"The expressions came in the order {', '.join(order)}, not the script's; each was "
            "recognised from the face, so the measurements stand."
        )
    missing = tuple(n for n in expected if n not in strongest)
    return Segmentation(segments=tuple(segments), rest=rest, missing=missing, warnings=tuple(warnings))


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
    """
    words = _words(stem)
    hits = [e for e in expressions if words & set(e.aliases)]
    return hits[0] if len(hits) == 1 else None


def segment_photos(
    stems: list[str], activations: np.ndarray, usable: np.ndarray, script: Script, *, rest_index: int
) -> Segmentation:
    """One segment per recognised photo of a series; times are photo indices.

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
        elif ratio.max() >= 1.0:
            e = int(np.argmax(ratio))
        else:
            warnings.append(
                f"Photo {stem} shows no recognisable expression; it is not used. Name the file after its "
                "expression (e.g. smile.jpg)."
            )
            continue
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
            )
        )
    return _finish(found, script, warnings, rest)
