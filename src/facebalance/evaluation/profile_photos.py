"""Accuracy of the profile path on real lateral photos with hand-placed points (``facebalance eval profile-photos``).

The dataset folder is laid out like ``../shared/data/cfp_profile_dev`` (photos from CFP, Celebrities in
Frontal-Profile, Sengupta et al., WACV 2016): ``NNN_profile_XX.jpg`` beside ``NNN_profile_XX.txt``, 30
hand-placed points, one ``x,y`` line each, pixels of the photo. Their meanings were checked on overlays
(the dataset's README gives them as approximate):

* point 19 - soft-tissue nasion, on the outline between the brow and the nose;
* point 22 - pronasale (the nose tip); point 23 - subnasale, at the columella's base (inside the outline
  on photos turned much less than 90 degrees, where the far upper lip forms the outline there);
* point 27 - labrale superius (upper vermilion, on or just inside the outline);
* point 29 - labrale inferius (lower vermilion, a little below the lower lip's most prominent point);
* point 9 - the lowest point of the chin;
* points 13-18 - the visible eye (used here to tell which way the face looks).

Each photo goes through :func:`facebalance.profile.analysis.analyze_profile` as a user's photo would (no
hint of the side or the face). A photo is **read** when an analysis is returned; the rest are counted by
the error code that refused them. For each read photo the distance from each located point to the
annotated one is divided by the annotated nasion-to-chin length (point 19 to point 9), a face-size
normalisation like the inter-ocular one of frontal benchmarks. A point the analysis did not locate is
counted as not located, not as an error. The signed offset (located minus annotated) is also given along
the face's axis (nasion to chin, positive down) and across it (positive toward where the face looks): a
convention difference between the annotators and the landmark definitions shows there, random error does not.

This data is for evaluation only: it is read from outside the repository, never copied in.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facebalance.errors import FacebalanceError
from facebalance.profile.landmarks import ProfilePoint

#: The evaluated landmarks and their annotation point (1-based, as in the dataset's README).
EVALUATED: dict[ProfilePoint, int] = {
    ProfilePoint.PRONASALE: 22,
    ProfilePoint.SUBNASALE: 23,
    ProfilePoint.LABRALE_SUPERIUS: 27,
    ProfilePoint.LABRALE_INFERIUS: 29,
}
#: Annotation points of the normalising length: soft-tissue nasion to the lowest chin point.
NASION_POINT = 19
CHIN_POINT = 9
#: Annotation points of the visible eye.
EYE_POINTS = range(13, 19)
ANNOTATION_POINTS = 30
SECTION = "eval-profile-photos"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def read_annotation(path: Path) -> np.ndarray:
    """The 30 annotated points of one photo, shape (30, 2), pixels.

    Raises
    ------
    ValueError
        The file does not hold 30 ``x,y`` lines.
    """
    rows = [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
    pts = np.array([[float(v) for v in row.split(",")] for row in rows], dtype=np.float64)
    if pts.shape != (ANNOTATION_POINTS, 2):
        raise ValueError(f"{path} holds {pts.shape[0]} points, expected {ANNOTATION_POINTS} x,y lines")
    return pts


def annotated_facing(points: np.ndarray) -> str:
    """Which way the annotated face looks: the nose tip's side of the eye."""
    eye_x = float(points[[i - 1 for i in EYE_POINTS], 0].mean())
    return "right" if points[EVALUATED[ProfilePoint.PRONASALE] - 1, 0] > eye_x else "left"


def nasion_chin_px(points: np.ndarray) -> float:
    """The annotated nasion-to-chin length (point 19 to point 9), pixels."""
    return float(np.hypot(*(points[NASION_POINT - 1] - points[CHIN_POINT - 1])))


