"""Accuracy of the profile landmark step on lateral cephalograms with two annotators' soft-tissue points.

The dataset folder is laid out like the Hamedan cephalogram set (``../shared/data/cephalograms``):

* ``images/NNN.jpg`` (or ``.png``) - lateral cephalograms, faces looking to the image right;
* ``annotations_<annotator>/NNN.json`` - one LabelMe file per image and annotator, points labelled
  ``l1`` .. ``l19`` in the ISBI 2015 order, of which the soft-tissue ones are ``l13`` upper lip
  (labrale superius), ``l14`` lower lip (labrale inferius), ``l15`` subnasale and ``l16`` soft-tissue
  pogonion. Coordinates are scaled by image size / ``imageWidth``, ``imageHeight`` when these differ.

Each image is traced with :func:`facebalance.profile.xray.outline_from_cephalogram` (the X-ray contour
step, smoothed more when the film's grain breaks it: :func:`facebalance.profile.xray.read_cephalogram`) and
located with :func:`facebalance.profile.landmarks.locate_landmarks` (the same landmark step as photos).
Errors are Euclidean distances in pixels; each is also given as a fraction of the image's Sn-Pog' distance
(the two annotators' mean subnasale to the mean soft-tissue pogonion), a face-size normalisation like the
inter-ocular NME of frontal benchmarks. The annotators' disagreement with each other is the floor any
method is judged against.

This data has no licence for redistribution: it is read from outside the repository, never copied in.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from facebalance.errors import FacebalanceError
from facebalance.profile.landmarks import ProfilePoint
from facebalance.profile.xray import read_cephalogram
from facebalance.vision import load_image

#: ISBI 2015 soft-tissue labels and the profile landmark each one is.
ISBI_SOFT_TISSUE: dict[str, ProfilePoint] = {
    "l13": ProfilePoint.LABRALE_SUPERIUS,
    "l14": ProfilePoint.LABRALE_INFERIUS,
    "l15": ProfilePoint.SUBNASALE,
    "l16": ProfilePoint.SOFT_TISSUE_POGONION,
}
EVALUATED: tuple[ProfilePoint, ...] = tuple(ISBI_SOFT_TISSUE.values())
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")

Annotation = dict[ProfilePoint, np.ndarray]


@dataclass(frozen=True)
class ImageResult:
    """One image: the located points (pixels), or why the profile could not be read."""

    name: str
    located: dict[ProfilePoint, np.ndarray]
    annotations: dict[str, Annotation]
    error: str = ""


def read_labelme(path: Path, image_size: tuple[int, int] | None = None) -> Annotation:
    """The soft-tissue points of one LabelMe file, in pixels of the image (``image_size`` = (w, h))."""
    doc = json.loads(path.read_text("utf-8"))
    sx = sy = 1.0
    if image_size is not None and doc.get("imageWidth") and doc.get("imageHeight"):
        sx = image_size[0] / float(doc["imageWidth"])
        sy = image_size[1] / float(doc["imageHeight"])
    out: Annotation = {}
    for shape in doc.get("shapes", []):
        point = ISBI_SOFT_TISSUE.get(str(shape.get("label")))
        if point is not None and shape.get("points"):
            x, y = shape["points"][0]
            out[point] = np.array([float(x) * sx, float(y) * sy])
    return out


def find_annotators(dataset: Path) -> list[str]:
    """Annotator names from the ``annotations_<name>`` folders, sorted."""
    return sorted(p.name.removeprefix("annotations_") for p in dataset.glob("annotations_*") if p.is_dir())


def evaluate_image(image_path: Path, annotators: list[str], dataset: Path) -> ImageResult:
    """Trace and locate one cephalogram and read its annotations."""
    loaded = load_image(image_path, long_side_px=None)
    gray = loaded.rgb.mean(axis=2)
    h, w = gray.shape
    annotations = {}
    for a in annotators:
        f = dataset / f"annotations_{a}" / f"{image_path.stem}.json"
        if f.is_file():
            annotations[a] = read_labelme(f, (w, h))
    try:
        _, lm = read_cephalogram(gray)
    except FacebalanceError as exc:
        return ImageResult(image_path.name, {}, annotations, error=exc.message)
    located = {p: lm.xy(p).copy() for p in EVALUATED if p in lm.points}
    return ImageResult(image_path.name, located, annotations)


def _stats(errors: list[float], fractions: list[float]) -> dict[str, Any]:
    if not errors:
        return {
            "n": 0,
            "mean_px": None,
            "median_px": None,
            "mean_fraction_sn_pog": None,
            "median_fraction_sn_pog": None,
        }
    return {
        "n": len(errors),
        "mean_px": round(float(np.mean(errors)), 2),
        "median_px": round(float(np.median(errors)), 2),
        "mean_fraction_sn_pog": round(float(np.mean(fractions)), 4),
        "median_fraction_sn_pog": round(float(np.median(fractions)), 4),
    }


def _sn_pog(result: ImageResult) -> float | None:
    sn = [a[ProfilePoint.SUBNASALE] for a in result.annotations.values() if ProfilePoint.SUBNASALE in a]
    pog = [
        a[ProfilePoint.SOFT_TISSUE_POGONION]
        for a in result.annotations.values()
        if ProfilePoint.SOFT_TISSUE_POGONION in a
    ]
    if not sn or not pog:
        return None
    d = float(np.hypot(*(np.mean(pog, axis=0) - np.mean(sn, axis=0))))
    return d if d > 0 else None


def summarise(results: list[ImageResult], annotators: list[str], dataset: Path) -> dict[str, Any]:
    """The JSON summary: per landmark, errors against each annotator and the annotators' disagreement."""
    landmarks: dict[str, Any] = {}
    for p in EVALUATED:
        entry: dict[str, Any] = {}
        for a in annotators:
            errors: list[float] = []
            fractions: list[float] = []
            offsets: list[np.ndarray] = []
            for r in results:
                if r.error or p not in r.located or p not in r.annotations.get(a, {}):
                    continue
                d = r.located[p] - r.annotations[a][p]
                offsets.append(d)
                e = float(np.hypot(*d))
                errors.append(e)
                norm = _sn_pog(r)
                if norm:
                    fractions.append(e / norm)
            entry[f"vs_{a}"] = _stats(errors, fractions)
            # Median signed offset (located minus annotated; x anterior, y down): a definitional bias shows
            # here, random error does not.
            entry[f"vs_{a}"]["median_offset_px"] = (
                [round(float(v), 1) for v in np.median(offsets, axis=0)] if offsets else None
            )
        inter: list[float] = []
        inter_fractions: list[float] = []
        if len(annotators) >= 2:
            first, second = annotators[0], annotators[1]
            for r in results:
                if p in r.annotations.get(first, {}) and p in r.annotations.get(second, {}):
                    apart = float(np.hypot(*(r.annotations[first][p] - r.annotations[second][p])))
                    inter.append(apart)
                    norm = _sn_pog(r)
                    if norm:
                        inter_fractions.append(apart / norm)
        entry["inter_annotator"] = _stats(inter, inter_fractions)
        entry["not_located"] = sum(1 for r in results if not r.error and p not in r.located)
        landmarks[p.value] = entry
    sn_pog = [s for r in results if (s := _sn_pog(r)) is not None]
    return {
        "dataset": str(dataset),
        "images": len(results),
        "unreadable": sum(1 for r in results if r.error),
        "unreadable_images": {r.name: r.error for r in results if r.error},
        "annotators": annotators,
        "mean_sn_pog_px": round(float(np.mean(sn_pog)), 1) if sn_pog else None,
        "landmarks": landmarks,
    }


