"""Photo vs its mirror image: the same face must give the mirrored measurements and findings.

No annotator is needed: each London photo is analysed as it is and mirrored left to right (the decoded
pixels flipped and handed over losslessly, so both analyses see exactly the same pixels). Every
measurement of the mirror is compared with its partner in the photo: left and right swap, and the signed
left-minus-right and midline values (the symmetry zone) change sign. The findings must be the same with
left and right swapped. ``facebalance eval mirror`` runs it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facebalance.analysis import analyze_photo
from facebalance.errors import FacebalanceError
from facebalance.evaluation.common import ResultTable, command_line, fmt, run_header, write_section
from facebalance.evaluation.london import neutral_photos, read_london_info
from facebalance.photo import PhotoAnalysis
from facebalance.vision import FaceLandmarker
from facebalance.zones.base import Measurement, Unit, Zone

SECTION = "eval-mirror"


def swap_sides(name: str) -> str:
    """A measurement or finding id with the patient's left and right swapped.

    >>> swap_sides("brow_height_left_mm"), swap_sides("commissure_tilt_right_deg_below")
    ('brow_height_right_mm', 'commissure_tilt_left_deg_below')
    """
    return name.replace("right", "\0").replace("left", "right").replace("\0", "left")


def mirrored_value(m: Measurement) -> float | None:
    """What the mirror image's partner of ``m`` should read: the same value, negated for the signed
    left-minus-right and midline-deviation measurements of the symmetry zone."""
    if m.value is None:
        return None
    return -m.value if m.zone is Zone.SYMMETRY else m.value


def mirrored_png(rgb: np.ndarray) -> bytes:
    """The image flipped left to right, as a lossless PNG."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb[:, ::-1])).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class MirrorPair:
    """One photo analysed as it is and mirrored."""

    name: str
    photo: PhotoAnalysis
    mirror: PhotoAnalysis

    def differences_mm(self) -> dict[str, float]:
        """|photo - mirrored partner| for every millimetre measurement both analyses made."""
        out: dict[str, float] = {}
        mine, theirs = self.photo.assessment.measurements, self.mirror.assessment.measurements
        for mid, m in mine.items():
            other = theirs.get(swap_sides(mid))
            expected = mirrored_value(m)
            if m.unit is not Unit.MM or other is None or other.value is None or expected is None:
                continue
            out[mid] = abs(other.value - expected)
        return out

    def missing_on_one_side(self) -> list[str]:
        """Measurements made on one of the two and not on the other."""
        mine, theirs = self.photo.assessment.measurements, self.mirror.assessment.measurements
        return [
            mid
            for mid, m in mine.items()
            if (m.value is None) != (theirs.get(swap_sides(mid)) is None or theirs[swap_sides(mid)].value is None)
        ]

    def findings_mirrored(self) -> bool:
        photo = sorted(swap_sides(f.id) for f in self.photo.assessment.findings)
        return photo == sorted(f.id for f in self.mirror.assessment.findings)


