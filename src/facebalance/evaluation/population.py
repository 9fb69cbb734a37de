"""Population statistics of the engine's own measurements on a reference set (by sex).

Some measurements have no published norm on the same definition (the mesh's gonion and zygion proxies,
chin height from the labiomental fold). For those the default norm set uses the distribution measured by
this command on the London set, marked ``review = "measured"`` with the command and date, so that the
relationship rules (jaw vs cheekbones, chin vs jaw, nose vs chin) have a population to compare against.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

from facebalance.errors import FacebalanceError
from facebalance.evaluation.common import command_line, run_header, write_section

#: Measurements whose population norm comes from this command. A measurement of one side stands for both:
#: ``{side}`` is filled with right and left and the two sides are pooled (a norm must not depend on the side,
#: or a mirrored face would be judged differently).
POPULATION_MEASUREMENTS: tuple[str, ...] = (
    "bigonial_to_bizygomatic_ratio",
    "chin_height_mm",
    "bigonial_width_mm",
    "bizygomatic_width_mm",
    "fifth_central_fraction",
    "fifth_eye_{side}_fraction",
    "palpebral_fissure_width_{side}_mm",
    "brow_height_{side}_mm",
    "commissure_tilt_{side}_deg",
    "upper_to_lower_lip_ratio",
    "lower_face_ratio",
)


def measured_ids(measurement: str) -> tuple[str, ...]:
    """The engine's measurement ids a population row pools: both sides for a ``{side}`` measurement.

    >>> measured_ids("brow_height_{side}_mm")
    ('brow_height_right_mm', 'brow_height_left_mm')
    """
    if "{side}" not in measurement:
        return (measurement,)
    return tuple(measurement.format(side=side) for side in ("right", "left"))


def population_statistics(
    dataset: Path, *, limit: int | None = None, console: Console | None = None
) -> tuple[dict[str, dict[str, tuple[int, float, float]]], list[str]]:
    """Mean and SD of each measurement by sex over the neutral photos of a London-style dataset.

    Returns ``({measurement: {sex: (n, mean, sd)}}, failures)``; ``n`` counts values (two per face for a
    ``{side}`` measurement, both sides pooled).
    """
    from facebalance.analysis import analyze_photo
    from facebalance.vision import FaceLandmarker

    info = {row["face_id"]: row for row in csv.DictReader((dataset / "london_info.csv").open())}
    photos = sorted((dataset / "neutral").glob("*.jpg"))[:limit]
    values: dict[str, dict[str, list[float]]] = {m: {"female": [], "male": []} for m in POPULATION_MEASUREMENTS}
    failures: list[str] = []
    with FaceLandmarker() as landmarker:
        for photo in track(photos, description="measuring", console=console, disable=console is None):
            sex = info.get(photo.stem.split("_")[0], {}).get("face_gender")
            if sex not in ("female", "male"):
                continue
            try:
                result = analyze_photo(photo, sex=sex, landmarker=landmarker)
            except FacebalanceError as exc:
                failures.append(f"{photo.name}: {exc.message}")
                continue
            for m in POPULATION_MEASUREMENTS:
                for mid in measured_ids(m):
                    v = result.assessment.measurements[mid].value
                    if v is not None:
                        values[m][sex].append(v)
    stats = {
        m: {sex: (len(v), float(np.mean(v)), float(np.std(v, ddof=1))) for sex, v in by_sex.items() if len(v) > 1}
        for m, by_sex in values.items()
    }
    return stats, failures


def run_population_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> None:
    stats, failures = population_statistics(dataset, limit=limit, console=console)
    table = Table("measurement", "sex", "n", "mean", "SD", title=f"Population statistics, {dataset.name}")
    rows = []
    for m, by_sex in stats.items():
        for sex, (n, mean, sd) in by_sex.items():
            table.add_row(m, sex, str(n), f"{mean:.3f}", f"{sd:.3f}")
            rows.append(f"| `{m}` | {sex} | {n} | {mean:.3f} | {sd:.3f} |")
    console.print(table)
    for f in failures:
        console.print(f"[yellow]not analysed[/] {f}")
    if write is None:
        return
    section = "\n".join(
        [
            "## Population statistics of engine measurements (London set)",
            "",
            run_header(command_line("population", dataset, write=write, limit=limit)),
            "",
            'Used as `review = "measured"` norms where no published norm has the same definition. A `{side}` '
            "measurement pools the right and left values (n counts values, two per face): one norm for both sides.",
            "",
            "| measurement | sex | n | mean | SD |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Photos not analysed: {len(failures)}" + ("" if not failures else ": " + "; ".join(failures)),
        ]
    )
    write_section(write, "eval-population", section)
