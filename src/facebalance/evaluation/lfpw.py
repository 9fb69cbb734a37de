"""Landmark accuracy of the face mesh on in-the-wild photos: NME against iBUG 68-point markup (LFPW).

The 300-W re-annotation of LFPW [1]_ gives 68 hand-placed points per face (``.pts``, 1-indexed pixel
coordinates). The 478-point mesh is reduced to those 68 points with the table :data:`IBUG68_FROM_MESH` and
the normalised mean error (NME) is reported, normalised by the inter-ocular distance (outer eye corners,
iBUG points 36 and 45, 0-indexed), the 300-W convention [2]_.

In iBUG markup "left" means image-left, the subject's **right**; the table names points by the
subject's side, like :mod:`facebalance.anatomy.landmarks`.

The jawline is not the same point set in the two schemes: iBUG points 0-16 are spaced along the visible
jaw contour from ear to ear, while the mesh's face oval is a fixed set of surface vertices that slide
relative to that contour as the head turns. Jaw errors therefore mix a difference of definition with
error; the inner-face regions (brows, nose, eyes, mouth) are the fairer comparison.

This evaluation data is research/non-commercial: it is read from outside the repository and never
copied into it.

References
----------
.. [1] Belhumeur PN, Jacobs DW, Kriegman DJ, Kumar N. Localizing parts of faces using a consensus of
       exemplars. CVPR 2011 (LFPW).
.. [2] Sagonas C, Antonakos E, Tzimiropoulos G, Zafeiriou S, Pantic M. 300 Faces In-the-Wild Challenge:
       database and results. Image Vis Comput. 2016;47:3-18.
.. [3] Yan P. Mediapipe_2_Dlib_Landmarks (github.com/PeizhiYan/Mediapipe_2_Dlib_Landmarks), 2024: the
       mesh-to-68 correspondence followed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facebalance.errors import FacebalanceError
from facebalance.evaluation.common import ResultTable, command_line, fmt, run_header, write_section
from facebalance.vision import FaceLandmarker, load_image

#: Name of the section this evaluation owns in the markdown report.
SECTION = "eval-landmarks"
#: iBUG point count.
IBUG_POINT_COUNT = 68
#: 0-indexed iBUG outer eye corners that define the inter-ocular distance.
OUTER_EYE_CORNER_RIGHT = 36  # image-left eye's outer corner = the subject's right
OUTER_EYE_CORNER_LEFT = 45
#: An image whose NME is above this counts as a failure (the usual 300-W/LFPW threshold).
FAILURE_NME = 0.10
#: Image file types looked for beside the .pts files.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class IbugPoint:
    """One iBUG 68 point and the mesh vertices (averaged when two) that stand for it."""

    index: int
    name: str
    mesh: tuple[int, ...]


def _row(index: int, name: str, *mesh: int) -> IbugPoint:
    return IbugPoint(index, name, mesh)


#: iBUG 68 (0-indexed) -> mesh vertices. Follows the correspondence of Yan 2024 [3]_; names are the
#: subject's sides (iBUG "left" = image-left = subject's right). Where two vertices are given their mean
#: is used (the iBUG point lies between mesh vertices).
IBUG68_FROM_MESH: tuple[IbugPoint, ...] = (
    # Jawline, from the subject's right ear (image-left) over the chin to the left ear: the face oval.
    _row(0, "jaw 1 (right, at the ear)", 127),
    _row(1, "jaw 2 (right)", 234),
    _row(2, "jaw 3 (right)", 93),
    _row(3, "jaw 4 (right)", 132, 58),
    _row(4, "jaw 5 (right)", 58, 172),
    _row(5, "jaw 6 (right)", 136),
    _row(6, "jaw 7 (right)", 150),
    _row(7, "jaw 8 (right, beside the chin)", 176),
    _row(8, "jaw 9 (menton)", 152),
    _row(9, "jaw 10 (left, beside the chin)", 400),
    _row(10, "jaw 11 (left)", 379),
    _row(11, "jaw 12 (left)", 365),
    _row(12, "jaw 13 (left)", 397, 288),
    _row(13, "jaw 14 (left)", 361),
    _row(14, "jaw 15 (left)", 323),
    _row(15, "jaw 16 (left)", 454),
    _row(16, "jaw 17 (left, at the ear)", 356),
    # Brows, each from its lateral end to its medial end (right brow first): the mesh's brow-top row.
    _row(17, "right brow, lateral end", 70),
    _row(18, "right brow 2", 63),
    _row(19, "right brow 3", 105),
    _row(20, "right brow 4", 66),
    _row(21, "right brow, medial end", 107),
    _row(22, "left brow, medial end", 336),
    _row(23, "left brow 2", 296),
    _row(24, "left brow 3", 334),
    _row(25, "left brow 4", 293),
    _row(26, "left brow, lateral end", 300),
    # Nose: bridge from nasion down to the tip, then the lower border from right ala to left ala.
    _row(27, "nasion", 168, 6),
    _row(28, "nasal bridge 2", 197, 195),
    _row(29, "nasal bridge 3", 5),
    _row(30, "nose tip", 4),
    _row(31, "right ala, lower border", 75),
    _row(32, "right nostril", 97),
    _row(33, "subnasale", 2),
    _row(34, "left nostril", 326),
    _row(35, "left ala, lower border", 305),
    # Eyes: lateral canthus, two upper-lid points, medial canthus, two lower-lid points (right eye), then
    # medial canthus, two upper, lateral canthus, two lower (left eye): iBUG runs clockwise in the image.
    _row(36, "right eye, lateral canthus", 33),
    _row(37, "right eye, upper lid lateral", 160),
    _row(38, "right eye, upper lid medial", 158),
    _row(39, "right eye, medial canthus", 133),
    _row(40, "right eye, lower lid medial", 153),
    _row(41, "right eye, lower lid lateral", 144),
    _row(42, "left eye, medial canthus", 362),
    _row(43, "left eye, upper lid medial", 385),
    _row(44, "left eye, upper lid lateral", 387),
    _row(45, "left eye, lateral canthus", 263),
    _row(46, "left eye, lower lid lateral", 373),
    _row(47, "left eye, lower lid medial", 380),
    # Outer lip contour: right cheilion over the upper lip to the left cheilion, back along the lower lip.
    _row(48, "right cheilion (outer)", 61),
    _row(49, "upper lip, right", 39),
    _row(50, "upper lip, right peak", 37),
    _row(51, "labrale superius", 0),
    _row(52, "upper lip, left peak", 267),
    _row(53, "upper lip, left", 269),
    _row(54, "left cheilion (outer)", 291),
    _row(55, "lower lip, left", 321),
    _row(56, "lower lip, left of centre", 314),
    _row(57, "labrale inferius", 17),
    _row(58, "lower lip, right of centre", 84),
    _row(59, "lower lip, right", 91),
    # Inner lip contour: right inner corner, upper inner lip, left inner corner, lower inner lip.
    _row(60, "right inner mouth corner", 78),
    _row(61, "upper inner lip, right", 82),
    _row(62, "upper inner lip, centre", 13),
    _row(63, "upper inner lip, left", 312),
    _row(64, "left inner mouth corner", 308),
    _row(65, "lower inner lip, left", 317),
    _row(66, "lower inner lip, centre", 14),
    _row(67, "lower inner lip, right", 87),
)

#: Regions of the 68 points, reported separately.
REGIONS: dict[str, range] = {
    "jaw": range(0, 17),
    "brows": range(17, 27),
    "nose": range(27, 36),
    "eyes": range(36, 48),
    "mouth": range(48, 68),
}


def read_pts(path: Path) -> np.ndarray:
    """Read an iBUG ``.pts`` file.

    Parameters
    ----------
    path : Path
        ``version: 1``, ``n_points: N``, then ``{``, N ``x y`` rows, ``}``. Coordinates are **1-indexed**
        pixels (the centre of the top-left pixel is (1, 1)).

    Returns
    -------
    ndarray of shape (N, 2)
        0-indexed pixel coordinates (1 subtracted), the convention of the mesh.

    Raises
    ------
    ValueError
        The header, braces or point count are wrong.
    """
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    header = dict(line.split(":", 1) for line in lines if ":" in line)
    if "n_points" not in header:
        raise ValueError(f"{path.name}: no n_points line")
    count = int(header["n_points"])
    try:
        start, stop = lines.index("{"), lines.index("}")
    except ValueError:
        raise ValueError(f"{path.name}: the points are not enclosed in braces") from None
    rows = [tuple(float(v) for v in line.split()) for line in lines[start + 1 : stop]]
    if len(rows) != count or any(len(r) != 2 for r in rows):
        raise ValueError(f"{path.name}: expected {count} 'x y' rows, got {len(rows)}")
    return np.array(rows, dtype=np.float64) - 1.0


def mesh_to_ibug68(landmarks_px: np.ndarray) -> np.ndarray:
    """The 68 iBUG points from a mesh.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 2 or 3)
        Mesh points in pixels.

    Returns
    -------
    ndarray of shape (68, 2)
        iBUG-ordered points, pixels.
    """
    pts = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    return np.array([pts[list(row.mesh)].mean(axis=0) for row in IBUG68_FROM_MESH])


def interocular_distance(ground_truth: np.ndarray) -> float:
    """Distance between the outer eye corners (iBUG 36 and 45) of the ground truth."""
    return float(np.linalg.norm(ground_truth[OUTER_EYE_CORNER_LEFT] - ground_truth[OUTER_EYE_CORNER_RIGHT]))


def point_errors(predicted: np.ndarray, ground_truth: np.ndarray) -> np.ndarray:
    """Per-point Euclidean error (68,), normalised by the inter-ocular distance.

    Examples
    --------
    >>> gt = np.zeros((68, 2)); gt[45] = (100.0, 0.0)
    >>> round(float(point_errors(gt + (3.0, 4.0), gt).mean()), 6)
    0.05
    """
    d = interocular_distance(ground_truth)
    if d <= 0:
        raise ValueError("the ground truth's outer eye corners coincide")
    return np.linalg.norm(np.asarray(predicted)[:, :2] - np.asarray(ground_truth)[:, :2], axis=1) / d


def eye_line_offsets(predicted: np.ndarray, ground_truth: np.ndarray) -> np.ndarray:
    """Per-point signed offsets (68, 2), predicted minus truth, normalised by the inter-ocular distance.

    Expressed along the annotated eye line (+x from iBUG 36 toward 45, i.e. toward the subject's left;
    +y perpendicular to it, toward the chin), so that offsets from tilted heads can be averaged.
    """
    truth = np.asarray(ground_truth, dtype=np.float64)[:, :2]
    axis = truth[OUTER_EYE_CORNER_LEFT] - truth[OUTER_EYE_CORNER_RIGHT]
    d = float(np.linalg.norm(axis))
    ux = axis / d
    basis = np.column_stack([ux, (-ux[1], ux[0])])
    return ((np.asarray(predicted, dtype=np.float64)[:, :2] - truth) @ basis) / d


def nme(predicted: np.ndarray, ground_truth: np.ndarray, points: range | None = None) -> float:
    """Normalised mean error over ``points`` (all 68 by default), inter-ocular normalisation."""
    errors = point_errors(predicted, ground_truth)
    return float(errors[list(points)].mean() if points is not None else errors.mean())


@dataclass(frozen=True)
class ImageResult:
    """One LFPW image: per-point normalised errors (68,), and how many faces the landmarker found."""

    name: str
    errors: np.ndarray
    faces_found: int
    #: Signed offsets (68, 2) along the eye line, see :func:`eye_line_offsets`.
    offsets: np.ndarray

    @property
    def nme(self) -> float:
        return float(self.errors.mean())


@dataclass(frozen=True)
class LandmarkEval:
    """Everything the LFPW evaluation found."""

    images: list[ImageResult]
    no_face: list[str]
    refused: list[tuple[str, str]]
    total: int

    @property
    def multi_face(self) -> list[str]:
        return [r.name for r in self.images if r.faces_found > 1]

    def nme_values(self, points: range | None = None) -> np.ndarray:
        return np.array([float(r.errors[list(points)].mean()) if points is not None else r.nme for r in self.images])

    @property
    def failure_rate(self) -> float:
        values = self.nme_values()
        return float(np.mean(values > FAILURE_NME)) if len(values) else math.nan


def pick_face(meshes: list[np.ndarray], ground_truth: np.ndarray) -> np.ndarray:
    """The detected face whose 68 points lie closest to the annotated face (by centroid)."""
    centre = ground_truth.mean(axis=0)
    return min(meshes, key=lambda m: float(np.linalg.norm(mesh_to_ibug68(m).mean(axis=0) - centre)))


def evaluate_image(image_path: Path, pts_path: Path, *, landmarker: FaceLandmarker) -> ImageResult | None:
    """NME on one image; ``None`` when no face is found. Several faces: the one on the annotated face."""
    truth = read_pts(pts_path)
    image = load_image(image_path)
    faces = landmarker.detect(image.rgb)
    if not faces:
        return None
    meshes = [f.landmarks_px[:, :2] * image.scale_to_full for f in faces]
    predicted = mesh_to_ibug68(pick_face(meshes, truth))
    return ImageResult(
        name=image_path.stem,
        errors=point_errors(predicted, truth),
        faces_found=len(faces),
        offsets=eye_line_offsets(predicted, truth),
    )


def annotated_images(dataset: Path) -> list[tuple[Path, Path]]:
    """(image, .pts) pairs in the folder, sorted by name."""
    pairs = []
    for pts in sorted(dataset.glob("*.pts")):
        image = next((pts.with_suffix(s) for s in IMAGE_SUFFIXES if pts.with_suffix(s).exists()), None)
        if image is not None:
            pairs.append((image, pts))
    return pairs


# --- report ----------------------------------------------------------------------------------------


def build_tables(result: LandmarkEval) -> dict[str, ResultTable]:
    """Overall and per-region NME, worst points and worst images."""
    rows = []
    for name, points in (("all 68", None), *REGIONS.items()):
        values = result.nme_values(points)
        rows.append(
            (
                name,
                str(len(values)),
                fmt(float(values.mean()), 4),
                fmt(float(np.median(values)), 4),
                f"{np.mean(values > FAILURE_NME):.1%}" if len(values) else "—",
            )
        )
    found = len(result.images)
    nme_table = ResultTable(
        "NME (inter-ocular, outer eye corners) on LFPW",
        ("points", "images", "mean NME", "median NME", f"images with NME > {FAILURE_NME:g}"),
        tuple(rows),
        f"{result.total} annotated images: {found} evaluated, {len(result.no_face)} without a detected face, "
        f"{len(result.refused)} refused by the image loader, {len(result.multi_face)} with several faces "
        "(the face nearest the annotation was scored). Failure rate counting the images without a face as "
        f"failures: {fmt(_failure_rate_with_misses(result) * 100, 1)} %. Region rows: the region's points' "
        "mean error per image, same normalisation.",
    )
    per_point = np.array([r.errors for r in result.images]).mean(axis=0)
    mean_offset = np.array([r.offsets for r in result.images]).mean(axis=0)
    worst_points = np.argsort(per_point)[::-1][:10]
    points_table = ResultTable(
        "Worst points (mean normalised error over images)",
        ("iBUG point", "name", "mesh vertices", "mean error", "mean dx", "mean dy"),
        tuple(
            (
                str(int(i)),
                IBUG68_FROM_MESH[i].name,
                ", ".join(map(str, IBUG68_FROM_MESH[i].mesh)),
                fmt(float(per_point[i]), 4),
                fmt(float(mean_offset[i, 0]), 3, signed=True),
                fmt(float(mean_offset[i, 1]), 3, signed=True),
            )
            for i in worst_points
        ),
        "Mean signed offset, mesh minus annotation, along the annotated eye line (+dx toward the subject's "
        "left, +dy toward the chin), inter-ocular units. A large mean offset with a small spread is a "
        "difference of definition rather than noise.",
    )
    worst_images = sorted(result.images, key=lambda r: r.nme, reverse=True)[:10]
    images_table = ResultTable(
        "Worst images",
        ("image", "NME", "faces found"),
        tuple((r.name, fmt(r.nme, 4), str(r.faces_found)) for r in worst_images),
    )
    return {"nme": nme_table, "points": points_table, "images": images_table}


def _failure_rate_with_misses(result: LandmarkEval) -> float:
    scored = len(result.images) + len(result.no_face)
    if not scored:
        return math.nan
    return (int(np.sum(result.nme_values() > FAILURE_NME)) + len(result.no_face)) / scored


def report_markdown(result: LandmarkEval, tables: dict[str, ResultTable], *, header: str) -> str:
    """The markdown section written into the validation document."""
    lines = [
        "## Landmarks vs iBUG 68-point markup (LFPW subset)",
        "",
        header,
        f"- images: {result.total}; no face found: {', '.join(result.no_face) or 'none'}; several faces: "
        f"{', '.join(result.multi_face) or 'none'}; refused: "
        f"{'; '.join(f'{n} ({why})' for n, why in result.refused) or 'none'}",
        "",
        "The 478-point mesh is reduced to the 68 iBUG points with the table in `facebalance.evaluation.lfpw` "
        "(after Yan 2024, github.com/PeizhiYan/Mediapipe_2_Dlib_Landmarks); NME is the mean point-to-point "
        "error divided by the annotated outer-eye-corner distance (iBUG 36-45). No pose limit is applied: "
        "these are in-the-wild photos, unlike the frontal clinical photos the engine accepts. The jawline "
        "(iBUG 0-16) is not the same point set in the two schemes (iBUG spaces points along the visible "
        "jaw contour, the mesh's face oval is fixed surface vertices), so the jaw row mixes a difference of "
        "definition with error.",
    ]
    for table in tables.values():
        lines += ["", f"### {table.title}", "", table.to_markdown()]
    return "\n".join(lines) + "\n"


def run_landmark_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> LandmarkEval:
    """Run the LFPW landmark evaluation, print it, and optionally write it into a markdown file.

    Parameters
    ----------
    dataset : Path
        A folder of images with iBUG 68-point ``.pts`` files of the same name.
    write : Path, optional
        Markdown file whose ``eval-landmarks`` section is replaced (or appended) with the results.
    limit : int, optional
        Only the first N images (sorted by name).
    console : Console
        Where the progress bar and tables go.

    Returns
    -------
    LandmarkEval
        Per-image errors and the lists of images not scored (the CLI ignores it; tests read it).
    """
    pairs = annotated_images(dataset)
    if limit is not None:
        pairs = pairs[:limit]
    if not pairs:
        raise FileNotFoundError(f"no image with a .pts file under {dataset}")
    images: list[ImageResult] = []
    no_face: list[str] = []
    refused: list[tuple[str, str]] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with FaceLandmarker() as landmarker, progress:
        task = progress.add_task("LFPW images", total=len(pairs))
        for image_path, pts_path in pairs:
            progress.update(task, description=f"LFPW {image_path.stem}")
            try:
                scored = evaluate_image(image_path, pts_path, landmarker=landmarker)
            except FacebalanceError as exc:
                refused.append((image_path.stem, exc.message))
            else:
                if scored is None:
                    no_face.append(image_path.stem)
                else:
                    images.append(scored)
            progress.advance(task)
    result = LandmarkEval(images=images, no_face=no_face, refused=refused, total=len(pairs))
    if not images:
        raise RuntimeError(f"no face was found in any of the {len(pairs)} images")
    tables = build_tables(result)
    for table in tables.values():
        console.print(table.to_rich())
    if no_face:
        console.print(f"[yellow]no face found[/] in {len(no_face)}: {', '.join(no_face)}")
    if write is not None:
        header = run_header(command_line("landmarks", dataset, write=write, limit=limit))
        write_section(write, SECTION, report_markdown(result, tables, header=header))
        console.print(f"wrote the {SECTION} section of {write}")
    return result