@dataclass(frozen=True)
class PhotoResult:
    """One photo: where each point was located (pixels of the photo as taken), or why it was refused."""

    name: str
    annotation: np.ndarray
    located: dict[ProfilePoint, np.ndarray] = field(default_factory=dict)
    view: str = ""
    method: str = ""
    code: str = ""
    message: str = ""

    @property
    def read(self) -> bool:
        return not self.code

    @property
    def facing_right(self) -> bool:
        """The analysis read the face looking the way the annotation says."""
        return self.view == f"profile_{annotated_facing(self.annotation)}"

    def errors(self) -> dict[ProfilePoint, float]:
        """Distance of each located point from the annotated one over the nasion-to-chin length."""
        norm = nasion_chin_px(self.annotation)
        return {
            p: float(np.hypot(*(xy - self.annotation[EVALUATED[p] - 1]))) / norm
            for p, xy in self.located.items()
            if p in EVALUATED
        }

    def offsets(self) -> dict[ProfilePoint, tuple[float, float]]:
        """Located minus annotated, over the nasion-to-chin length: (along the face, across it)."""
        a = self.annotation
        down = a[CHIN_POINT - 1] - a[NASION_POINT - 1]
        down = down / max(float(np.hypot(*down)), 1e-9)
        # Toward where the face looks: down turned a quarter counterclockwise on screen for a right profile.
        across = np.array([down[1], -down[0]]) if annotated_facing(a) == "right" else np.array([-down[1], down[0]])
        norm = nasion_chin_px(a)
        out = {}
        for p, xy in self.located.items():
            if p in EVALUATED:
                d = (xy - a[EVALUATED[p] - 1]) / norm
                out[p] = (float(d @ down), float(d @ across))
        return out


def annotated_photos(dataset: Path) -> list[tuple[Path, Path]]:
    """(photo, annotation) pairs of a dataset folder, sorted by name.

    Raises
    ------
    FileNotFoundError
        No photo with its annotation file.
    """
    pairs = [
        (p, p.with_suffix(".txt"))
        for p in sorted(dataset.iterdir())
        if p.suffix.lower() in IMAGE_SUFFIXES and p.with_suffix(".txt").is_file()
    ]
    if not pairs:
        raise FileNotFoundError(f"no photo with its .txt annotation under {dataset}")
    return pairs


def evaluate_photo(photo: Path, annotation: Path, *, landmarker: Any, segmenter: Any, detector: Any) -> PhotoResult:
    """Analyse one photo as a user's photo and collect its evaluated points."""
    from facebalance.profile.analysis import analyze_profile

    points = read_annotation(annotation)
    try:
        result = analyze_profile(photo, landmarker=landmarker, segmenter=segmenter, detector=detector)
    except FacebalanceError as exc:
        return PhotoResult(photo.stem, points, code=exc.code, message=exc.message)
    lm = result.assessment.landmarks
    located = {p: result.to_original_px(lm.xy(p))[0] for p in EVALUATED if p in lm.points}
    return PhotoResult(photo.stem, points, located, view=result.view, method=result.method)


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "median": None, "mean": None, "p90": None, "share_within_3pct": None}
    v = np.asarray(values)
    return {
        "n": len(values),
        "median": round(float(np.median(v)), 4),
        "mean": round(float(v.mean()), 4),
        "p90": round(float(np.percentile(v, 90)), 4),
        "share_within_3pct": round(float((v <= 0.03).mean()), 3),
    }


def summarise(results: list[PhotoResult], dataset: Path) -> dict[str, Any]:
    """The JSON summary: share read, refusals by error code, per-point normalised errors and offsets."""
    read = [r for r in results if r.read]
    points: dict[str, Any] = {}
    for p in EVALUATED:
        errors = [r.errors()[p] for r in read if p in r.located]
        offsets = [r.offsets()[p] for r in read if p in r.located]
        entry = _stats(errors)
        entry["not_located"] = sum(1 for r in read if p not in r.located)
        entry["median_offset_along_across"] = (
            [round(float(v), 4) for v in np.median(np.array(offsets), axis=0)] if offsets else None
        )
        points[p.value] = entry
    methods = Counter(_source(r) for r in read)
    by_source: dict[str, Any] = {}
    for source in methods:
        group = [r for r in read if _source(r) == source]
        by_source[source] = {
            p.value: _stats([r.errors()[p] for r in group if p in r.located])["median"] for p in EVALUATED
        }
    return {
        "dataset": str(dataset),
        "photos": len(results),
        "read": len(read),
        "share_read": round(len(read) / len(results), 4) if results else None,
        "refused": dict(Counter(r.code for r in results if not r.read).most_common()),
        "refusals": {r.name: f"{r.code}: {r.message}" for r in results if not r.read},
        "side_wrong": sum(1 for r in read if not r.facing_right),
        "all_four_located": sum(1 for r in read if all(p in r.located for p in EVALUATED)),
        "read_by": dict(methods.most_common()),
        "median_by_source": by_source,
        "mean_nasion_chin_px": round(float(np.mean([nasion_chin_px(r.annotation) for r in results])), 1)
        if results
        else None,
        "landmarks": points,
    }


