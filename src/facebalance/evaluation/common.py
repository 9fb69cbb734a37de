"""Shared pieces of the accuracy evaluations: agreement statistics, result tables, the markdown report.

Everything here is pure except :func:`write_section`, which updates one delimited section of a markdown
file and leaves the rest of the file as it was.

References
----------
.. [1] Shrout PE, Fleiss JL. Intraclass correlations: uses in assessing rater reliability. Psychol Bull.
       1979;86(2):420-428.
.. [2] McGraw KO, Wong SP. Forming inferences about some intraclass correlation coefficients. Psychol
       Methods. 1996;1(1):30-46.
.. [3] Koo TK, Li MY. A guideline of selecting and reporting intraclass correlation coefficients for
       reliability research. J Chiropr Med. 2016;15(2):155-163.
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.table import Table


@dataclass(frozen=True)
class _TwoWayAnova:
    """Mean squares of a two-way ANOVA without replication (subjects x raters)."""

    n: int
    k: int
    ms_rows: float
    ms_cols: float
    ms_error: float


def _two_way_anova(ratings: np.ndarray) -> _TwoWayAnova:
    y = np.asarray(ratings, dtype=np.float64)
    if y.ndim != 2 or y.shape[0] < 2 or y.shape[1] < 2:
        raise ValueError(f"ratings must be (n subjects >= 2, k raters >= 2), got shape {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError("ratings must be finite; drop subjects with a missing rating first")
    n, k = y.shape
    grand = y.mean()
    ss_rows = k * float(((y.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((y.mean(axis=0) - grand) ** 2).sum())
    ss_error = float(((y - grand) ** 2).sum()) - ss_rows - ss_cols
    return _TwoWayAnova(
        n=n, k=k, ms_rows=ss_rows / (n - 1), ms_cols=ss_cols / (k - 1), ms_error=ss_error / ((n - 1) * (k - 1))
    )


def icc_absolute_agreement(ratings: np.ndarray) -> float:
    """ICC(2,1): two-way random effects, absolute agreement, single rater (McGraw & Wong ICC(A,1)).

    A systematic offset between raters counts as disagreement, which is what matters when one rater
    (the engine) replaces another (a clinician with a ruler).

    Parameters
    ----------
    ratings : ndarray of shape (n, k)
        ``n`` subjects (faces) rated by ``k`` raters (e.g. template and engine), all finite.

    Returns
    -------
    float
        The coefficient; ``nan`` when the ratings have no variance at all.

    Examples
    --------
    >>> truth = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> icc_absolute_agreement(np.column_stack([truth, truth]))
    1.0
    >>> round(icc_absolute_agreement(np.column_stack([truth, truth + 1.0])), 3)
    0.833
    """
    a = _two_way_anova(ratings)
    denominator = a.ms_rows + (a.k - 1) * a.ms_error + a.k / a.n * (a.ms_cols - a.ms_error)
    return _finite_ratio(a.ms_rows - a.ms_error, denominator)


def icc_consistency(ratings: np.ndarray) -> float:
    """ICC(3,1): two-way mixed effects, consistency, single rater (McGraw & Wong ICC(C,1)).

    Ignores a constant offset between raters; shown beside ICC(2,1) to tell bias from scatter.

    Examples
    --------
    >>> truth = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> icc_consistency(np.column_stack([truth, truth + 1.0]))
    1.0
    """
    a = _two_way_anova(ratings)
    return _finite_ratio(a.ms_rows - a.ms_error, a.ms_rows + (a.k - 1) * a.ms_error)


def _finite_ratio(numerator: float, denominator: float) -> float:
    if denominator <= 0 or not math.isfinite(denominator):
        return math.nan
    # Round away the last-bit noise so that perfect agreement reads exactly 1.0.
    return round(numerator / denominator, 12)


@dataclass(frozen=True)
class Agreement:
    """How a test method (the engine) agrees with a reference (hand-placed points) on paired values.

    Attributes
    ----------
    n : int
        Pairs where both values exist.
    bias : float
        Mean signed difference, test minus reference.
    mad : float
        Mean absolute difference.
    sd_difference : float
        SD of the signed differences (the random part of the error).
    icc_a1 : float
        ICC(2,1), absolute agreement.
    icc_c1 : float
        ICC(3,1), consistency.
    reference_mean : float
        Mean of the reference values, for scale.
    """

    n: int
    bias: float
    mad: float
    sd_difference: float
    icc_a1: float
    icc_c1: float
    reference_mean: float


def agreement(reference: Sequence[float | None], test: Sequence[float | None]) -> Agreement:
    """Paired agreement statistics, skipping pairs where either value is missing.

    Examples
    --------
    >>> a = agreement([10.0, 12.0, 14.0, None], [11.0, 13.0, 15.0, 9.0])
    >>> a.n, a.bias, a.mad
    (3, 1.0, 1.0)
    """
    pairs = [
        (float(r), float(t))
        for r, t in zip(reference, test, strict=True)
        if r is not None and t is not None and math.isfinite(r) and math.isfinite(t)
    ]
    if not pairs:
        return Agreement(0, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    arr = np.array(pairs)
    diff = arr[:, 1] - arr[:, 0]
    enough = len(pairs) >= 2
    return Agreement(
        n=len(pairs),
        bias=float(diff.mean()),
        mad=float(np.abs(diff).mean()),
        sd_difference=float(diff.std(ddof=1)) if enough else math.nan,
        icc_a1=icc_absolute_agreement(arr) if enough else math.nan,
        icc_c1=icc_consistency(arr) if enough else math.nan,
        reference_mean=float(arr[:, 0].mean()),
    )


@dataclass(frozen=True)
class ResultTable:
    """A table of already-formatted cells, shown in the terminal and written as markdown."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""

    def to_rich(self) -> Table:
        table = Table(*self.columns, title=self.title, caption=self.note or None, caption_justify="left")
        for row in self.rows:
            table.add_row(*row)
        return table

    def to_markdown(self) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        lines = [f"| {' | '.join(cell(c) for c in self.columns)} |", f"|{'|'.join('---' for _ in self.columns)}|"]
        lines += [f"| {' | '.join(cell(c) for c in row)} |" for row in self.rows]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def fmt(value: float | None, digits: int = 2, *, signed: bool = False) -> str:
    """A number for a table cell; missing or non-finite values show as an em dash."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def machine_description() -> str:
    """Platform, CPU count and Python version of this run, for the report."""
    import mediapipe

    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"mediapipe {mediapipe.__version__}"
    )


def run_header(command: str, *, now: datetime | None = None) -> str:
    """The lines that open every written section: the command, the date (UTC) and the machine."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"- command: `{command}`",
            f"- date: {stamp}",
            f"- machine: {machine_description()}",
        ]
    )


