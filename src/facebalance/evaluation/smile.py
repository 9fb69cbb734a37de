"""Smile excursions on the London set: each person's neutral and smiling photos as a two-photo series.

The Face Research Lab London Set [1]_ has, for each of its 51 people, a neutral studio frontal photo and a
smiling one taken in the same session. Each pair is assessed as a photo series (rest, smile) and the
mouth-corner excursion of each side is collected. There is no millimetre ground truth for movement; this
run gives the distribution the method produces on real smiles (the range a clinic should expect), how
often each side's corner was read from the image rather than the mesh, and how often a left/right
difference reaches the noticed-asymmetry threshold. ``facebalance eval smile`` runs it.

References
----------
.. [1] DeBruine L, Jones B. Face Research Lab London Set. figshare; 2017. doi:10.6084/m9.figshare.5047666
       (CC BY 4.0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facebalance.dynamics.assess import DynamicsOptions, assess_photos
from facebalance.dynamics.results import DynamicsResult
from facebalance.dynamics.tracker import PhotoFaceObserver
from facebalance.errors import FacebalanceError
from facebalance.evaluation.common import ResultTable, command_line, fmt, run_header, write_section
from facebalance.evaluation.london import read_sexes

SECTION = "eval-smile"
METRIC = "commissure_excursion_mm"


@dataclass(frozen=True)
class PersonSmile:
    """One person's smile excursion, per patient side, mm."""

    person: str
    sex: str
    right_mm: float
    left_mm: float
    right_sigma_mm: float
    left_sigma_mm: float
    right_source: str
    left_source: str
    mm_per_px: float
    noticed_at_mm: float | None
    verdict: str = ""
    findings: tuple[str, ...] = ()
    rest_findings: int = 0
    unlabelled: str = ""


@dataclass(frozen=True)
class SmileEval:
    people: tuple[PersonSmile, ...]
    failures: tuple[tuple[str, str], ...]


def unlabelled_outcome(result: DynamicsResult) -> str:
    """How the same pair reads without labels: ``smile``, another expression's name, ``unclassified``, or
    ``not recognised`` (the photo was dropped)."""
    if not result.expressions:
        return "not recognised"
    first = result.expressions[0]
    return first.name if first.classified else "unclassified"


def london_pairs(dataset: Path) -> list[tuple[str, Path, Path]]:
    """``(person, neutral photo, smiling photo)`` for every person with both, sorted."""
    pairs = []
    for neutral in sorted((dataset / "neutral").glob("*_03.jpg")):
        person = neutral.stem.split("_")[0]
        smiling = dataset / "smiling" / f"{person}_08.jpg"
        if smiling.exists():
            pairs.append((person, neutral, smiling))
    return pairs


def evaluate_pairs(
    pairs: list[tuple[str, Path, Path]], sexes: dict[str, str], *, progress: Progress | None = None
) -> SmileEval:
    people: list[PersonSmile] = []
    failures: list[tuple[str, str]] = []
    task = progress.add_task("London smiles", total=len(pairs)) if progress is not None else None
    options = DynamicsOptions()
    with PhotoFaceObserver(options.tracker) as observer:
        for person, neutral, smiling in pairs:
            try:
                result = assess_photos([neutral, smiling], options=options, observer=observer, labels=["rest", "smile"])
                unlabelled = assess_photos([neutral, smiling], options=options, observer=observer)
                read = result.expressions[0] if result.expressions else None
                smile = next((e for e in result.expressions if e.name == "smile"), None)
                metric = smile.metric(METRIC) if smile is not None else None
                if smile is None or metric is None or metric.left is None or metric.right is None:
                    why = read.reading.sentence() if read is not None and read.reading is not None else ""
                    failures.append((person, f"no smile measured {why}".strip()))
                else:
                    asym = smile.asymmetries.get(METRIC)
                    people.append(
                        PersonSmile(
                            person=person,
                            sex=sexes.get(person, "?"),
                            right_mm=metric.right.value,
                            left_mm=metric.left.value,
                            right_sigma_mm=metric.right.sigma,
                            left_sigma_mm=metric.left.sigma,
                            right_source=metric.right.source,
                            left_source=metric.left.source,
                            mm_per_px=result.calibration.mm_per_px,
                            noticed_at_mm=asym.noticed_at if asym is not None else None,
                            verdict=smile.reading.verdict.value if smile.reading is not None else "",
                            findings=tuple(f.id for f in result.findings),
                            rest_findings=sum(f.expression == "rest" for f in result.findings),
                            unlabelled=unlabelled_outcome(unlabelled),
                        )
                    )
            except FacebalanceError as exc:
                failures.append((person, exc.message))
            if progress is not None and task is not None:
                progress.advance(task)
    return SmileEval(tuple(people), tuple(failures))


