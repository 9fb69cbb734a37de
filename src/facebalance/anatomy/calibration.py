"""Pixel-to-millimetre calibration with its uncertainty.

Three rulers, in the order they are preferred:

``marker``
    A printed calibration marker of known size in the photo (:mod:`facebalance.vision.marker` finds it
    and measures its scale; :func:`calibrate_from_marker`). No population assumption.
``known_ipd``
    The patient's interpupillary distance measured in clinic (:func:`calibrate_from_known_distance`);
    when given, it wins over the other two.
``iris``
    The horizontal visible iris diameter (white-to-white), 11.71 mm with a population SD of 0.42 mm in
    401 healthy adults [1]_. Both irises are measured, from the limbus fitted in the image
    (:mod:`facebalance.anatomy.limbus`, :func:`calibrate_from_limbus`) or, when that fails on an eye,
    from the face mesh's iris contour (:func:`calibrate_from_iris`). Their disagreement is measurement
    noise; the population SD is the dominant, irreducible part of the uncertainty.

References
----------
.. [1] Rüfer F, Schröder A, Erb C. White-to-white corneal diameter: normal values in healthy humans
       obtained with the Orbscan II topography system. Cornea. 2005;24(3):259-261.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from facebalance.anatomy.landmarks import FACE_OVAL, Landmark
from facebalance.anatomy.limbus import LimbusFit, LimbusLimits, LimbusSource
from facebalance.errors import CalibrationError


class CalibrationMethod(StrEnum):
    IRIS_DIAMETER = "iris_diameter"
    KNOWN_DISTANCE = "known_distance"
    MARKER = "marker"


class Ruler(StrEnum):
    """What the scale was taken from, as the analysis document states it."""

    MARKER = "marker"
    IRIS = "iris"
    KNOWN_IPD = "known_ipd"
    KNOWN_DISTANCE = "known_distance"


_DEFAULT_RULER = {
    CalibrationMethod.IRIS_DIAMETER: Ruler.IRIS,
    CalibrationMethod.KNOWN_DISTANCE: Ruler.KNOWN_DISTANCE,
    CalibrationMethod.MARKER: Ruler.MARKER,
}


@dataclass(frozen=True)
class IrisReference:
    """Population iris diameter used as the ruler, and how the landmark model sees the iris.

    Attributes
    ----------
    diameter_mm, sd_mm : float
        Population mean and SD of the visible (white-to-white) iris diameter.
    source : str
        Citation.
    contour_to_visible_ratio : float
        Visible iris diameter divided by the diameter of the model's iris contour (1.0 = no correction).
    contour_to_visible_sd : float
        Face-to-face SD of that ratio: how far the model's iris differs from the visible one on a single
        face. It adds to the population spread of the iris itself.
    point_sigma_iris_diameters : float
        One-sigma landmark localisation noise per coordinate, as a fraction of the visible iris diameter.
    limbus_to_visible_ratio : float
        Visible iris diameter divided by the limbus fit's diameter (1.0 = no correction).
    limbus_sigma_fraction : float
        Face-to-face SD of the limbus fit against the visible iris beyond its own fit uncertainty, as a
        fraction of the diameter.
    contour_to_visible_sd_limbus_missed : float
        That SD on photos where the limbus fit failed (the lids that hide the limbus mislead the mesh too).
    limbus_limits : LimbusLimits or None
        The limbus fit's prior on the iris centre and its shortest accepted arc (``None``: not read from a
        norm set; the limbus fit needs them).
    limbus_eye_agreement_sigmas : float
        Two eyes' limbus diameters further apart than this many combined sigmas are not averaged: the
        better supported eye is used alone (:func:`limbus_ruler_eyes`). Infinite: only
        :data:`IRIS_DISAGREEMENT_LIMIT` applies.
    limbus_right_left_sd_fraction : float
        Face-to-face SD of the right / left limbus diameter ratio (the irises' own difference and the fits'
        noise): how far two correct fits of one face may differ.
    limbus_single_eye_sd_fraction : float
        What a ruler from one eye adds to the uncertainty, as a fraction (a lone eye is a harder photo's).
    limbus_single_eye_max_relative_sigma : float
        A lone eye's limbus (the other eye's not found) is used only when its fit's relative sigma is at
        most this; otherwise the face mesh's iris.
    """

    diameter_mm: float
    sd_mm: float
    source: str
    contour_to_visible_ratio: float = 1.0
    contour_to_visible_sd: float = 0.0
    point_sigma_iris_diameters: float = 0.0
    limbus_to_visible_ratio: float = 1.0
    limbus_sigma_fraction: float = 0.0
    contour_to_visible_sd_limbus_missed: float = 0.0
    limbus_limits: LimbusLimits | None = None
    limbus_eye_agreement_sigmas: float = math.inf
    limbus_right_left_sd_fraction: float = 0.0
    limbus_single_eye_sd_fraction: float = 0.0
    limbus_single_eye_max_relative_sigma: float = math.inf


#: Irises disagreeing by more than this fraction point to occlusion, a turned head or a bad fit.
IRIS_DISAGREEMENT_LIMIT = 0.12


@dataclass(frozen=True)
class Calibration:
    """Scale from pixels to millimetres, with one-sigma relative uncertainty.

    Attributes
    ----------
    mm_per_px : float
        Millimetres per pixel in the plane of the face, in the pixel grid the landmarks are expressed in.
    relative_uncertainty : float
        One-sigma uncertainty of ``mm_per_px`` as a fraction of it.
    method : CalibrationMethod
    detail : str
        How the scale was obtained, for the report.
    point_sigma_px : float
        One-sigma localisation noise of a single landmark coordinate, in pixels. Distances, ratios and
        angles add it to the scale uncertainty.
    ruler : Ruler
        What the scale was taken from; by default the method's own ruler.
    """

    mm_per_px: float
    relative_uncertainty: float
    method: CalibrationMethod
    detail: str
    point_sigma_px: float = 0.0
    ruler: Ruler = None  # type: ignore[assignment]  # filled from the method in __post_init__

    def __post_init__(self) -> None:
        if not (self.mm_per_px > 0 and math.isfinite(self.mm_per_px)):
            raise CalibrationError(f"Invalid scale {self.mm_per_px} mm/px.", hint="Check the calibration input.")
        if self.ruler is None:
            object.__setattr__(self, "ruler", _DEFAULT_RULER[self.method])

    def length_mm(
        self, length_px: float, point_sigmas_px: tuple[float | None, float | None] = (None, None)
    ) -> tuple[float, float]:
        """Convert a distance between two landmarks and return ``(value_mm, one_sigma_mm)``.

        The uncertainty combines the scale's relative uncertainty with the localisation noise of the two
        end points (independent), in quadrature: each end's own one-sigma error where given (a point read
        from the image), else :attr:`point_sigma_px` (a mesh point).
        """
        value = length_px * self.mm_per_px
        return value, math.hypot(
            value * self.relative_uncertainty, self.pair_sigma_px(point_sigmas_px) * self.mm_per_px
        )

    def pair_sigma_px(self, point_sigmas_px: tuple[float | None, float | None] = (None, None)) -> float:
        """Localisation noise of the difference of two points, pixels (mesh points: :attr:`point_sigma_px`)."""
        a, b = point_sigmas_px
        if a is None and b is None:
            return math.sqrt(2.0) * self.point_sigma_px
        return math.hypot(self.point_sigma_px if a is None else a, self.point_sigma_px if b is None else b)


def calibrate_from_iris(
    iris_diameter_right_px: float,
    iris_diameter_left_px: float,
    reference: IrisReference,
    *,
    limbus_missed: bool = False,
) -> Calibration:
    """Scale from both irises, cross-checked against each other.

    Parameters
    ----------
    iris_diameter_right_px, iris_diameter_left_px : float
        Horizontal visible iris diameters of the patient's right and left eye, in pixels, in the head frame.
    reference : IrisReference
        Population diameter and SD.
    limbus_missed : bool
        The limbus fit failed on this photo: the mesh's iris is then less reliable than on an average face
        (``reference.contour_to_visible_sd_limbus_missed``), for what hid the limbus often misled the mesh.

    Raises
    ------
    CalibrationError
        An iris is missing or the two disagree by more than :data:`IRIS_DISAGREEMENT_LIMIT`.

    Examples
    --------
    >>> ref = IrisReference(11.71, 0.42, "Rufer 2005")
    >>> c = calibrate_from_iris(40.0, 40.0, ref)
    >>> round(c.mm_per_px, 4), round(c.relative_uncertainty, 4)
    (0.2928, 0.0359)
    """
    right = float(iris_diameter_right_px) * reference.contour_to_visible_ratio
    left = float(iris_diameter_left_px) * reference.contour_to_visible_ratio
    if min(right, left) <= 0 or not (math.isfinite(right) and math.isfinite(left)):
        raise CalibrationError(
            "The iris could not be measured in both eyes.",
            hint="Retake the photo with both eyes open and visible, or give a known distance.",
        )
    mean = (right + left) / 2.0
    disagreement = abs(right - left) / mean
    if disagreement > IRIS_DISAGREEMENT_LIMIT:
        raise CalibrationError(
            f"The two irises measure {right:.1f} px and {left:.1f} px ({disagreement:.0%} apart); the "
            f"calibration is unreliable.",
            hint="Check both eyes are open and the head faces the camera, or give a known distance (--known-mm).",
        )
    # Measurement noise of the mean of two: half their difference is an estimate of one iris's error.
    measurement_rel = (abs(right - left) / 2.0) / mean / math.sqrt(2.0)
    population_rel = reference.sd_mm / reference.diameter_mm
    model_sd = reference.contour_to_visible_sd
    if limbus_missed:
        model_sd = max(model_sd, reference.contour_to_visible_sd_limbus_missed)
    model_rel = model_sd / reference.contour_to_visible_ratio
    return Calibration(
        mm_per_px=reference.diameter_mm / mean,
        relative_uncertainty=math.sqrt(population_rel**2 + measurement_rel**2 + model_rel**2),
        method=CalibrationMethod.IRIS_DIAMETER,
        detail=(
            f"iris diameter {reference.diameter_mm} ± {reference.sd_mm} mm ({reference.source}); "
            f"face-mesh iris: right {right:.1f} px, left {left:.1f} px"
        ),
        point_sigma_px=reference.point_sigma_iris_diameters * mean,
    )


def calibrate_from_known_distance(
    distance_px: float,
    distance_mm: float,
    *,
    sigma_mm: float = 0.5,
    point_sigma_px: float = 0.0,
    ruler: Ruler = Ruler.KNOWN_DISTANCE,
) -> Calibration:
    """Scale from a distance the user measured (e.g. a ruler in the photo).

    Parameters
    ----------
    distance_px : float
        The distance in image pixels.
    distance_mm : float
        Its true length.
    sigma_mm : float
        One-sigma uncertainty of the true length and of placing its ends, in mm.
    ruler : Ruler
        What the distance is (``known_ipd`` for a clinic-measured interpupillary distance).
    """
    if distance_px <= 0 or distance_mm <= 0:
        raise CalibrationError(
            "A known distance must be positive in both pixels and millimetres.",
            hint="Give the reference length in mm, e.g. --known-mm 50.",
        )
    return Calibration(
        mm_per_px=distance_mm / distance_px,
        relative_uncertainty=sigma_mm / distance_mm,
        method=CalibrationMethod.KNOWN_DISTANCE,
        detail=f"known distance {distance_mm} ± {sigma_mm} mm over {distance_px:.1f} px",
        point_sigma_px=point_sigma_px,
        ruler=ruler,
    )


def limbus_ruler_eyes(right: LimbusFit, left: LimbusFit, reference: IrisReference) -> tuple[bool, bool]:
    """Which eyes' limbus fit the iris ruler takes (right, left).

    Both, when both were found in the image and their diameters agree within
    ``reference.limbus_eye_agreement_sigmas`` combined sigmas (each fit's own and the two irises' expected
    difference, ``reference.limbus_right_left_sd_fraction``) and within
    :data:`IRIS_DISAGREEMENT_LIMIT`. When they disagree, the better supported eye (smaller relative
    sigma) alone; when only one was found, that one if its fit is certain enough
    (``reference.limbus_single_eye_max_relative_sigma``); neither otherwise (the face mesh's iris then).
    The rule is symmetric: swapping the eyes swaps the answer, so a photo and its mirror agree.

    Examples
    --------
    >>> ref = IrisReference(11.71, 0.42, "Rufer 2005", limbus_eye_agreement_sigmas=3.0,
    ...                     limbus_right_left_sd_fraction=0.012)
    >>> eye = LimbusFit(40.0, 0.2, LimbusSource.IMAGE, (0.0, 0.0))
    >>> limbus_ruler_eyes(eye, LimbusFit(40.5, 0.2, LimbusSource.IMAGE, (0.0, 0.0)), ref)
    (True, True)
    >>> limbus_ruler_eyes(eye, LimbusFit(44.0, 0.4, LimbusSource.IMAGE, (0.0, 0.0)), ref)
    (True, False)
    """
    found = (right.source is LimbusSource.IMAGE, left.source is LimbusSource.IMAGE)
    if not all(found):
        # A lone eye has no partner to check it against: it is used only when its own fit is certain.
        alone = reference.limbus_single_eye_max_relative_sigma
        return (found[0] and right.relative_sigma <= alone, found[1] and left.relative_sigma <= alone)
    mean = (right.diameter_px + left.diameter_px) / 2.0
    difference = abs(right.diameter_px - left.diameter_px)
    expected = math.sqrt(right.sigma_px**2 + left.sigma_px**2 + (reference.limbus_right_left_sd_fraction * mean) ** 2)
    if difference / mean <= IRIS_DISAGREEMENT_LIMIT and difference <= reference.limbus_eye_agreement_sigmas * expected:
        return True, True
    if right.relative_sigma == left.relative_sigma:
        return False, False
    return right.relative_sigma < left.relative_sigma, left.relative_sigma < right.relative_sigma


def calibrate_from_limbus(right: LimbusFit, left: LimbusFit, reference: IrisReference) -> Calibration:
    """Scale from the irises' limbus fitted in the image (:func:`facebalance.anatomy.limbus.fit_limbi`).

    The eyes :func:`limbus_ruler_eyes` takes are averaged with inverse-variance weights. The measurement
    part of the uncertainty is the larger of the weighted mean's fit uncertainty and what the two eyes'
    disagreement says about it; a ruler from one eye adds ``reference.limbus_single_eye_sd_fraction`` (the
    other eye is not there to average with) and, when the other eye was found but disagreed, half their
    difference. The fit's face-to-face error against hand-placed irises beyond that
    (``reference.limbus_sigma_fraction``) and the population SD of the iris are added in quadrature.

    Raises
    ------
    CalibrationError
        Neither eye's limbus was usable (use :func:`calibrate_from_iris` on the mesh then).

    Examples
    --------
    >>> ref = IrisReference(11.71, 0.42, "Rufer 2005")
    >>> eye = LimbusFit(40.0, 0.2, LimbusSource.IMAGE, (0.0, 0.0))
    >>> c = calibrate_from_limbus(eye, eye, ref)
    >>> round(c.mm_per_px, 4), round(c.relative_uncertainty, 4), c.ruler.value
    (0.2928, 0.036, 'iris')
    """
    use = np.array(limbus_ruler_eyes(right, left, reference))
    if not use.any():
        raise CalibrationError(
            "The limbus was not found in either eye.",
            hint="Check both eyes are open and in focus, or use the face mesh's iris.",
        )
    k = reference.limbus_to_visible_ratio
    d = np.array([right.diameter_px, left.diameter_px]) * k
    s = np.array([right.sigma_px, left.sigma_px]) * k
    w = np.where(use, 1.0 / np.maximum(s, 1e-9) ** 2, 0.0)
    mean = float((w * d).sum() / w.sum())
    fit_rel = math.sqrt(1.0 / float(w.sum())) / mean
    both_found = right.source is LimbusSource.IMAGE and left.source is LimbusSource.IMAGE
    disagreement_rel = (abs(d[0] - d[1]) / 2.0) / mean if both_found else 0.0
    if use.all():
        measurement_rel = max(fit_rel, disagreement_rel / math.sqrt(2.0))
        which = f"right {d[0]:.1f} ± {s[0]:.1f} px, left {d[1]:.1f} ± {s[1]:.1f} px"
    else:
        measurement_rel = max(math.hypot(fit_rel, reference.limbus_single_eye_sd_fraction), disagreement_rel)
        eye, other = ("right", "left") if use[0] else ("left", "right")
        why = "disagrees with it" if both_found else "was not found"
        which = f"the {eye} eye only, {mean:.1f} ± {fit_rel * mean:.1f} px (the {other} eye's {why})"
    population_rel = reference.sd_mm / reference.diameter_mm
    return Calibration(
        mm_per_px=reference.diameter_mm / mean,
        relative_uncertainty=math.sqrt(population_rel**2 + measurement_rel**2 + reference.limbus_sigma_fraction**2),
        method=CalibrationMethod.IRIS_DIAMETER,
        detail=(
            f"iris diameter {reference.diameter_mm} ± {reference.sd_mm} mm ({reference.source}); limbus fitted "
            f"in the image: {which}"
        ),
        point_sigma_px=reference.point_sigma_iris_diameters * mean,
        ruler=Ruler.IRIS,
    )


#: Mesh vertices around a point whose depths are averaged (inverse-distance weights) for the surface
#: depth under a marker.
SURFACE_DEPTH_NEIGHBOURS = 8


def depth_behind_point_px(landmarks_px: np.ndarray, point_px: tuple[float, float]) -> float | None:
    """How far the plane of the irises lies behind the face's surface at an image point, mesh pixels.

    The face's surface depth at ``point_px`` is the inverse-distance weighted mean depth of the nearest
    mesh vertices; the irises' depth is the mean of the two pupils'. ``None`` when the point is outside
    the face outline: a marker held beside the face has no surface to read.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Mesh points in image pixels, z away from the camera on the x scale.
    point_px : tuple of float
        An image point (a marker's centre).
    """
    pts = np.asarray(landmarks_px, dtype=np.float64)
    outline = pts[list(FACE_OVAL), :2].astype(np.float32)
    if cv2.pointPolygonTest(outline, (float(point_px[0]), float(point_px[1])), False) < 0:
        return None
    distance = np.linalg.norm(pts[:, :2] - np.asarray(point_px, dtype=np.float64), axis=1)
    nearest = np.argsort(distance)[:SURFACE_DEPTH_NEIGHBOURS]
    weights = 1.0 / np.maximum(distance[nearest], 1e-3)
    surface = float((weights * pts[nearest, 2]).sum() / weights.sum())
    irises = float((pts[Landmark.PUPIL_RIGHT, 2] + pts[Landmark.PUPIL_LEFT, 2]) / 2.0)
    return irises - surface


def calibrate_from_marker(
    px_per_mm: float,
    relative_sigma: float,
    *,
    depth_behind_mm: float,
    depth_sigma_mm: float,
    camera_distance_mm: float,
    camera_distance_sd_mm: float,
    detail: str,
    point_sigma_px: float = 0.0,
) -> Calibration:
    """Scale from a printed calibration marker, brought from the marker's depth to the irises' plane.

    The iris ruler measures in the plane of the irises, so the marker's scale is brought there, and the
    two rulers give the same millimetres. Under perspective the scale falls as ``1 / distance``: with the
    irises ``d`` behind the marker and the camera ``z`` from it, the scale at the irises is the marker's
    times ``z / (z + d)``.

    Parameters
    ----------
    px_per_mm, relative_sigma : float
        Pixels per millimetre of a plane facing the camera at the marker's depth, and its one-sigma
        relative uncertainty (:class:`facebalance.vision.marker.MarkerMeasurement`).
    depth_behind_mm, depth_sigma_mm : float
        How far the irises lie behind the marker, and its uncertainty.
    camera_distance_mm, camera_distance_sd_mm : float
        Camera to marker, and its uncertainty.
    detail : str
        How the marker was measured, for the report.
    point_sigma_px : float
        Landmark localisation noise per coordinate (the ruler does not change it).

    Examples
    --------
    A marker 10 px/mm on the forehead 12 mm in front of the irises, 600 mm from the camera:

    >>> c = calibrate_from_marker(10.0, 0.003, depth_behind_mm=12.0, depth_sigma_mm=3.6,
    ...                           camera_distance_mm=600.0, camera_distance_sd_mm=60.0, detail="test")
    >>> round(c.mm_per_px, 5), round(c.relative_uncertainty, 4), c.ruler.value
    (0.102, 0.0069, 'marker')
    """
    z, d = float(camera_distance_mm), float(depth_behind_mm)
    if not (px_per_mm > 0 and z > 0 and z + d > 0 and relative_sigma >= 0 and math.isfinite(relative_sigma)):
        raise CalibrationError(
            f"Invalid marker measurement ({px_per_mm} px/mm at {z} mm).", hint="Check the marker measurement."
        )
    factor = z / (z + d)
    # d ln(factor) / dd = -1 / (z + d);  d ln(factor) / dz = d / (z (z + d)).
    depth_rel = float(depth_sigma_mm) / (z + d)
    distance_rel = abs(d) * float(camera_distance_sd_mm) / (z * (z + d))
    return Calibration(
        mm_per_px=1.0 / (px_per_mm * factor),
        relative_uncertainty=math.sqrt(relative_sigma**2 + depth_rel**2 + distance_rel**2),
        method=CalibrationMethod.MARKER,
        detail=f"{detail}; brought to the irises' plane {d:+.1f} ± {depth_sigma_mm:.1f} mm behind it (x{factor:.4f})",
        point_sigma_px=point_sigma_px,
        ruler=Ruler.MARKER,
    )