def command_line(subcommand: str, dataset: Path, *, write: Path | None, limit: int | None) -> str:
    """The ``facebalance eval ...`` command that reproduces a run with these arguments."""
    parts = ["facebalance", "eval", subcommand, "--dataset", str(dataset)]
    if write is not None:
        parts += ["--write", str(write)]
    if limit is not None:
        parts += ["--limit", str(limit)]
    return " ".join(parts)


def section_markers(name: str) -> tuple[str, str]:
    return f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"


def replace_section(document: str, name: str, body: str) -> str:
    """``document`` with the section ``name`` replaced by ``body``, or appended when it is not there yet.

    Examples
    --------
    >>> doc = "intro\\n<!-- BEGIN x -->\\nold\\n<!-- END x -->\\nafter\\n"
    >>> print(replace_section(doc, "x", "new"), end="")
    intro
    <!-- BEGIN x -->
    new
    <!-- END x -->
    after
    """
    begin, end = section_markers(name)
    block = f"{begin}\n{body.strip()}\n{end}"
    start = document.find(begin)
    stop = document.find(end, start + len(begin)) if start >= 0 else -1
    if start >= 0 and stop >= 0:
        return document[:start] + block + document[stop + len(end) :]
    if start >= 0 or document.find(end) >= 0:
        raise ValueError(f"the section markers for {name!r} are unbalanced; fix the file by hand")
    # One blank line between the existing text and the new section.
    if not document or document.endswith("\n\n"):
        separator = ""
    elif document.endswith("\n"):
        separator = "\n"
    else:
        separator = "\n\n"
    return f"{document}{separator}{block}\n"


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or append) the delimited section ``name`` of the markdown file at ``path``.

    Written through a temporary file and a rename, so an interrupted run never leaves half a file.
    """
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = replace_section(document, name, body)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(updated, encoding="utf-8")
    tmp.replace(path)