def _describe(values: np.ndarray) -> tuple[str, ...]:
    if len(values) == 0:
        return ("0", "—", "—", "—", "—", "—", "—")
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    sd = float(values.std(ddof=1)) if len(values) > 1 else math.nan
    return (
        str(len(values)),
        fmt(float(values.mean()), 1),
        fmt(sd, 1),
        fmt(float(median), 1),
        f"{fmt(float(q1), 1)}–{fmt(float(q3), 1)}",
        fmt(float(values.min()), 1),
        fmt(float(values.max()), 1),
    )


def build_tables(result: SmileEval) -> dict[str, ResultTable]:
    people = result.people
    right = np.array([p.right_mm for p in people])
    left = np.array([p.left_mm for p in people])
    diff = left - right
    columns = ("", "n", "mean", "SD", "median", "IQR", "min", "max")
    rows = [
        ("patient's right", *_describe(right)),
        ("patient's left", *_describe(left)),
        ("mean of both sides", *_describe((right + left) / 2)),
        ("left − right", *_describe(diff)),
        ("|left − right|", *_describe(np.abs(diff))),
    ]
    for sex in ("female", "male"):
        chosen = np.array([(p.right_mm + p.left_mm) / 2 for p in people if p.sex == sex])
        rows.append((f"mean of sides, {sex}", *_describe(chosen)))
    noticed = [p for p in people if p.noticed_at_mm is not None and abs(p.left_mm - p.right_mm) >= p.noticed_at_mm]
    image_sides = sum((p.right_source == "image") + (p.left_source == "image") for p in people)
    sigma = np.array([s for p in people for s in (p.right_sigma_mm, p.left_sigma_mm)])
    threshold = people[0].noticed_at_mm if people else None
    note = (
        f"Mouth-corner excursion from the neutral photo (rest) to the smiling photo, mm, per patient side. "
        f"{len(noticed)} of {len(people)} people have a left/right difference at or beyond the "
        f"{fmt(threshold, 1)} mm noticed-asymmetry threshold. {image_sides} of {2 * len(people)} corners were "
        f"read from the image (the others from the face mesh: the corner's look changed too much). Median "
        f"one-sigma uncertainty per side {fmt(float(np.median(sigma)) if len(sigma) else None, 1)} mm."
    )
    distribution = ResultTable("Smile commissure excursion (mm)", columns, tuple(rows), note)
    per_person = ResultTable(
        "Per person",
        ("person", "sex", "right mm", "left mm", "left − right", "source (R/L)", "mm/px"),
        tuple(
            (
                p.person,
                p.sex,
                fmt(p.right_mm, 1),
                fmt(p.left_mm, 1),
                fmt(p.left_mm - p.right_mm, 1, signed=True),
                f"{p.right_source}/{p.left_source}",
                fmt(p.mm_per_px, 3),
            )
            for p in people
        ),
    )
    return {"distribution": distribution, "per_person": per_person, "reading": reading_table(result)}


