"""Rest vs smile: two photos of one person in one session must give the same eye distances.

The London set has, for each person, a neutral and a smiling studio photo taken in one session. Smiling
moves the mouth and cheeks, not the pupils or the eye corners' distance apart, so the interpupillary
distance and the intercanthal width of the two photos should agree; their difference is the engine's own
repeatability (landmarks and the per-photo iris ruler) on real photos. The scale-free ratio of the two
(intercanthal / interpupillary) separates the landmarks' share from the ruler's. ``facebalance eval
rest-smile`` runs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facebalance.analysis import analyze_photo
from facebalance.errors import FacebalanceError
from facebalance.evaluation.common import ResultTable, command_line, fmt, run_header, write_section
from facebalance.evaluation.london import read_london_info
from facebalance.evaluation.smile import london_pairs
from facebalance.vision import FaceLandmarker

SECTION = "eval-rest-smile"
#: The distances compared (both shared by a person's rest and smile photos).
DISTANCES: tuple[str, ...] = ("interpupillary_distance_mm", "intercanthal_width_mm")


@dataclass(frozen=True)
class PersonPair:
    """One person's rest and smile values: each distance, the ratio and the scale (mm per original pixel)."""

    person: str
    rest: dict[str, float]
    smile: dict[str, float]


@dataclass(frozen=True)
class RestSmileEval:
    people: tuple[PersonPair, ...]
    failures: tuple[tuple[str, str], ...]


def _values(analysis_values: dict[str, float | None], mm_per_px: float) -> dict[str, float]:
    out = {k: float(v) for k, v in analysis_values.items() if v is not None}
    if "interpupillary_distance_mm" in out and "intercanthal_width_mm" in out:
        out["intercanthal_to_interpupillary"] = out["intercanthal_width_mm"] / out["interpupillary_distance_mm"]
    out["mm_per_px"] = mm_per_px
    return out


def evaluate_people(
    pairs: list[tuple[str, Path, Path]], info: dict[str, dict[str, str]], *, console: Console
) -> RestSmileEval:
    people: list[PersonPair] = []
    failures: list[tuple[str, str]] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with FaceLandmarker() as landmarker, progress:
        task = progress.add_task("rest and smile", total=len(pairs))
        for person, rest, smile in pairs:
            who = info.get(person, {})
            try:
                measured = []
                for photo in (rest, smile):
                    a = analyze_photo(photo, sex=who.get("sex"), ethnicity=who.get("ancestry"), landmarker=landmarker)
                    scale = a.assessment.calibration.mm_per_px / a.image.scale_to_full
                    measured.append(_values({d: a.assessment.measurements[d].value for d in DISTANCES}, scale))
                people.append(PersonPair(person, measured[0], measured[1]))
            except FacebalanceError as exc:
                failures.append((person, exc.message))
            progress.advance(task)
    return RestSmileEval(tuple(people), tuple(failures))


def _row(name: str, unit: str, diffs: np.ndarray, digits: int) -> tuple[str, ...]:
    if len(diffs) == 0:
        return (name, unit, "0", "—", "—", "—", "—")
    return (
        name,
        unit,
        str(len(diffs)),
        fmt(float(np.abs(diffs).mean()), digits),
        fmt(float(diffs.mean()), digits, signed=True),
        fmt(float(diffs.std(ddof=1)) if len(diffs) > 1 else math.nan, digits),
        fmt(float(np.abs(diffs).max()), digits),
    )


def build_tables(result: RestSmileEval) -> dict[str, ResultTable]:
    def diffs(key: str) -> np.ndarray:
        return np.array([p.smile[key] - p.rest[key] for p in result.people if key in p.smile and key in p.rest])

    scale = diffs("mm_per_px") / np.array([p.rest["mm_per_px"] for p in result.people]) * 100.0
    rows = [
        _row("interpupillary_distance_mm", "mm", diffs("interpupillary_distance_mm"), 2),
        _row("intercanthal_width_mm", "mm", diffs("intercanthal_width_mm"), 2),
        _row("intercanthal / interpupillary", "ratio", diffs("intercanthal_to_interpupillary"), 4),
        _row("scale (mm per pixel)", "%", scale, 2),
    ]
    table = ResultTable(
        "Smile minus rest, same person and session",
        ("quantity", "unit", "people", "MAD", "mean difference", "SD of difference", "max |difference|"),
        tuple(rows),
        "MAD: mean absolute difference between a person's smiling and neutral photo. The ratio needs no ruler "
        "(landmarks only); the scale row is the change of each photo's own iris ruler, in per cent.",
    )
    return {"summary": table}


def report_markdown(result: RestSmileEval, tables: dict[str, ResultTable], *, header: str) -> str:
    failed = "none" if not result.failures else "; ".join(f"{p}: {m}" for p, m in result.failures)
    return "\n".join(
        [
            "## Rest vs smile: the same person's eye distances (London set)",
            "",
            header,
            "",
            "Each person's neutral and smiling photos (one session) are analysed as frontal photos; the pupils' "
            "and the medial canthi's distances do not change with a smile, so their difference is the engine's "
            "repeatability on real photos, ruler included.",
            "",
            f"People: {len(result.people)}; not analysed: {failed}.",
            "",
            f"### {tables['summary'].title}",
            "",
            tables["summary"].to_markdown(),
        ]
    )


def run_rest_smile_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> RestSmileEval:
    """Analyse each London person's neutral and smiling photo; print and optionally write the differences."""
    pairs = london_pairs(dataset)[:limit]
    if not pairs:
        raise FileNotFoundError(f"no neutral/smiling pair under {dataset}")
    result = evaluate_people(pairs, read_london_info(dataset / "london_info.csv"), console=console)
    tables = build_tables(result)
    console.print(tables["summary"].to_rich())
    if write is not None:
        header = run_header(command_line("rest-smile", dataset, write=write, limit=limit))
        write_section(write, SECTION, report_markdown(result, tables, header=header))
        console.print(f"wrote the {SECTION} section of {write}")
    return result