def predictions(results: list[ImageResult]) -> dict[str, dict[str, list[float]]]:
    """Located points per image, ``{"<image file name>": {"<landmark>": [x, y], ...}}`` in pixels."""
    return {r.name: {p.value: [round(float(v), 2) for v in xy] for p, xy in r.located.items()} for r in results}


def run_profile_eval(dataset: Path, *, limit: int | None = None) -> tuple[dict[str, Any], list[ImageResult]]:
    """Evaluate every image of a cephalogram folder; returns the summary and the per-image results.

    Raises
    ------
    FileNotFoundError
        The folder has no ``images/`` or no ``annotations_*`` folders.
    """
    images_dir = dataset / "images"
    if not images_dir.is_dir():
        raise FileNotFoundError(f"{dataset} has no images/ folder")
    annotators = find_annotators(dataset)
    if not annotators:
        raise FileNotFoundError(f"{dataset} has no annotations_<annotator>/ folders")
    paths = sorted(p for p in images_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if limit is not None:
        paths = paths[:limit]
    results = [evaluate_image(p, annotators, dataset) for p in paths]
    return summarise(results, annotators, dataset), results


def markdown_section(summary: dict[str, Any], header: str) -> str:
    """The ``eval-profile`` section of docs/validation.md for one run's summary."""
    annotators = summary["annotators"]
    lines = [
        "## Profile landmarks vs two annotators (lateral cephalograms)",
        "",
        header,
        f"- images: {summary['images']}, profile not readable: {summary['unreadable']}; mean Sn-Pog' "
        f"{summary['mean_sn_pog_px']} px",
        "",
        "The X-ray contour step (`facebalance.profile.xray`) traces the soft-tissue outline; the landmark step "
        "(`facebalance.profile.landmarks.locate_landmarks`) is the same code that runs on photos. Error = "
        "distance in pixels from the located point to the annotator's point; the fraction divides it by the "
        "image's Sn-Pog' distance (mean of both annotators' points). The last columns are the annotators' "
        "disagreement with each other on the same images.",
        "",
    ]
    head = ["landmark"]
    for a in annotators:
        head += [f"vs {a} mean px", "median px", "mean / Sn-Pog'"]
    head += ["annotators apart mean px", "median px", "mean / Sn-Pog'", "not located"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join("---" for _ in head) + "|")

    def cell(x: float | None, digits: int) -> str:
        return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"

    for name, entry in summary["landmarks"].items():
        row = [name]
        for a in annotators:
            e = entry[f"vs_{a}"]
            row += [cell(e["mean_px"], 1), cell(e["median_px"], 1), cell(e["mean_fraction_sn_pog"], 3)]
        i = entry["inter_annotator"]
        row += [
            cell(i["mean_px"], 1),
            cell(i["median_px"], 1),
            cell(i["mean_fraction_sn_pog"], 3),
            str(entry["not_located"]),
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "Median signed offset of the located point from each annotator's (x anterior, y down, px): "
        + "; ".join(
            f"{name} " + ", ".join(f"{a} {entry[f'vs_{a}']['median_offset_px']}" for a in annotators)
            for name, entry in summary["landmarks"].items()
        )
        + ".",
    ]
    if summary["unreadable_images"]:
        lines += ["", "Not readable: " + "; ".join(f"{k} ({v})" for k, v in summary["unreadable_images"].items())]
    return "\n".join(lines)