def reading_table(result: SmileEval) -> ResultTable:
    """How each labelled smile read against the smile's movement pattern, what the labelled series proposed,
    and how the same pairs read without labels."""
    people = result.people
    rows: list[tuple[str, ...]] = []
    for verdict in ("matched", "weak", "conflict"):
        rows.append((f"labelled smile read as {verdict}", str(sum(p.verdict == verdict for p in people))))
    rest_findings = sum(p.rest_findings > 0 for p in people)
    rows.append(("labelled series with a rest finding (the neutral photo is at rest by design)", str(rest_findings)))
    proposed: dict[str, int] = {}
    for p in people:
        for f in p.findings:
            proposed[f] = proposed.get(f, 0) + 1
    for finding, count in sorted(proposed.items()):
        rows.append((f"labelled series proposing {finding}", str(count)))
    outcomes: dict[str, int] = {}
    for p in people:
        outcomes[p.unlabelled] = outcomes.get(p.unlabelled, 0) + 1
    for outcome, count in sorted(outcomes.items()):
        rows.append((f"unlabelled pair read as {outcome}", str(count)))
    note = (
        "The same pairs assessed labelled (rest, smile) and unlabelled (each photo recognised from its blendshapes, "
        "the least animated photo taken as rest). A labelled smile is 'weak' when its movement falls short of the "
        "smile's pattern (measured as labelled, with a warning) and a 'conflict' when it shows another movement; an "
        "unlabelled photo under every blendshape threshold is not used (the clinic app labels its views)."
    )
    return ResultTable("Reading of the smiles (movement patterns)", ("", "people"), tuple(rows), note)


def report_markdown(result: SmileEval, tables: dict[str, ResultTable], *, header: str) -> str:
    failed = "none" if not result.failures else "; ".join(f"{p}: {m}" for p, m in result.failures)
    return "\n".join(
        [
            "## Smile excursions on the London neutral/smiling pairs",
            "",
            header,
            "",
            "Each person's neutral photo (rest) and smiling photo form a two-photo series assessed by "
            "`facebalance.dynamics` (head motion removed on the stable points, iris calibration of the rest photo, "
            "corners read from the image where the tissue keeps its look, else from the mesh). The London set has "
            "no millimetre ground truth for movement: this is the distribution the method gives on real smiles, "
            "not an accuracy figure (see the metamorphic tests in `tests/dynamics` for measured accuracy).",
            "",
            f"People assessed: {len(result.people)}; failed: {failed}.",
            "",
            f"### {tables['distribution'].title}",
            "",
            tables["distribution"].to_markdown(),
            "",
            f"### {tables['reading'].title}",
            "",
            tables["reading"].to_markdown(),
            "",
            f"### {tables['per_person'].title}",
            "",
            tables["per_person"].to_markdown(),
        ]
    )


def run_smile_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> SmileEval:
    """Assess every London neutral/smiling pair, print the distribution, and optionally write it.

    Parameters
    ----------
    dataset : Path
        The London set folder (``neutral/NNN_03.jpg``, ``smiling/NNN_08.jpg``, ``london_info.csv``).
    write : Path, optional
        Markdown file whose ``eval-smile`` section is replaced (or appended).
    limit : int, optional
        Only the first N people.
    """
    pairs = london_pairs(dataset)
    if limit is not None:
        pairs = pairs[:limit]
    if not pairs:
        raise FileNotFoundError(f"no neutral/smiling pair under {dataset}")
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        result = evaluate_pairs(pairs, read_sexes(dataset / "london_info.csv"), progress=progress)
    tables = build_tables(result)
    console.print(tables["distribution"].to_rich())
    console.print(tables["reading"].to_rich())
    if write is not None:
        header = run_header(command_line("smile", dataset, write=write, limit=limit))
        write_section(write, SECTION, report_markdown(result, tables, header=header))
        console.print(f"wrote section {SECTION!r} of {write}")
    return result