def _source(result: PhotoResult) -> str:
    """What located the face: the region's source of an edge search, or the studio silhouette."""
    return result.method.split(" (")[-1].rstrip(")") if "(" in result.method else result.method


def predictions(results: list[PhotoResult]) -> dict[str, Any]:
    """Per photo: the located points (pixels of the photo as taken) or the refusal."""
    out: dict[str, Any] = {}
    for r in results:
        if r.read:
            out[r.name] = {
                "view": r.view,
                "method": r.method,
                "points": {p.value: [round(float(v), 2) for v in xy] for p, xy in r.located.items()},
                "error_over_nasion_chin": {p.value: round(e, 4) for p, e in r.errors().items()},
            }
        else:
            out[r.name] = {"refused": r.code, "message": r.message}
    return out


def run_profile_photo_eval(
    dataset: Path, *, limit: int | None = None, console: Console | None = None
) -> tuple[dict[str, Any], list[PhotoResult]]:
    """Evaluate every annotated photo of a folder; returns the summary and the per-photo results.

    Raises
    ------
    FileNotFoundError
        The folder has no photo with its annotation.
    """
    from facebalance.profile.facefinder import ProfileFaceDetector
    from facebalance.profile.segmentation import PersonSegmenter
    from facebalance.vision import FaceLandmarker

    pairs = annotated_photos(dataset)
    if limit is not None:
        pairs = pairs[:limit]
    results: list[PhotoResult] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=True,
    )
    with FaceLandmarker() as landmarker, PersonSegmenter() as segmenter, ProfileFaceDetector() as detector, progress:
        task = progress.add_task("profile photos", total=len(pairs))
        for photo, annotation in pairs:
            progress.update(task, description=f"profile photo {photo.stem}")
            results.append(
                evaluate_photo(photo, annotation, landmarker=landmarker, segmenter=segmenter, detector=detector)
            )
            progress.advance(task)
    return summarise(results, dataset), results


def _cell(x: float | None, digits: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def markdown_section(summary: dict[str, Any], header: str) -> str:
    """The ``eval-profile-photos`` section of docs/validation.md for one run's summary."""
    refused = ", ".join(f"`{code}` {n}" for code, n in summary["refused"].items()) or "none"
    lines = [
        "## Profile landmarks on real lateral photos (in the wild)",
        "",
        header,
        f"- photos: {summary['photos']}; read: {summary['read']} ({summary['share_read']:.1%}); refused: {refused}",
        f"- read with the face looking the other way than annotated: {summary['side_wrong']}; all four points "
        f"located: {summary['all_four_located']}; outline read by: "
        + ", ".join(f"{k} {v}" for k, v in summary["read_by"].items()),
        f"- mean annotated nasion-to-chin length: {summary['mean_nasion_chin_px']} px",
        "",
        "Each photo goes through `analyze_profile` as a user's photo would (side, face and head frame found "
        "from the photo). Error = distance from the located point to the annotated one divided by the "
        "annotated nasion-to-chin length (point 19 to point 9); only read photos are scored, and a point not "
        "located is counted apart. Offsets are located minus annotated, along the face (positive toward the "
        "chin) and across it (positive toward where the face looks).",
        "",
        "| landmark | n | median | mean | 90th pct | share within 3 % | not located | median offset along, across |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, e in summary["landmarks"].items():
        offset = e["median_offset_along_across"]
        lines.append(
            f"| {name} | {e['n']} | {_cell(e['median'])} | {_cell(e['mean'])} | {_cell(e['p90'])} | "
            f"{_cell(e['share_within_3pct'], 2)} | {e['not_located']} | "
            + ("—" if offset is None else f"{offset[0]:+.3f}, {offset[1]:+.3f}")
            + " |"
        )
    lines += [
        "",
        "Median error by what located the face (the face mesh holds on photos turned less, roughly up to "
        "70-75 deg; without it the head is usually turned further):",
        "",
        "| located by | photos | " + " | ".join(p.value for p in EVALUATED) + " |",
        "|---|---|" + "---|" * len(EVALUATED),
    ]
    for source, medians in summary["median_by_source"].items():
        cells = " | ".join(_cell(medians[p.value]) for p in EVALUATED)
        lines.append(f"| {source} | {summary['read_by'][source]} | {cells} |")
    if summary["refusals"]:
        lines += ["", "Refused: " + "; ".join(f"{k} ({v})" for k, v in summary["refusals"].items())]
    return "\n".join(lines)
