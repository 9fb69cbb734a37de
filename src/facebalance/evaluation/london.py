"""The engine's measurements against the same measurements from hand-placed points (London set).

The Face Research Lab London Set [1]_ gives, for each studio frontal photo, a 189-point template placed by
hand (``.tem``: a first line with the point count, then one ``x<TAB>y`` pixel row per point). Each
measurement the engine reports is recomputed here from those points, independently of the engine's zone
code (so a wrong definition would show up as well as a misplaced landmark), and the two are compared.

Three error sources are kept apart:

(a) **landmark placement**: the template measurement is converted to mm with the engine's own scale, so
    only the positions of the points differ;
(b) **calibration**: the engine's mm per pixel (the limbus fitted in the image, or the MediaPipe iris
    contour where the fit fails, each times its ratio to the visible iris) against the scale from the
    hand-placed visible iris width, both with the same population iris diameter;
(c) **end to end**: the template measurement on the template's own iris scale against the engine.

None of these measures the error of the population iris diameter itself (SD 0.42 mm of 11.71 mm): the
London set has no millimetre ground truth, so both scales share that assumption.

The same run measures the calibration constants the engine reads from the default norm set:
``mediapipe_iris_contour_to_visible_ratio``, ``limbus_fit_to_visible_ratio`` and
``landmark_sigma_iris_diameters``, and how the limbus fit's agreement with the hand-placed irises holds
up when the photo has fewer pixels (the size :data:`facebalance.vision.image_io.ANALYSIS_IRIS_PX` the
decoder keeps for it).

The template's "left" is image-left, i.e. the subject's **right**; every name below uses the subject's
sides, like :mod:`facebalance.anatomy.landmarks`.

References
----------
.. [1] DeBruine L, Jones B. Face Research Lab London Set. figshare; 2017. doi:10.6084/m9.figshare.5047666
       (CC BY 4.0).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facebalance.analysis import analyze_photo
from facebalance.anatomy.frame import HeadFrame, image_to_head
from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.limbus import LimbusSource
from facebalance.anatomy.refine import POINT_KINDS
from facebalance.assessment import fit_both_limbi, iris_reference
from facebalance.errors import FacebalanceError
from facebalance.evaluation.common import (
    Agreement,
    ResultTable,
    agreement,
    command_line,
    fmt,
    run_header,
    write_section,
)
from facebalance.norms import load_norm_set
from facebalance.vision import FaceLandmarker
from facebalance.zones.base import Unit

#: Name of the section this evaluation owns in the markdown report.
SECTION = "eval-measurements"
#: Points in an FRL template.
TEMPLATE_POINT_COUNT = 189
#: A measurement "agrees to within a millimetre" when its mean absolute difference is below this.
CLINICAL_MAD_LIMIT_MM = 1.0
#: The photo reduced by these factors (area averaging, mesh scaled with it) to see how the limbus fit
#: holds up with fewer pixels: 2/3 of the London iris is about the 24 px the decoder keeps.
LIMBUS_RESOLUTION_FACTORS = (2 / 3, 1 / 2)


class TemplatePoint(IntEnum):
    """FRL 189-point template points used here, named by the **subject's** side.

    The template's own names say "left" for image-left (the subject's right): template point 0, "left
    pupil", is :attr:`PUPIL_RIGHT` here.
    """

    PUPIL_RIGHT = 0
    PUPIL_LEFT = 1
    IRIS_RIGHT_LATERAL = 4  # "left of left iris"
    IRIS_RIGHT_MEDIAL = 8  # "right of left iris"
    IRIS_LEFT_MEDIAL = 12  # "left of right iris"
    IRIS_LEFT_LATERAL = 16  # "right of right iris"
    LATERAL_CANTHUS_RIGHT = 18
    UPPER_LID_RIGHT = 20  # "top-centre of left eye"
    MEDIAL_CANTHUS_RIGHT = 22
    MEDIAL_CANTHUS_LEFT = 23
    UPPER_LID_LEFT = 25
    LATERAL_CANTHUS_LEFT = 27
    LOWER_LID_RIGHT = 29  # "bottom-centre of left eye"
    LOWER_LID_LEFT = 32
    SUBNASALE_PROXY = 55  # "bottom-centre of nose": the template has no columella-lip junction
    CHEILION_RIGHT = 87
    LABRALE_SUPERIUS = 90  # "centre of top of upper lip"
    CHEILION_LEFT = 93
    UPPER_LIP_INNER = 96  # "centre of bottom of upper lip"
    LOWER_LIP_INNER = 101  # "centre of top of lower lip"
    LABRALE_INFERIUS = 106  # "centre of bottom of lower lip"
    MENTON = 129  # "bottom centre of the chin"
    TRICHION = 139  # "centre of hairline"


#: Outer nostril outline ("outer nostril" points); the most lateral one in the levelled frame is alare.
ALAR_RIM_RIGHT: tuple[int, ...] = (61, 62, 63, 64)
ALAR_RIM_LEFT: tuple[int, ...] = (66, 67, 68, 69)
#: Upper margin of each brow, lateral corner -> medial end (the template's "top of ... eyebrow" row).
BROW_UPPER_RIGHT: tuple[int, ...] = (71, 72, 73, 74, 75)
BROW_UPPER_LEFT: tuple[int, ...] = (82, 81, 80, 79, 78)

#: Template point -> mesh vertex pairs over which ``landmark_sigma_iris_diameters`` is pooled.
SIGMA_PAIRS: tuple[tuple[TemplatePoint, Landmark], ...] = (
    (TemplatePoint.PUPIL_RIGHT, Landmark.PUPIL_RIGHT),
    (TemplatePoint.PUPIL_LEFT, Landmark.PUPIL_LEFT),
    (TemplatePoint.LATERAL_CANTHUS_RIGHT, Landmark.LATERAL_CANTHUS_RIGHT),
    (TemplatePoint.MEDIAL_CANTHUS_RIGHT, Landmark.MEDIAL_CANTHUS_RIGHT),
    (TemplatePoint.MEDIAL_CANTHUS_LEFT, Landmark.MEDIAL_CANTHUS_LEFT),
    (TemplatePoint.LATERAL_CANTHUS_LEFT, Landmark.LATERAL_CANTHUS_LEFT),
    (TemplatePoint.CHEILION_RIGHT, Landmark.CHEILION_RIGHT),
    (TemplatePoint.CHEILION_LEFT, Landmark.CHEILION_LEFT),
    (TemplatePoint.MENTON, Landmark.MENTON),
    (TemplatePoint.LABRALE_SUPERIUS, Landmark.LABRALE_SUPERIUS),
    (TemplatePoint.LABRALE_INFERIUS, Landmark.LABRALE_INFERIUS),
    (TemplatePoint.UPPER_LIP_INNER, Landmark.STOMION_UPPER),
)
#: Further pairs shown in the offsets table (diagnostics only, not pooled into the sigma).
DIAGNOSTIC_PAIRS: tuple[tuple[TemplatePoint, Landmark], ...] = (
    (TemplatePoint.LOWER_LIP_INNER, Landmark.STOMION_LOWER),
    (TemplatePoint.SUBNASALE_PROXY, Landmark.SUBNASALE),
    (TemplatePoint.UPPER_LID_RIGHT, Landmark.UPPER_LID_RIGHT),
    (TemplatePoint.LOWER_LID_RIGHT, Landmark.LOWER_LID_RIGHT),
    (TemplatePoint.UPPER_LID_LEFT, Landmark.UPPER_LID_LEFT),
    (TemplatePoint.LOWER_LID_LEFT, Landmark.LOWER_LID_LEFT),
)


#: Each refined point (:mod:`facebalance.anatomy.refine`) and its template counterpart: one template point,
#: the mean of several (stomion), or the most lateral of a row (alare: ``("lateral", side, points)``).
REFINED_COUNTERPARTS: dict[str, tuple[int, ...] | tuple[str, str, tuple[int, ...]]] = {
    "pupil_right": (TemplatePoint.PUPIL_RIGHT,),
    "pupil_left": (TemplatePoint.PUPIL_LEFT,),
    "medial_canthus_right": (TemplatePoint.MEDIAL_CANTHUS_RIGHT,),
    "medial_canthus_left": (TemplatePoint.MEDIAL_CANTHUS_LEFT,),
    "lateral_canthus_right": (TemplatePoint.LATERAL_CANTHUS_RIGHT,),
    "lateral_canthus_left": (TemplatePoint.LATERAL_CANTHUS_LEFT,),
    "cheilion_right": (TemplatePoint.CHEILION_RIGHT,),
    "cheilion_left": (TemplatePoint.CHEILION_LEFT,),
    "stomion": (TemplatePoint.UPPER_LIP_INNER, TemplatePoint.LOWER_LIP_INNER),
    "labrale_superius": (TemplatePoint.LABRALE_SUPERIUS,),
    "labrale_inferius": (TemplatePoint.LABRALE_INFERIUS,),
    "menton": (TemplatePoint.MENTON,),
    "alare_right": ("lateral", "right", ALAR_RIM_RIGHT),
    "alare_left": ("lateral", "left", ALAR_RIM_LEFT),
}


# --- reading the data ------------------------------------------------------------------------------


def read_tem(path: Path) -> np.ndarray:
    """Read an FRL ``.tem`` template.

    Parameters
    ----------
    path : Path
        A ``.tem`` file: the first line is the point count, then one ``x<TAB>y`` row per point (pixels of
        the photo, origin top-left); anything after the points (the template's line definitions) is
        ignored.

    Returns
    -------
    ndarray of shape (N, 2)
        Points in image pixels, template order (template "left" = image-left = subject's right).

    Raises
    ------
    ValueError
        The file is shorter than its point count says or a row is not two numbers.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    count = int(lines[0].strip())
    rows = lines[1 : 1 + count]
    if len(rows) < count:
        raise ValueError(f"{path.name}: says {count} points but has {len(rows)} rows")
    points = []
    for number, row in enumerate(rows, start=2):
        fields = row.split()
        if len(fields) != 2:
            raise ValueError(f"{path.name}, line {number}: expected 'x<TAB>y', got {row!r}")
        points.append((float(fields[0]), float(fields[1])))
    return np.array(points, dtype=np.float64)


def read_london_info(info_csv: Path) -> dict[str, dict[str, str]]:
    """Face id (``"001"``) -> ``{"sex": ..., "ancestry": ...}`` from the set's ``london_info.csv``.

    The ancestry is the set's own label (``face_eth``: white, black, east_asian, west_asian, or a mix
    such as ``east_asian/white``), which the norm populations map like an intake's text.
    """
    if not info_csv.exists():
        return {}
    with info_csv.open(encoding="utf-8", newline="") as handle:
        out: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(handle):
            person: dict[str, str] = {}
            if row.get("face_gender") in ("female", "male"):
                person["sex"] = row["face_gender"]
            if row.get("face_eth"):
                person["ancestry"] = row["face_eth"]
            out[row["face_id"]] = person
        return out


def read_sexes(info_csv: Path) -> dict[str, str]:
    """Face id (``"001"``) -> ``"female"`` / ``"male"`` from the set's ``london_info.csv``."""
    return {face: person["sex"] for face, person in read_london_info(info_csv).items() if "sex" in person}


def neutral_photos(dataset: Path) -> list[Path]:
    """The photos with a template: ``dataset/neutral/*.jpg`` (or ``dataset/*.jpg``), sorted."""
    folder = dataset / "neutral" if (dataset / "neutral").is_dir() else dataset
    return sorted(p for p in folder.glob("*.jpg") if p.with_suffix(".tem").exists())


# --- template geometry -----------------------------------------------------------------------------


def levelling(points_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rigid map that removes roll: ``(rotation (2, 2), origin (2,))``.

    ``level = (p - origin) @ rotation`` puts the pupils' midpoint at the origin and the subject's left
    pupil on the +x axis (x toward the subject's left, y down), the template counterpart of the engine's
    head frame with roll removed.
    """
    right, left = points_px[TemplatePoint.PUPIL_RIGHT], points_px[TemplatePoint.PUPIL_LEFT]
    dx, dy = left - right
    angle = math.atan2(dy, dx)
    c, s = math.cos(angle), math.sin(angle)
    # Columns are the levelled frame's axes in image coordinates.
    rotation = np.array([[c, -s], [s, c]])
    return rotation, (right + left) / 2.0


def level_points(points_px: np.ndarray, reference_px: np.ndarray | None = None) -> np.ndarray:
    """``points_px`` (N, 2) in the levelled frame defined by the template ``reference_px`` (itself by default).

    Examples
    --------
    >>> pts = np.zeros((189, 2)); pts[0] = (10, 10); pts[1] = (20, 20)
    >>> np.allclose(level_points(pts)[[0, 1]], [[-7.0710678, 0.0], [7.0710678, 0.0]])
    True
    """
    rotation, origin = levelling(points_px if reference_px is None else reference_px)
    return (np.asarray(points_px, dtype=np.float64)[:, :2] - origin) @ rotation


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.hypot(*(b - a)))


def _stomion(t: np.ndarray) -> np.ndarray:
    return (t[TemplatePoint.UPPER_LIP_INNER] + t[TemplatePoint.LOWER_LIP_INNER]) / 2.0


def _alare(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    right = t[list(ALAR_RIM_RIGHT)]
    left = t[list(ALAR_RIM_LEFT)]
    return right[np.argmin(right[:, 0])], left[np.argmax(left[:, 0])]


def _brow_height(t: np.ndarray, pupil: TemplatePoint, brow: tuple[int, ...]) -> float | None:
    """Pupil to the brow's upper margin, straight up at the pupil's x; ``None`` if the brow does not reach."""
    margin = t[list(brow)]
    margin = margin[np.argsort(margin[:, 0])]
    x = float(t[pupil][0])
    if not margin[0, 0] <= x <= margin[-1, 0]:
        return None
    return float(t[pupil][1] - np.interp(x, margin[:, 0], margin[:, 1]))


def _tilt_deg(medial: np.ndarray, lateral: np.ndarray) -> float:
    # y points down, so the lateral canthus being higher is a negative dy.
    return math.degrees(math.atan2(-(lateral[1] - medial[1]), abs(lateral[0] - medial[0])))


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class TemplateMeasure:
    """One measurement recomputed from template points.

    ``compute`` takes the levelled template (189, 2) and returns pixels for :attr:`Unit.MM` measures
    (scaled by the caller's mm per pixel) or the dimensionless value otherwise.
    """

    id: str
    unit: Unit
    definition: str
    compute: Callable[[np.ndarray], float | None]


_T = TemplatePoint
TEMPLATE_MEASURES: tuple[TemplateMeasure, ...] = (
    TemplateMeasure(
        "interpupillary_distance_mm",
        Unit.MM,
        "t0-t1 (pupils)",
        lambda t: _distance(t[_T.PUPIL_RIGHT], t[_T.PUPIL_LEFT]),
    ),
    TemplateMeasure(
        "intercanthal_width_mm",
        Unit.MM,
        "t22-t23 (inside eye corners)",
        lambda t: _distance(t[_T.MEDIAL_CANTHUS_RIGHT], t[_T.MEDIAL_CANTHUS_LEFT]),
    ),
    TemplateMeasure(
        "palpebral_fissure_width_right_mm",
        Unit.MM,
        "t18-t22",
        lambda t: _distance(t[_T.LATERAL_CANTHUS_RIGHT], t[_T.MEDIAL_CANTHUS_RIGHT]),
    ),
    TemplateMeasure(
        "palpebral_fissure_width_left_mm",
        Unit.MM,
        "t23-t27",
        lambda t: _distance(t[_T.MEDIAL_CANTHUS_LEFT], t[_T.LATERAL_CANTHUS_LEFT]),
    ),
    TemplateMeasure(
        "palpebral_fissure_height_right_mm",
        Unit.MM,
        "t20-t29 (top-/bottom-centre of the eye)",
        lambda t: _distance(t[_T.UPPER_LID_RIGHT], t[_T.LOWER_LID_RIGHT]),
    ),
    TemplateMeasure(
        "palpebral_fissure_height_left_mm",
        Unit.MM,
        "t25-t32",
        lambda t: _distance(t[_T.UPPER_LID_LEFT], t[_T.LOWER_LID_LEFT]),
    ),
    TemplateMeasure(
        "canthal_tilt_right_deg",
        Unit.DEG,
        "t22 -> t18 above the pupil line",
        lambda t: _tilt_deg(t[_T.MEDIAL_CANTHUS_RIGHT], t[_T.LATERAL_CANTHUS_RIGHT]),
    ),
    TemplateMeasure(
        "canthal_tilt_left_deg",
        Unit.DEG,
        "t23 -> t27 above the pupil line",
        lambda t: _tilt_deg(t[_T.MEDIAL_CANTHUS_LEFT], t[_T.LATERAL_CANTHUS_LEFT]),
    ),
    TemplateMeasure(
        "brow_height_right_mm",
        Unit.MM,
        "t0 up to the brow polyline t71-t75 at the pupil's x",
        lambda t: _brow_height(t, _T.PUPIL_RIGHT, BROW_UPPER_RIGHT),
    ),
    TemplateMeasure(
        "brow_height_left_mm",
        Unit.MM,
        "t1 up to the brow polyline t78-t82 at the pupil's x",
        lambda t: _brow_height(t, _T.PUPIL_LEFT, BROW_UPPER_LEFT),
    ),
    TemplateMeasure(
        "alar_width_mm", Unit.MM, "most lateral of t61-t64 to most lateral of t66-t69", lambda t: _distance(*_alare(t))
    ),
    TemplateMeasure(
        "mouth_width_mm",
        Unit.MM,
        "t87-t93 (mouth corners)",
        lambda t: _distance(t[_T.CHEILION_RIGHT], t[_T.CHEILION_LEFT]),
    ),
    TemplateMeasure(
        "upper_vermilion_height_mm",
        Unit.MM,
        "t90 to stomion (mean of t96, t101)",
        lambda t: _distance(t[_T.LABRALE_SUPERIUS], _stomion(t)),
    ),
    TemplateMeasure(
        "lower_vermilion_height_mm",
        Unit.MM,
        "stomion to t106",
        lambda t: _distance(_stomion(t), t[_T.LABRALE_INFERIUS]),
    ),
    TemplateMeasure(
        "upper_to_lower_lip_ratio",
        Unit.RATIO,
        "(t90-stomion) / (stomion-t106)",
        lambda t: _ratio(
            _distance(t[_T.LABRALE_SUPERIUS], _stomion(t)), _distance(_stomion(t), t[_T.LABRALE_INFERIUS])
        ),
    ),
    TemplateMeasure(
        "upper_lip_height_mm",
        Unit.MM,
        "t55 (subnasale proxy) to stomion",
        lambda t: _distance(t[_T.SUBNASALE_PROXY], _stomion(t)),
    ),
    TemplateMeasure(
        "lower_face_ratio",
        Unit.RATIO,
        "(t55-stomion) / (stomion-t129)",
        lambda t: _ratio(_distance(t[_T.SUBNASALE_PROXY], _stomion(t)), _distance(_stomion(t), t[_T.MENTON])),
    ),
    TemplateMeasure(
        "lower_third_mm",
        Unit.MM,
        "t55 (subnasale proxy) to t129 (menton)",
        lambda t: _distance(t[_T.SUBNASALE_PROXY], t[_T.MENTON]),
    ),
)


def template_measurements(points_px: np.ndarray, *, mm_per_px: float) -> dict[str, float | None]:
    """Every :data:`TEMPLATE_MEASURES` entry on one template, roll removed first.

    Parameters
    ----------
    points_px : ndarray of shape (189, 2)
        Template points in image pixels.
    mm_per_px : float
        Scale for the lengths, millimetres per pixel of the same image.

    Returns
    -------
    dict of str to float or None
        Measurement id -> value in the measure's unit; ``None`` where it cannot be taken (a brow that
        does not reach over the pupil).
    """
    level = level_points(points_px)
    out: dict[str, float | None] = {}
    for measure in TEMPLATE_MEASURES:
        value = measure.compute(level)
        out[measure.id] = None if value is None else (value * mm_per_px if measure.unit is Unit.MM else value)
    return out


def visible_iris_widths_px(points_px: np.ndarray) -> tuple[float, float]:
    """Hand-placed visible (horizontal) iris widths, subject's (right, left), pixels: |t4-t8|, |t12-t16|."""
    t = points_px
    return (
        _distance(t[_T.IRIS_RIGHT_LATERAL], t[_T.IRIS_RIGHT_MEDIAL]),
        _distance(t[_T.IRIS_LEFT_MEDIAL], t[_T.IRIS_LEFT_LATERAL]),
    )


# --- one photo -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoComparison:
    """Engine and template on one photo (lengths in mm, pixels are full-resolution pixels of the photo)."""

    name: str
    engine: dict[str, float | None]
    template_engine_scale: dict[str, float | None]
    template_own_scale: dict[str, float | None]
    engine_mm_per_px: float
    #: The engine's own one-sigma relative uncertainty of its scale (``Calibration.relative_uncertainty``).
    engine_scale_sigma: float
    template_mm_per_px: float
    contour_widths_px: tuple[float, float]
    template_iris_widths_px: tuple[float, float]
    engine_visible_iris_px: float
    #: Limbus fitted in the image, per eye (right, left), full-resolution pixels, before the
    #: limbus-to-visible ratio; ``nan`` where the fit fell back to the mesh. Key 1.0 is the analysed
    #: photo, the others the photo reduced by that factor.
    limbus_widths_px: dict[float, tuple[float, float]]
    hairline_found: bool
    hairline_reason: str
    upper_third_engine_mm: float | None
    upper_third_template_mm: float
    #: Template (189, 2) and mesh (478, 2) points in the template's levelled frame (pupils level, x toward
    #: the subject's left, y down), in visible-iris diameters of this face.
    template_iris_units: np.ndarray
    mesh_iris_units: np.ndarray
    pose_deg: tuple[float, float, float]
    #: Measurement id -> the engine's own label and points, for the definitions table.
    engine_labels: dict[str, str]
    #: Refined point name -> (point - template, mesh estimate - template) in the head frame, in this face's
    #: hand-placed visible-iris diameters, and whether the point was read from the photo.
    point_errors: dict[str, tuple[np.ndarray, np.ndarray, bool]]


def compare_photo(photo: Path, *, sex: str | None, landmarker: FaceLandmarker) -> PhotoComparison:
    """Analyse one photo with the engine and recompute its measurements from the template."""
    analysis = analyze_photo(photo, sex=sex, landmarker=landmarker)
    template = read_tem(photo.with_suffix(".tem"))
    if len(template) != TEMPLATE_POINT_COUNT:
        raise ValueError(f"{photo.with_suffix('.tem').name}: {len(template)} points, expected {TEMPLATE_POINT_COUNT}")
    a = analysis.assessment
    scale = analysis.image.scale_to_full
    norms = analysis.norms
    iris_mm = norms.reference("iris_visible_diameter_mm").value

    engine_mm_per_px = a.calibration.mm_per_px / scale
    iris_t = visible_iris_widths_px(template)
    template_mm_per_px = iris_mm / float(np.mean(iris_t))
    contour = (a.iris_diameter_right_px * scale, a.iris_diameter_left_px * scale)

    engine = {m.id: a.measurements[m.id].value for m in TEMPLATE_MEASURES}

    # The hairline: the template's trichion against the engine's, both measured to the engine's glabella
    # (the template has no glabella), so the difference is the hairline's position alone.
    mesh = analysis.mesh.landmarks_px
    depth = float(mesh[Landmark.FOREHEAD_MESH_TOP, 2])
    trichion_t = image_to_head(a.frame, template[_T.TRICHION] / scale, depth)
    glabella = a.frame.point(Landmark.GLABELLA)
    upper_third_template = _distance(trichion_t, glabella) * a.calibration.mm_per_px

    iris_mean = float(np.mean(iris_t))
    point_errors = refined_point_errors(a.frame, template / scale, iris_mean / scale)
    pose = analysis.mesh.pose
    reference = iris_reference(norms)

    def fitted(fits: tuple, factor: float) -> tuple[float, float]:
        widths = [f.diameter_px * scale / factor if f.source is LimbusSource.IMAGE else math.nan for f in fits]
        return widths[0], widths[1]

    limbus = {1.0: fitted(a.limbus, 1.0)} if a.limbus is not None else {}
    for factor in LIMBUS_RESOLUTION_FACTORS:
        rgb = analysis.image.rgb
        size = (round(rgb.shape[1] * factor), round(rgb.shape[0] * factor))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        k = (size[0] / rgb.shape[1], size[1] / rgb.shape[0])
        small_mesh = mesh.copy()
        small_mesh[:, 0] = (mesh[:, 0] + 0.5) * k[0] - 0.5
        small_mesh[:, 1] = (mesh[:, 1] + 0.5) * k[1] - 0.5
        small_mesh[:, 2] = mesh[:, 2] * k[0]
        limbus[factor] = fitted(fit_both_limbi(small, small_mesh, reference), k[0])
    return PhotoComparison(
        name=photo.stem,
        engine=engine,
        template_engine_scale=template_measurements(template, mm_per_px=engine_mm_per_px),
        template_own_scale=template_measurements(template, mm_per_px=template_mm_per_px),
        engine_mm_per_px=engine_mm_per_px,
        engine_scale_sigma=a.calibration.relative_uncertainty,
        template_mm_per_px=template_mm_per_px,
        contour_widths_px=contour,
        template_iris_widths_px=iris_t,
        engine_visible_iris_px=iris_mm / engine_mm_per_px if a.calibration.ruler.value == "iris" else math.nan,
        limbus_widths_px=limbus,
        hairline_found=a.hairline.point_px is not None,
        hairline_reason=a.hairline.reason,
        upper_third_engine_mm=a.measurements["upper_third_mm"].value,
        upper_third_template_mm=upper_third_template,
        template_iris_units=level_points(template) / iris_mean,
        mesh_iris_units=level_points(mesh[:, :2] * scale, reference_px=template) / iris_mean,
        pose_deg=(pose.yaw_deg, pose.pitch_deg, pose.roll_deg),
        engine_labels={mid: f"{m.label} [{', '.join(m.points)}]" for mid, m in a.measurements.items()},
        point_errors=point_errors,
    )


def refined_point_errors(
    frame: HeadFrame, template_px: np.ndarray, iris_px: float
) -> dict[str, tuple[np.ndarray, np.ndarray, bool]]:
    """Each refined point's and its mesh estimate's offset from the template counterpart (head frame).

    Parameters
    ----------
    frame : HeadFrame
        The engine's head frame with its refined points.
    template_px : ndarray of shape (189, 2)
        Template points in pixels of the analysed image.
    iris_px : float
        The face's hand-placed visible iris width in the same pixels (the unit of the result).
    """
    out: dict[str, tuple[np.ndarray, np.ndarray, bool]] = {}
    for name, counterpart in REFINED_COUNTERPARTS.items():
        point = frame.refined.get(name)
        if point is None:
            continue
        if counterpart and counterpart[0] == "lateral":
            _, side, row = counterpart  # type: ignore[misc]
            heads = np.array([frame.from_image(template_px[i], point.depth_px) for i in row])
            target = heads[np.argmin(heads[:, 0])] if side == "right" else heads[np.argmax(heads[:, 0])]
        else:
            target = np.mean([frame.from_image(template_px[int(i)], point.depth_px) for i in counterpart], axis=0)
        out[name] = ((point.xy - target) / iris_px, (point.mesh_xy - target) / iris_px, point.refined)
    return out


def landmark_offsets(photos: list[PhotoComparison], template_point: int, mesh_vertex: int) -> np.ndarray:
    """Mesh minus template position, (faces, 2), in visible-iris diameters (levelled frame)."""
    return np.array([p.mesh_iris_units[mesh_vertex] - p.template_iris_units[template_point] for p in photos])


def nearest_vertex(photos: list[PhotoComparison], template_point: int) -> tuple[int, float]:
    """The mesh vertex closest to a template point on average, and that mean distance (iris diameters)."""
    distances = np.mean(
        [np.linalg.norm(p.mesh_iris_units - p.template_iris_units[template_point], axis=1) for p in photos], axis=0
    )
    best = int(np.argmin(distances))
    return best, float(distances[best])


# --- the whole set -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatioEstimate:
    """``mediapipe_iris_contour_to_visible_ratio`` measured on the set, with a leave-one-out check.

    Attributes
    ----------
    mean, sd, n : float, float, int
        Mean and SD over faces of (hand-placed visible width / MediaPipe contour width), both eyes averaged.
    loo_ratios : ndarray of shape (n,)
        The ratio estimated without each face in turn.
    loo_scale_error_pct : ndarray of shape (n,)
        For each face, the calibration error (engine scale / template-iris scale - 1, in %) when its
        ratio is the one estimated from the other faces.
    """

    mean: float
    sd: float
    n: int
    loo_ratios: np.ndarray
    loo_scale_error_pct: np.ndarray


def estimate_ratio(template_widths_px: np.ndarray, contour_widths_px: np.ndarray) -> RatioEstimate:
    """Visible-iris / contour ratio from per-face mean widths (n,) each, with leave-one-out errors.

    Examples
    --------
    >>> est = estimate_ratio(np.array([9.0, 10.0, 11.0]), np.array([10.0, 10.0, 10.0]))
    >>> round(est.mean, 3), np.round(est.loo_ratios, 3).tolist()
    (1.0, [1.05, 1.0, 0.95])
    """
    per_face = np.asarray(template_widths_px, dtype=np.float64) / np.asarray(contour_widths_px, dtype=np.float64)
    n = len(per_face)
    loo = (per_face.sum() - per_face) / (n - 1)
    # Engine scale / template scale = template width / (contour x ratio) = per-face ratio / ratio used.
    return RatioEstimate(
        mean=float(per_face.mean()),
        sd=float(per_face.std(ddof=1)),
        n=n,
        loo_ratios=loo,
        loo_scale_error_pct=(per_face / loo - 1.0) * 100.0,
    )


def pooled_sigma(offsets: np.ndarray) -> tuple[float, float]:
    """Pooled per-coordinate SD and RMS of landmark offsets.

    Parameters
    ----------
    offsets : ndarray of shape (faces, pairs, 2)
        Mesh minus template, in iris diameters; ``nan`` where missing.

    Returns
    -------
    (pooled_sd, rms)
        ``pooled_sd``: the SD about each pair's and coordinate's own mean offset, pooled over pairs and
        both coordinates (each pair's constant offset, a difference of definition, is removed);
        ``rms``: the root mean square offset per coordinate, constant offsets included.

    Examples
    --------
    >>> off = np.zeros((3, 1, 2)); off[:, 0, 0] = [1.0, 2.0, 3.0]
    >>> [round(v, 4) for v in pooled_sigma(off)]
    [0.7071, 1.5275]
    """
    arr = np.asarray(offsets, dtype=np.float64)
    mean = np.nanmean(arr, axis=0, keepdims=True)
    counts = np.sum(np.isfinite(arr), axis=0)
    ss = np.nansum((arr - mean) ** 2)
    pooled = math.sqrt(ss / float(np.sum(counts - 1)))
    rms = math.sqrt(float(np.nanmean(arr**2)))
    return pooled, rms


@dataclass(frozen=True)
class MeasurementEval:
    """Everything the London evaluation found."""

    photos: list[PhotoComparison]
    failures: list[tuple[str, str]]
    placement: dict[str, Agreement]
    end_to_end: dict[str, Agreement]
    units: dict[str, Unit]
    iris_px: Agreement
    upper_third: Agreement
    scale_error_pct: np.ndarray
    ratio: RatioEstimate
    sigma_pooled: float
    sigma_rms: float
    toml_ratio: float
    toml_ratio_sd: float | None
    toml_sigma: float
    iris_reference_mm: float
    limbus_ratio: RatioEstimate | None = None
    toml_limbus_ratio: float = math.nan
    toml_limbus_ratio_sd: float | None = None
    #: ``"<kind>.image"`` / ``"<kind>.mesh"`` -> pooled per-coordinate SD (iris diameters) of the refined
    #: points read from the photo / of the mesh's estimates, against the template.
    point_sigmas: dict[str, float] = field(default_factory=dict)


def summarise(photos: list[PhotoComparison], failures: list[tuple[str, str]]) -> MeasurementEval:
    """Agreement statistics over the photos, and the constants set against the default norm set's."""
    norms = load_norm_set()
    placement: dict[str, Agreement] = {}
    end_to_end: dict[str, Agreement] = {}
    units: dict[str, Unit] = {}
    for measure in TEMPLATE_MEASURES:
        engine = [p.engine[measure.id] for p in photos]
        placement[measure.id] = agreement([p.template_engine_scale[measure.id] for p in photos], engine)
        end_to_end[measure.id] = agreement([p.template_own_scale[measure.id] for p in photos], engine)
        units[measure.id] = measure.unit
    iris_px = agreement(
        [float(np.mean(p.template_iris_widths_px)) for p in photos], [p.engine_visible_iris_px for p in photos]
    )
    upper_third = agreement([p.upper_third_template_mm for p in photos], [p.upper_third_engine_mm for p in photos])
    scale_error = np.array([(p.engine_mm_per_px / p.template_mm_per_px - 1.0) * 100.0 for p in photos])
    ratio = estimate_ratio(
        np.array([np.mean(p.template_iris_widths_px) for p in photos]),
        np.array([np.mean(p.contour_widths_px) for p in photos]),
    )
    sigma_offsets = np.stack([landmark_offsets(photos, tp, lm) for tp, lm in SIGMA_PAIRS], axis=1)
    pooled, rms = pooled_sigma(sigma_offsets)
    ratio_ref = norms.reference("mediapipe_iris_contour_to_visible_ratio")
    limbus_ref = norms.reference("limbus_fit_to_visible_ratio")
    both = [p for p in photos if np.all(np.isfinite(p.limbus_widths_px.get(1.0, (math.nan, math.nan))))]
    limbus_ratio = (
        estimate_ratio(
            np.array([np.mean(p.template_iris_widths_px) for p in both]),
            np.array([np.mean(p.limbus_widths_px[1.0]) for p in both]),
        )
        if len(both) > 1
        else None
    )
    point_sigmas = refined_point_sigmas(photos)
    return MeasurementEval(
        photos=photos,
        failures=failures,
        placement=placement,
        end_to_end=end_to_end,
        units=units,
        iris_px=iris_px,
        upper_third=upper_third,
        scale_error_pct=scale_error,
        ratio=ratio,
        sigma_pooled=pooled,
        sigma_rms=rms,
        toml_ratio=ratio_ref.value,
        toml_ratio_sd=ratio_ref.sd,
        toml_sigma=norms.reference("landmark_sigma_iris_diameters").value,
        iris_reference_mm=norms.reference("iris_visible_diameter_mm").value,
        limbus_ratio=limbus_ratio,
        toml_limbus_ratio=limbus_ref.value,
        toml_limbus_ratio_sd=limbus_ref.sd,
        point_sigmas=point_sigmas,
    )


#: Kinds whose measurements use only the horizontal position: the widest ala's height along the rim is a
#: matter of definition (the template's most lateral rim point), not of localisation.
HORIZONTAL_ONLY = frozenset({"alare"})


def _point_offsets(photos: list[PhotoComparison], names: list[str], *, image: bool) -> np.ndarray:
    """(faces, points, 2) offsets from the template; NaN where missing (or, for ``image``, not read)."""
    out = np.full((len(photos), len(names), 2), np.nan)
    for i, p in enumerate(photos):
        for j, name in enumerate(names):
            found = p.point_errors.get(name)
            if found is not None and (not image or found[2]):
                out[i, j] = found[0] if image else found[1]
    return out


def refined_point_sigmas(photos: list[PhotoComparison]) -> dict[str, float]:
    """Pooled per-coordinate SD (about each point's mean offset) of each kind's points read from the photo
    and of their mesh estimates, in iris diameters (``"<kind>.image"``, ``"<kind>.mesh"``)."""
    kinds: dict[str, list[str]] = {}
    for name, kind in POINT_KINDS.items():
        if name in REFINED_COUNTERPARTS:
            kinds.setdefault(kind, []).append(name)
    out: dict[str, float] = {}
    for kind, names in kinds.items():
        for image in (True, False):
            offsets = _point_offsets(photos, names, image=image)
            if kind in HORIZONTAL_ONLY:
                offsets = offsets[..., :1]
            counts = np.sum(np.isfinite(offsets[..., 0]), axis=0)
            if (counts >= 3).all():
                out[f"{kind}.{'image' if image else 'mesh'}"] = pooled_sigma(offsets)[0]
    return out


# --- report ----------------------------------------------------------------------------------------

_AGREEMENT_COLUMNS = (
    "measurement",
    "unit",
    "n",
    "template mean",
    "bias (engine − template)",
    "MAD",
    "SD of difference",
    "ICC(2,1)",
    "ICC(3,1)",
    "MAD < 1 mm",
)


def _agreement_row(name: str, unit: Unit, a: Agreement) -> tuple[str, ...]:
    digits = 3 if unit is Unit.RATIO else 2
    if unit is Unit.MM:
        within = "—" if not math.isfinite(a.mad) else ("yes" if a.mad < CLINICAL_MAD_LIMIT_MM else "no")
    else:
        within = "n/a"
    return (
        name,
        unit.value,
        str(a.n),
        fmt(a.reference_mean, digits),
        fmt(a.bias, digits, signed=True),
        fmt(a.mad, digits),
        fmt(a.sd_difference, digits),
        fmt(a.icc_a1, 3),
        fmt(a.icc_c1, 3),
        within,
    )


def _agreement_table(
    title: str, stats: dict[str, Agreement], units: dict[str, Unit], note: str, extra: tuple[tuple[str, ...], ...] = ()
) -> ResultTable:
    rows = tuple(_agreement_row(mid, units[mid], a) for mid, a in stats.items()) + extra
    return ResultTable(title, _AGREEMENT_COLUMNS, rows, note)


def _median_abs_difference(reference: list[float], test: list[float | None]) -> float:
    diffs = [t - r for r, t in zip(reference, test, strict=True) if t is not None]
    return float(np.median(np.abs(diffs))) if diffs else math.nan


def _pct(values: np.ndarray) -> tuple[str, ...]:
    return (
        fmt(float(values.mean()), 2, signed=True),
        fmt(float(np.abs(values).mean()), 2),
        fmt(float(values.std(ddof=1)) if len(values) > 1 else math.nan, 2),
        fmt(float(np.abs(values).max()), 2),
    )


def build_tables(result: MeasurementEval) -> dict[str, ResultTable]:
    """The report's tables, keyed by the section they belong to."""
    photos = result.photos
    labels = photos[0].engine_labels if photos else {}
    iris_mm = result.iris_reference_mm

    def engine_label(measurement_id: str) -> str:
        return labels.get(measurement_id, measurement_id)

    tables: dict[str, ResultTable] = {}
    tables["definitions"] = ResultTable(
        "Definitions",
        ("measurement", "from the template (t = template point)", "engine"),
        (
            *((m.id, m.definition, engine_label(m.id)) for m in TEMPLATE_MEASURES),
            ("upper_third_mm", "t139 (centre of hairline) to the engine's glabella", engine_label("upper_third_mm")),
            (
                "visible iris diameter",
                "mean of |t4-t8| and |t12-t16|",
                "limbus fitted in the image (anatomy.limbus) x limbus-to-visible ratio; MediaPipe iris contour "
                "(469-471, 474-476) x contour-to-visible ratio where the fit fails on an eye",
            ),
        ),
        "Template points are placed in a frame with the pupils level (roll removed); the engine measures in "
        "its head frame (roll, yaw and pitch removed using the mesh depth). t55, the bottom-centre of the "
        "nose, is only a proxy for subnasale (the columella-lip junction).",
    )
    iris_row = _agreement_row("visible iris diameter (px)", Unit.PX, result.iris_px)
    tables["placement"] = _agreement_table(
        "(a) Landmark placement: template measurement on the engine's scale vs the engine",
        result.placement,
        result.units,
        "Both sides use the engine's mm per pixel, so only where the points are differs. Lengths in mm, "
        "canthal tilt in degrees, ratios unitless; the iris row is in pixels of the photo (the engine's "
        "visible-iris estimate against the hand-placed width). ICC(2,1): two-way random, absolute "
        "agreement, single measures; ICC(3,1): consistency.",
        extra=(iris_row,),
    )
    worst = sorted(zip(result.scale_error_pct, photos, strict=True), key=lambda e: -abs(e[0]))[:3]
    stated = np.array([p.engine_scale_sigma for p in photos]) * 100.0
    tables["calibration"] = ResultTable(
        "(b) Calibration: engine mm/px vs hand-placed-iris mm/px",
        (
            "n",
            "engine mm/px (mean)",
            "template-iris mm/px (mean)",
            "bias %",
            "mean |error| %",
            "SD %",
            "max |error| %",
            "engine's stated 1σ % (mean)",
        ),
        (
            (
                str(len(photos)),
                fmt(float(np.mean([p.engine_mm_per_px for p in photos])), 4),
                fmt(float(np.mean([p.template_mm_per_px for p in photos])), 4),
                *_pct(result.scale_error_pct),
                fmt(float(stated.mean()), 2),
            ),
        ),
        "Error = engine mm/px ÷ template-iris mm/px − 1. Both scales assume the same population iris "
        "diameter, so this is the error of finding the visible iris, not of the population assumption. "
        "The engine's stated 1σ is the scale uncertainty it reports with every measurement (population "
        "iris SD, the limbus fit's or the mesh's spread, the two irises' disagreement); the SD column is the "
        "part this set can measure. "
        "Largest errors: " + ", ".join(f"{p.name} {e:+.1f} %" for e, p in worst) + ". The contour-to-visible "
        "and limbus-to-visible ratios the engine used were measured on this same set (in-sample); the "
        "leave-one-out figures under the calibration constants are the out-of-sample estimate.",
    )
    tables["end_to_end"] = _agreement_table(
        "(c) End to end: template measurement on the template's own iris scale vs the engine",
        result.end_to_end,
        result.units,
        "Placement and calibration errors together, as a user of the engine would see them against a "
        "manual measurement with the same iris ruler.",
    )
    found = sum(p.hairline_found for p in photos)
    reasons: dict[str, int] = {}
    for p in photos:
        if not p.hairline_found:
            reasons[p.hairline_reason] = reasons.get(p.hairline_reason, 0) + 1
    tables["hairline"] = ResultTable(
        "Hairline: engine-detected trichion vs template t139 (upper third to the engine's glabella)",
        ("photos", "hairline found", "n compared", "bias mm", "MAD mm", "median |difference| mm", "SD mm", "ICC(2,1)"),
        (
            (
                str(len(photos)),
                f"{found} ({found / len(photos):.0%})" if photos else "0",
                str(result.upper_third.n),
                fmt(result.upper_third.bias, 2, signed=True),
                fmt(result.upper_third.mad, 2),
                fmt(
                    _median_abs_difference(
                        [p.upper_third_template_mm for p in photos], [p.upper_third_engine_mm for p in photos]
                    ),
                    2,
                ),
                fmt(result.upper_third.sd_difference, 2),
                fmt(result.upper_third.icc_a1, 3),
            ),
        ),
        "Not found: "
        + ("; ".join(f"{reason} ({count})" for reason, count in sorted(reasons.items())) if reasons else "none")
        + ". Positive bias = the engine's hairline lies farther up. "
        "With a fringe the engine stops at the fringe's lower edge while the template marks the (hidden) "
        "hairline, so large differences are expected there.",
    )
    gaps_t = (
        np.array(
            [
                (p.template_iris_units[_T.LOWER_LIP_INNER, 1] - p.template_iris_units[_T.UPPER_LIP_INNER, 1])
                for p in photos
            ]
        )
        * iris_mm
    )
    gaps_m = (
        np.array(
            [
                (p.mesh_iris_units[Landmark.STOMION_LOWER, 1] - p.mesh_iris_units[Landmark.STOMION_UPPER, 1])
                for p in photos
            ]
        )
        * iris_mm
    )
    tables["lips"] = ResultTable(
        "Lip contact at the midline (neutral, lips closed)",
        ("photos", "template gap t96→t101 mm (mean)", "mesh gap 13→14 mm (mean)", "mesh gap − template gap mm"),
        (
            (
                str(len(photos)),
                fmt(float(gaps_t.mean()), 2),
                fmt(float(gaps_m.mean()), 2),
                fmt(float((gaps_m - gaps_t).mean()), 2, signed=True),
            ),
        ),
        "Vertical distance between the inner upper- and lower-lip midline points, in the levelled frame, "
        "≈ mm via the population iris diameter. The engine's stomion is the midpoint of 13 and 14; a mesh gap "
        "on closed lips moves it down by half the gap, lengthening the upper vermilion and shortening the lower.",
    )
    tables["limbus"] = _limbus_table(result)
    limbus_rows = (
        (
            _ratio_row(
                "limbus_fit_to_visible_ratio",
                result.toml_limbus_ratio,
                result.toml_limbus_ratio_sd,
                result.limbus_ratio,
                "; faces with the limbus found in both eyes",
            ),
        )
        if result.limbus_ratio is not None
        else ()
    )
    tables["constants"] = ResultTable(
        "Calibration constants measured here",
        ("constant", "norms file", "measured", "SD", "n", "notes"),
        (
            _ratio_row(
                "mediapipe_iris_contour_to_visible_ratio", result.toml_ratio, result.toml_ratio_sd, result.ratio
            ),
            *limbus_rows,
            (
                "landmark_sigma_iris_diameters",
                fmt(result.toml_sigma, 3),
                fmt(result.sigma_pooled, 3),
                "",
                f"{len(photos)} x {len(SIGMA_PAIRS)}",
                "pooled per-coordinate SD about each pair's mean offset; RMS with the mean offsets kept: "
                f"{fmt(result.sigma_rms, 3)}",
            ),
        ),
        "Ratio = hand-placed visible iris width (mean of both eyes) ÷ MediaPipe iris contour width (3-D "
        "distance 469-471 and 474-476, mean of both eyes), averaged over faces; the limbus ratio likewise with "
        "the limbus fit's diameter, over the faces fitted in both eyes. Sigma pairs (template:mesh): "
        + ", ".join(f"{int(tp)}:{int(lm)}" for tp, lm in SIGMA_PAIRS)
        + ".",
    )
    tables["refined"] = _refined_points_table(result)
    rows = []
    for tp, lm in SIGMA_PAIRS + DIAGNOSTIC_PAIRS:
        off = landmark_offsets(photos, tp, lm)
        distance = np.linalg.norm(off, axis=1)
        best, best_distance = nearest_vertex(photos, tp)
        rows.append(
            (
                f"t{int(tp)} {tp.name.lower()}",
                f"{int(lm)} {lm.name.lower()}",
                fmt(float(off[:, 0].mean()), 3, signed=True),
                fmt(float(off[:, 1].mean()), 3, signed=True),
                fmt(float(off[:, 0].std(ddof=1)) if len(off) > 1 else math.nan, 3),
                fmt(float(off[:, 1].std(ddof=1)) if len(off) > 1 else math.nan, 3),
                fmt(float(distance.mean()), 3),
                fmt(float(distance.mean()) * iris_mm, 2),
                f"{best} ({fmt(best_distance, 3)})",
                "yes" if (tp, lm) in SIGMA_PAIRS else "diagnostic",
            )
        )
    tables["offsets"] = ResultTable(
        "Landmark offsets, MediaPipe minus template (visible-iris diameters)",
        (
            "template point",
            "mesh vertex",
            "mean dx",
            "mean dy",
            "SD dx",
            "SD dy",
            "mean distance",
            "≈ mm",
            "nearest vertex on average (distance)",
            "in sigma",
        ),
        tuple(rows),
        "Frame with the pupils level: +dx toward the subject's left, +dy down; unit = the face's own "
        "hand-placed visible iris width (≈ mm column: times the population iris diameter). The nearest "
        "vertex is searched over all 478 mesh points; where it is not the vertex the engine uses, the "
        "engine's choice may be worth revisiting (or the two annotations define the point differently).",
    )
    return tables


def _ratio_row(
    constant: str, toml_value: float, toml_sd: float | None, r: RatioEstimate, note: str = ""
) -> tuple[str, ...]:
    """One row of the calibration-constants table: the norm file's value against the measured ratio."""
    loo = r.loo_scale_error_pct
    return (
        constant,
        f"{fmt(toml_value, 3)} (SD {fmt(toml_sd, 3)})",
        fmt(r.mean, 3),
        fmt(r.sd, 3),
        str(r.n),
        f"SE {fmt(r.sd / math.sqrt(r.n) if r.n else math.nan, 4)}; leave-one-out ratio "
        f"{fmt(float(r.loo_ratios.min()), 3)}-{fmt(float(r.loo_ratios.max()), 3)}; leave-one-out "
        f"scale error mean |e| {fmt(float(np.abs(loo).mean()), 2)} %, RMS "
        f"{fmt(float(np.sqrt(np.mean(loo**2))), 2)} %, max |e| {fmt(float(np.abs(loo).max()), 2)} %{note}",
    )


def _ratio_stats(estimate: np.ndarray, template: np.ndarray) -> tuple[str, ...]:
    """n, mean ratio, SD of the ratio % and mean |ratio / mean - 1| % over faces where both exist."""
    ratio = estimate / template
    ratio = ratio[np.isfinite(ratio)]
    if len(ratio) < 2:
        return (str(len(ratio)), "—", "—", "—")
    return (
        str(len(ratio)),
        fmt(float(ratio.mean()), 4),
        fmt(float(ratio.std(ddof=1)) * 100.0, 2),
        fmt(float(np.mean(np.abs(ratio / ratio.mean() - 1.0))) * 100.0, 2),
    )


def _limbus_table(result: MeasurementEval) -> ResultTable:
    """The limbus fit and the mesh's iris against the hand-placed visible iris, and with fewer pixels."""
    photos = result.photos
    template = np.array([p.template_iris_widths_px for p in photos])
    template_mean = template.mean(axis=1)
    contour = np.array([p.contour_widths_px for p in photos]) * result.toml_ratio

    def right_left_sd(widths: np.ndarray) -> str:
        rl = widths[:, 0] / widths[:, 1]
        rl = rl[np.isfinite(rl)]
        return fmt(float(rl.std(ddof=1)) * 100.0, 2) if len(rl) > 1 else "—"

    iris_px = fmt(float(template_mean.mean()), 1)
    mesh_n, mesh_mean, mesh_sd, mesh_mad = _ratio_stats(contour.mean(axis=1), template_mean)
    rows = [
        ("hand-placed (template)", iris_px, "1", "—", "—", str(len(photos)), "—", right_left_sd(template)),
        (
            "face mesh contour × contour-to-visible ratio",
            iris_px,
            mesh_mean,
            mesh_sd,
            mesh_mad,
            mesh_n,
            "—",
            right_left_sd(contour),
        ),
    ]
    for factor in (1.0, *LIMBUS_RESOLUTION_FACTORS):
        widths = np.array([p.limbus_widths_px.get(factor, (math.nan, math.nan)) for p in photos])
        missing = int(np.sum(~np.all(np.isfinite(widths), axis=1)))
        label = "limbus fit, the analysed photo" if factor == 1.0 else f"limbus fit, photo reduced to {factor:.2f}"
        n, mean, sd, mad = _ratio_stats(widths.mean(axis=1), template_mean)
        rows.append(
            (label, fmt(float(template_mean.mean() * factor), 1), mean, sd, mad, n, str(missing), right_left_sd(widths))
        )
    return ResultTable(
        "Visible iris diameter: limbus fit and face mesh vs hand-placed irises",
        (
            "estimate",
            "iris px (template, mean)",
            "mean ratio to template",
            "SD of ratio %",
            "MAD %",
            "faces",
            "faces with an eye not fitted",
            "right/left SD %",
        ),
        tuple(rows),
        "Ratio = estimate ÷ hand-placed width |t4-t8|, |t12-t16|, mean of both eyes, per face; MAD = mean "
        "|ratio ÷ mean ratio − 1| (the constant ratio is the calibration constant below). Limbus rows: "
        "faces with the limbus found in both eyes (the engine uses the face mesh on the others). The reduced "
        "rows shrink the analysed photo by area averaging and scale the mesh with it, as a reduced decode "
        "would. Right/left SD: SD of the right ÷ left diameter over faces, a check that needs no annotator "
        "(the two irises of one person are the same size; the hand-placed row shows the annotation's own "
        "noise, the mesh ties both eyes to one shape and looks better than it measures).",
    )


def _refined_points_table(result: MeasurementEval) -> ResultTable:
    photos = result.photos
    rows = []
    for name, kind in POINT_KINDS.items():
        if name not in REFINED_COUNTERPARTS:
            continue
        image = _point_offsets(photos, [name], image=True)[:, 0]
        mesh = _point_offsets(photos, [name], image=False)[:, 0]
        read = int(np.sum(np.isfinite(image[:, 0])))

        def stats(off: np.ndarray) -> tuple[str, ...]:
            ok = off[np.isfinite(off[:, 0])]
            if len(ok) < 2:
                return ("—", "—")
            return (
                f"{fmt(float(ok[:, 0].mean()), 3, signed=True)}, {fmt(float(ok[:, 1].mean()), 3, signed=True)}",
                f"{fmt(float(ok[:, 0].std(ddof=1)), 3)}, {fmt(float(ok[:, 1].std(ddof=1)), 3)}",
            )

        rows.append(
            (
                name,
                f"{read} of {len(photos)}",
                *stats(image),
                fmt(result.point_sigmas.get(f"{kind}.image"), 3),
                *stats(mesh),
                fmt(result.point_sigmas.get(f"{kind}.mesh"), 3),
            )
        )
    return ResultTable(
        "Points read from the photo vs the template (visible-iris diameters)",
        (
            "point",
            "read from the photo",
            "photo: mean dx, dy",
            "photo: SD dx, dy",
            "photo: pooled σ (kind)",
            "mesh: mean dx, dy",
            "mesh: SD dx, dy",
            "mesh: pooled σ (kind)",
        ),
        tuple(rows),
        "Head frame (+dx toward the subject's left, +dy down), in the face's own hand-placed visible-iris "
        "widths; photo columns over the faces where the point was read from the photo, mesh columns over every "
        "face (the mesh's estimate, the search's prior). Template counterparts: pupils t0/t1, medial canthi "
        "t22/t23, lateral canthi t18/t27, cheilia t87/t93, stomion mean of t96 and t101, labrale superius "
        "t90, labrale inferius t106, menton t129, alare the most lateral of t61-t64 / t66-t69. Pooled σ: the "
        "per-coordinate SD about each point's mean offset, pooled over the kind's points (both sides) and both "
        "coordinates (alare: x only, the widths are horizontal); these are the point_sigma_iris_diameters "
        "references of the norm set (template noise included).",
    )


def report_markdown(result: MeasurementEval, tables: dict[str, ResultTable], *, header: str) -> str:
    """The markdown section written into the validation document."""
    photos = result.photos
    pose = np.abs(np.array([p.pose_deg for p in photos]))
    lines = [
        "## Measurements vs hand-placed templates (London set)",
        "",
        header,
        f"- photos: {len(photos)} analysed"
        + (
            f", {len(result.failures)} refused by the engine: "
            + "; ".join(f"{name} ({why})" for name, why in result.failures)
            if result.failures
            else ", none refused"
        ),
    ]
    if photos:
        lines.append(
            f"- pose as estimated by the engine: |yaw| ≤ {pose[:, 0].max():.1f}°, "
            f"|pitch| ≤ {pose[:, 1].max():.1f}°, |roll| ≤ {pose[:, 2].max():.1f}°"
        )
    lines += [
        "",
        "Each measurement is recomputed from the hand-placed 189-point template, independently of the "
        "engine's zone code, with the pupils levelled first. Bias is engine minus template; MAD is the mean "
        "absolute difference.",
    ]
    for table in tables.values():
        lines += ["", f"### {table.title}", "", table.to_markdown()]
    return "\n".join(lines) + "\n"


def run_measurement_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> MeasurementEval:
    """Run the London measurement evaluation, print it, and optionally write it into a markdown file.

    Parameters
    ----------
    dataset : Path
        The London set folder (``neutral/NNN_03.jpg`` with ``.tem`` templates, ``london_info.csv``), or a
        folder holding the photo/template pairs directly.
    write : Path, optional
        Markdown file whose ``eval-measurements`` section is replaced (or appended) with the results.
    limit : int, optional
        Only the first N photos (sorted by name).
    console : Console
        Where the progress bar and tables go.

    Returns
    -------
    MeasurementEval
        The per-photo comparisons and the statistics (the CLI ignores it; tests read it).
    """
    photos = neutral_photos(dataset)
    if limit is not None:
        photos = photos[:limit]
    if not photos:
        raise FileNotFoundError(f"no photo with a .tem template under {dataset}")
    sexes = read_sexes(dataset / "london_info.csv")

    compared: list[PhotoComparison] = []
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
        task = progress.add_task("London photos", total=len(photos))
        for photo in photos:
            progress.update(task, description=f"London {photo.stem}")
            try:
                compared.append(compare_photo(photo, sex=sexes.get(photo.stem.split("_")[0]), landmarker=landmarker))
            except FacebalanceError as exc:
                failures.append((photo.stem, exc.message))
            progress.advance(task)
    if not compared:
        raise RuntimeError(f"the engine refused every photo: {failures}")

    result = summarise(compared, failures)
    tables = build_tables(result)
    for table in tables.values():
        console.print(table.to_rich())
    for name, why in failures:
        console.print(f"[yellow]refused[/] {name}: {why}")
    if write is not None:
        header = run_header(command_line("measurements", dataset, write=write, limit=limit))
        write_section(write, SECTION, report_markdown(result, tables, header=header))
        console.print(f"wrote the {SECTION} section of {write}")
    return result
