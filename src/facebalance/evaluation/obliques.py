"""The oblique path on real three-quarter photos: share read, reasons, and the far-side outline error.

The development set (``w300_oblique_dev``: HELEN photos re-annotated for 300-W [1]_) gives 68 iBUG points per
face, one ``x y`` line each, 0-indexed pixels, no header. Points 0-16 trace the visible face outline from the
image-left ear over the chin to the image-right ear ("left" is image-left). On the side the nose points to
they follow the far cheek's silhouette: read on overlays, the far-side run is points 8-16 when the nose
points to the image right (16 at the level of the eye, 8 the lowest point of the chin) and 0-8 when it
points left. Those nine points are compared with the predicted ``outline.far_side``: each point's distance to
the polyline, divided by the annotated nasion-to-chin length (iBUG 27 to 8). Points outside the photo are not
scored. The mesh's own far-side silhouette (the prior the refinement starts from) is scored the same way, to
show what the refinement on the photo adds.

:func:`run_iris_aspect_eval` measures the constant of the turned-head iris ruler
(:mod:`facebalance.oblique.calibration`) on frontal photos.

This evaluation data is research/non-commercial: it is read from outside the repository and never copied
into it.

References
----------
.. [1] Sagonas C, Antonakos E, Tzimiropoulos G, Zafeiriou S, Pantic M. 300 Faces In-the-Wild Challenge:
       database and results. Image Vis Comput. 2016;47:3-18.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facebalance.anatomy.landmarks import IRIS_DIAMETER_ENDS
from facebalance.errors import FacebalanceError
from facebalance.evaluation.common import ResultTable, command_line, fmt, run_header, write_section
from facebalance.evaluation.lfpw import annotated_images, read_pts
from facebalance.geometry.iris import iris_diameters_px
from facebalance.oblique.analysis import ObliqueAnalysis, analyze_oblique
from facebalance.oblique.calibration import vertical_iris_diameters_px
from facebalance.oblique.points import ObliquePoint
from facebalance.vision import FaceLandmarker, load_image

#: Sections this module owns in the markdown report.
SECTION = "eval-obliques"
IRIS_SECTION = "eval-iris-aspect"
#: iBUG indices (0-based) of the annotated nasion and the lowest point of the chin.
IBUG_NASION = 27
IBUG_CHIN = 8
IBUG_NOSE_TIP = 30
#: The far-side silhouette's iBUG points, from the eye level down to the chin, by the way the nose points.
FAR_SIDE_NOSE_RIGHT = (16, 15, 14, 13, 12, 11, 10, 9, 8)
FAR_SIDE_NOSE_LEFT = (0, 1, 2, 3, 4, 5, 6, 7, 8)
#: A read whose far-side points lie further than this (median, nasion-to-chin lengths) from its outline read
#: another face than the annotated one.
OTHER_FACE_DISTANCE = 0.5


def read_bare_pts(path: Path) -> np.ndarray:
    """An iBUG ``.pts`` file as an (N, 2) array of 0-indexed pixels.

    Bare ``x y`` lines (the oblique development set: already 0-indexed), or the 300-W format with a
    ``version``/``n_points`` header and braces (1-indexed, read by :func:`facebalance.evaluation.lfpw.read_pts`).

    Raises
    ------
    ValueError
        A line is not two numbers.
    """
    text = path.read_text(encoding="utf-8")
    if "n_points" in text:
        return read_pts(path)
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if any(len(r) != 2 for r in rows):
        raise ValueError(f"{path.name}: expected one 'x y' pair per line")
    return np.array(rows, dtype=np.float64)


def far_side_indices(truth: np.ndarray) -> tuple[int, ...]:
    """The annotated far-side run: the side the nose tip points to, against the outline's two ends."""
    middle = 0.5 * (truth[0, 0] + truth[16, 0])
    return FAR_SIDE_NOSE_RIGHT if truth[IBUG_NOSE_TIP, 0] > middle else FAR_SIDE_NOSE_LEFT