def analyse_with_mirror(
    photos: list[Path], info: dict[str, dict[str, str]], *, console: Console, label: str
) -> Iterator[MirrorPair | tuple[str, str]]:
    """Each photo and its mirror analysed with the person's sex and ancestry; a failure as ``(name, message)``."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with FaceLandmarker() as landmarker, progress:
        task = progress.add_task(label, total=len(photos))
        for photo in photos:
            person = info.get(photo.stem.split("_")[0], {})
            sex, ethnicity = person.get("sex"), person.get("ancestry")
            try:
                original = analyze_photo(photo, sex=sex, ethnicity=ethnicity, landmarker=landmarker)
                mirrored = analyze_photo(
                    mirrored_png(original.image.rgb), sex=sex, ethnicity=ethnicity, landmarker=landmarker
                )
                yield MirrorPair(photo.stem, original, mirrored)
            except FacebalanceError as exc:
                yield (photo.stem, exc.message)
            progress.advance(task)


@dataclass(frozen=True)
class MirrorEval:
    pairs: tuple[MirrorPair, ...]
    failures: tuple[tuple[str, str], ...]

    def all_differences(self) -> np.ndarray:
        return np.array([v for p in self.pairs for v in p.differences_mm().values()])


def build_tables(result: MirrorEval) -> dict[str, ResultTable]:
    diffs = result.all_differences()
    mirrored = sum(p.findings_mirrored() for p in result.pairs)
    missing = sum(len(p.missing_on_one_side()) for p in result.pairs)
    n = len(result.pairs)
    summary = ResultTable(
        "Photo vs mirror image",
        (
            "photos",
            "mm values compared",
            "median |diff| mm",
            "95th percentile mm",
            "max mm",
            "measured on one side only",
            "findings mirrored",
        ),
        (
            (
                str(n),
                str(len(diffs)),
                fmt(float(np.median(diffs)) if len(diffs) else math.nan, 3),
                fmt(float(np.percentile(diffs, 95)) if len(diffs) else math.nan, 3),
                fmt(float(diffs.max()) if len(diffs) else math.nan, 3),
                str(missing),
                f"{mirrored} of {n} ({mirrored / n:.0%})" if n else "0",
            ),
        ),
        "Each mm measurement of the mirror is compared with its partner in the photo (left and right "
        "swapped; left-minus-right and midline values negated). Findings are mirrored when the photo's, "
        "left and right swapped, are exactly the mirror's.",
    )
    per_measure: dict[str, list[float]] = {}
    for p in result.pairs:
        for mid, v in p.differences_mm().items():
            per_measure.setdefault(mid, []).append(v)
    worst = sorted(per_measure.items(), key=lambda kv: -max(kv[1]))[:8]
    largest = ResultTable(
        "Largest photo-mirror differences by measurement",
        ("measurement", "n", "median mm", "max mm"),
        tuple((mid, str(len(v)), fmt(float(np.median(v)), 3), fmt(float(max(v)), 3)) for mid, v in worst),
    )
    return {"summary": summary, "largest": largest}


def report_markdown(result: MirrorEval, tables: dict[str, ResultTable], *, header: str) -> str:
    failed = "none" if not result.failures else "; ".join(f"{p}: {m}" for p, m in result.failures)
    lines = [
        "## Photo vs mirror image (London set)",
        "",
        header,
        "",
        "Each neutral photo is analysed as it is and mirrored left to right (the decoded pixels, losslessly). "
        "The face is found in the photo and in its mirror and the two detections averaged, and every point "
        "read from the image is searched symmetrically, so the two analyses should agree to rounding.",
        "",
        f"Photos not analysed: {failed}.",
    ]
    for table in tables.values():
        lines += ["", f"### {table.title}", "", table.to_markdown()]
    return "\n".join(lines) + "\n"


def run_mirror_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> MirrorEval:
    """Analyse every neutral London photo and its mirror, print the agreement, optionally write it."""
    photos = neutral_photos(dataset)[:limit]
    if not photos:
        raise FileNotFoundError(f"no photo with a .tem template under {dataset}")
    pairs: list[MirrorPair] = []
    failures: list[tuple[str, str]] = []
    info = read_london_info(dataset / "london_info.csv")
    for item in analyse_with_mirror(photos, info, console=console, label="photo and mirror"):
        if isinstance(item, MirrorPair):
            pairs.append(item)
        else:
            failures.append(item)
    result = MirrorEval(tuple(pairs), tuple(failures))
    tables = build_tables(result)
    for table in tables.values():
        console.print(table.to_rich())
    if write is not None:
        header = run_header(command_line("mirror", dataset, write=write, limit=limit))
        write_section(write, SECTION, report_markdown(result, tables, header=header))
        console.print(f"wrote the {SECTION} section of {write}")
    return result