def distance_to_polyline(points: np.ndarray, polyline: np.ndarray) -> np.ndarray:
    """Distance of each point (N, 2) to the nearest segment of a polyline (M, 2).

    Examples
    --------
    >>> distance_to_polyline(np.array([[1.0, 2.0], [5.0, 0.0]]), np.array([[0.0, 0.0], [3.0, 0.0]])).tolist()
    [2.0, 2.0]
    """
    a = polyline[:-1][None, :, :]
    d = (polyline[1:] - polyline[:-1])[None, :, :]
    p = np.asarray(points, dtype=np.float64)[:, None, :]
    t = np.clip(((p - a) * d).sum(axis=2) / np.maximum((d * d).sum(axis=2), 1e-12), 0.0, 1.0)
    nearest = a + t[..., None] * d
    distance: np.ndarray = np.sqrt(((nearest - p) ** 2).sum(axis=2)).min(axis=1)
    return distance


@dataclass
class PhotoScore:
    """One photo read: the far-side points' normalised distances to the outline and to the mesh's prior."""

    name: str
    view: str
    yaw_deg: float
    indices: tuple[int, ...]
    positions: tuple[int, ...]
    errors: np.ndarray
    prior_errors: np.ndarray
    outside_photo: int
    seconds: float
    apex_below_canthal_line: float | None = None
    apex_height_ratio: float | None = None


@dataclass
class ObliqueEval:
    total: int
    scores: list[PhotoScore] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def read(self) -> int:
        return len(self.scores)

    def reasons(self) -> Counter[str]:
        return Counter(code for _, code, _ in self.refused)

    def errors(self, *, prior: bool = False) -> np.ndarray:
        parts = [s.prior_errors if prior else s.errors for s in self.scores]
        return np.concatenate(parts) if parts else np.zeros(0)


def score_photo(result: ObliqueAnalysis, truth: np.ndarray, *, seconds: float, name: str) -> PhotoScore:
    """Far-side outline error of one analysed photo against its annotation (see the module docstring)."""
    indices = far_side_indices(truth)
    length = float(np.hypot(*(truth[IBUG_NASION] - truth[IBUG_CHIN])))
    w, h = result.image.full_size_px
    pts = truth[list(indices)]
    inside = (pts[:, 0] >= 0) & (pts[:, 0] <= w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= h - 1)
    a = result.assessment
    outline = result.to_original_px(a.outline.points_px)
    prior = result.to_original_px(a.outline.prior_px)
    apex_below = None
    if ObliquePoint.MALAR_PROMINENCE in a.points.points:
        frame, refs = a.frame, a.references
        apex = frame.to_frame(a.points.xy(ObliquePoint.MALAR_PROMINENCE))
        near, far = frame.to_frame(refs.lateral_canthus_near), frame.to_frame(refs.lateral_canthus)
        canthal_v = near[1] + (apex[0] - near[0]) * (far[1] - near[1]) / (far[0] - near[0])
        apex_below = float((apex[1] - canthal_v) / a.points.scale_px)
    ratio = a.measurements["cheek_apex_height_ratio"].value
    return PhotoScore(
        name=name,
        view=result.view,
        yaw_deg=result.pose.yaw_deg,
        indices=tuple(i for i, ok in zip(indices, inside, strict=True) if ok),
        positions=tuple(k for k, ok in enumerate(inside) if ok),
        errors=distance_to_polyline(pts[inside], outline) / length,
        prior_errors=distance_to_polyline(pts[inside], prior) / length,
        outside_photo=int((~inside).sum()),
        seconds=seconds,
        apex_below_canthal_line=apex_below,
        apex_height_ratio=ratio,
    )


def _stats(values: np.ndarray) -> tuple[str, str, str]:
    if not values.size:
        return "—", "—", "—"
    return (
        fmt(float(np.median(values)) * 100, 2),
        fmt(float(values.mean()) * 100, 2),
        fmt(float(np.percentile(values, 90)) * 100, 2),
    )


def build_tables(result: ObliqueEval) -> dict[str, ResultTable]:
    """Share read and reasons, outline error, and the error per annotated point."""
    reasons = result.reasons()
    read_table = ResultTable(
        "Three-quarter photos read",
        ("outcome", "photos", "share"),
        (
            ("read", str(result.read), f"{result.read / result.total:.1%}"),
            *(
                (f"refused: {code}", str(n), f"{n / result.total:.1%}")
                for code, n in sorted(reasons.items(), key=lambda kv: -kv[1])
            ),
        ),
        "Example messages: "
        + "; ".join(f"{code}: {next(msg for _, c, msg in result.refused if c == code)}" for code in sorted(reasons))
        if reasons
        else "",
    )
    refined, prior = result.errors(), result.errors(prior=True)
    error_table = ResultTable(
        "Far-side outline error (% of the annotated nasion-to-chin length)",
        ("outline", "points", "median", "mean", "90th percentile"),
        (
            ("refined on the photo (outline.far_side)", str(refined.size), *_stats(refined)),
            ("face mesh alone (the prior)", str(prior.size), *_stats(prior)),
        ),
        "Each annotated far-side point's distance to the predicted polyline. "
        f"{sum(s.outside_photo for s in result.scores)} annotated points outside the photo were not scored.",
    )
    rows = []
    for k, (i, j) in enumerate(zip(FAR_SIDE_NOSE_LEFT, FAR_SIDE_NOSE_RIGHT, strict=True)):
        values = np.array([e for s in result.scores for pos, e in zip(s.positions, s.errors, strict=True) if pos == k])
        position = "eye level" if k == 0 else "lowest point of the chin" if i == j else ""
        rows.append((f"{i} / {j}" if i != j else str(i), position, str(values.size), *_stats(values)))
    point_table = ResultTable(
        "Error by annotated point (nose left / nose right), % of nasion-to-chin",
        ("iBUG point", "where", "points", "median", "mean", "90th percentile"),
        tuple(rows),
    )
    worst = sorted(result.scores, key=lambda s: float(np.median(s.errors)) if s.errors.size else 0.0, reverse=True)
    worst_table = ResultTable(
        "Worst photos (median far-side error, % of nasion-to-chin)",
        ("photo", "view", "yaw (deg)", "refined", "mesh alone"),
        tuple(
            (
                s.name,
                s.view,
                fmt(s.yaw_deg, 1, signed=True),
                fmt(float(np.median(s.errors)) * 100, 2),
                fmt(float(np.median(s.prior_errors)) * 100, 2),
            )
            for s in worst[:8]
            if s.errors.size
        ),
    )
    below = np.array([s.apex_below_canthal_line for s in result.scores if s.apex_below_canthal_line is not None])
    ratios = np.array([s.apex_height_ratio for s in result.scores if s.apex_height_ratio is not None])

    def spread(values: np.ndarray) -> str:
        return fmt(float(values.std(ddof=1)) if values.size > 1 else None, 3)

    apex_table = ResultTable(
        "Cheek apex (malar prominence) height on the photos read",
        ("quantity", "photos", "median", "SD (ddof=1)"),
        (
            (
                "height below the canthal line / face length",
                str(below.size),
                fmt(float(np.median(below)) if below.size else None, 3),
                spread(below),
            ),
            (
                "cheek_apex_height_ratio",
                str(ratios.size),
                fmt(float(np.median(ratios)) if ratios.size else None, 3),
                spread(ratios),
            ),
        ),
        "The SD of the first row is the constant cheek_apex_height_sigma_face_fraction of "
        "facebalance/oblique/data/oblique.toml. The cited norm of the ratio (Kaptein et al. 2015, hand-placed "
        "apex, 67 patients) is 0.793 ± 0.023.",
    )
    return {
        "read": read_table,
        "error": error_table,
        "points": point_table,
        "worst": worst_table,
        "apex": apex_table,
    }


def report_markdown(result: ObliqueEval, tables: dict[str, ResultTable], *, header: str) -> str:
    seconds = np.array([s.seconds for s in result.scores])
    yaws = np.array([abs(s.yaw_deg) for s in result.scores])

    def median(values: np.ndarray, digits: int) -> str:
        return fmt(float(np.median(values)) if values.size else None, digits)

    lines = [
        "## Oblique (three-quarter) photos: share read and far-side outline error",
        "",
        header,
        f"- photos: {result.total}; read: {result.read} ({result.read / result.total:.1%})",
        f"- face mesh yaw of the photos read: {fmt(float(yaws.min()) if yaws.size else None, 0)} to "
        f"{fmt(float(yaws.max()) if yaws.size else None, 0)} deg (median {median(yaws, 0)})",
        f"- time per photo read (analysis only, this machine): median {median(seconds, 2)} s",
        "",
        "Far-side points: iBUG 8-16 when the nose points to the image right, 0-8 when it points left (0-based; "
        "16 or 0 at eye level, 8 the lowest point of the chin), read on overlays. Error: each point's distance "
        "to the predicted `outline.far_side` polyline over the annotated nasion-to-chin length (iBUG 27 to 8). "
        "The set is the development set the silhouette step was tuned on; the figures on unseen photos are "
        "not these.",
    ]
    for table in tables.values():
        lines += ["", f"### {table.title}", "", table.to_markdown()]
    return "\n".join(lines) + "\n"


def run_oblique_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> ObliqueEval:
    """Run the oblique path on every annotated photo of ``dataset``, print the tables, optionally write them.

    Parameters
    ----------
    dataset : Path
        Images with bare 68-point ``.pts`` files of the same name.
    write : Path, optional
        Markdown file whose ``eval-obliques`` section is replaced (or appended).
    limit : int, optional
        Only the first N photos (sorted by name).
    console : Console
        Where the progress bar and tables go.
    """
    pairs = annotated_images(dataset)
    if limit is not None:
        pairs = pairs[:limit]
    if not pairs:
        raise FileNotFoundError(f"no image with a .pts file under {dataset}")
    result = ObliqueEval(total=len(pairs))
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with FaceLandmarker() as landmarker, progress:
        task = progress.add_task("obliques", total=len(pairs))
        for image_path, pts_path in pairs:
            progress.update(task, description=f"oblique {image_path.stem}")
            truth = read_bare_pts(pts_path)
            start = time.perf_counter()
            try:
                analysis = analyze_oblique(image_path, landmarker=landmarker)
            except FacebalanceError as exc:
                result.refused.append((image_path.stem, exc.code, exc.message))
            else:
                score = score_photo(analysis, truth, seconds=time.perf_counter() - start, name=image_path.stem)
                if score.errors.size and float(np.median(score.errors)) > OTHER_FACE_DISTANCE:
                    result.refused.append(
                        (image_path.stem, "other_face", "a face other than the annotated one was read")
                    )
                else:
                    result.scores.append(score)
            progress.advance(task)
    tables = build_tables(result)
    for table in tables.values():
        console.print(table.to_rich())
    if write is not None:
        header = run_header(command_line("obliques", dataset, write=write, limit=limit))
        write_section(write, SECTION, report_markdown(result, tables, header=header))
        console.print(f"wrote the {SECTION} section of {write}")
    return result


@dataclass(frozen=True)
class IrisAspect:
    """Horizontal (3-D) over vertical (image plane) diameter of the mesh's iris contour, per eye."""

    ratios: np.ndarray
    photos: int

    @property
    def mean(self) -> float:
        return float(self.ratios.mean())

    @property
    def sd(self) -> float:
        return float(self.ratios.std(ddof=1))


def run_iris_aspect_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> IrisAspect:
    """Measure ``iris_horizontal_to_vertical_ratio`` (``oblique/data/oblique.toml``) on frontal photos.

    Each eye of each photo with exactly one face gives the ratio of the mesh iris contour's horizontal
    diameter (3-D, as the frontal ruler reads it) to its vertical diameter in the image plane.
    """
    photos = sorted((dataset / "neutral").glob("*.jpg"))
    if limit is not None:
        photos = photos[:limit]
    if not photos:
        raise FileNotFoundError(f"no neutral/*.jpg under {dataset}")
    ratios: list[float] = []
    used = 0
    with FaceLandmarker() as landmarker:
        for photo in photos:
            faces = landmarker.detect(load_image(photo).rgb)
            if len(faces) != 1:
                continue
            used += 1
            horizontal = iris_diameters_px(faces[0].landmarks_px, IRIS_DIAMETER_ENDS)
            vertical = vertical_iris_diameters_px(faces[0].landmarks_px)
            ratios += [h / v for h, v in zip(horizontal, vertical, strict=True) if v > 0]
    aspect = IrisAspect(np.array(ratios), used)
    table = ResultTable(
        "Mesh iris contour: horizontal (3-D) over vertical (image plane) diameter, frontal photos",
        ("photos", "eyes", "mean", "SD (ddof=1)"),
        ((str(used), str(len(ratios)), fmt(aspect.mean, 4), fmt(aspect.sd, 4)),),
        "The constant iris_horizontal_to_vertical_ratio of facebalance/oblique/data/oblique.toml.",
    )
    console.print(table.to_rich())
    if write is not None:
        header = run_header(command_line("iris-aspect", dataset, write=write, limit=limit))
        body = "\n".join(
            ["## Iris contour aspect on frontal photos (oblique iris ruler)", "", header, "", table.to_markdown()]
        )
        write_section(write, IRIS_SECTION, body + "\n")
        console.print(f"wrote the {IRIS_SECTION} section of {write}")
    return aspect
