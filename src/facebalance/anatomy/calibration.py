"""Pixel-to-millimetre calibration with its uncertainty.

The default reference is the horizontal visible iris diameter (white-to-white), 11.71 mm with a
population SD of 0.42 mm in 401 healthy adults [1]_. Both irises are measured; their disagreement is the
measurement noise, and the population SD is the dominant, irreducible part of the uncertainty. A
user-supplied known distance (a ruler sticker, a calibrated marker) replaces it when given.

References
----------
.. [1] Rüfer F, Schröder A, Erb C. White-to-white corneal diameter: normal values in healthy humans
       obtained with the Orbscan II topography system. Cornea. 2005;24(3):259-261.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from facebalance.errors import CalibrationError


class CalibrationMethod(StrEnum):
    IRIS_DIAMETER = "iris_diameter"
    KNOWN_DISTANCE = "known_distance"


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
    """

    diameter_mm: float
    sd_mm: float
    source: str
    contour_to_visible_ratio: float = 1.0
    contour_to_visible_sd: float = 0.0
    point_sigma_iris_diameters: float = 0.0


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
    """

    mm_per_px: float
    relative_uncertainty: float
    method: CalibrationMethod
    detail: str
    point_sigma_px: float = 0.0

    def __post_init__(self) -> None:
        if not (self.mm_per_px > 0 and math.isfinite(self.mm_per_px)):
            raise CalibrationError(f"Invalid scale {self.mm_per_px} mm/px.", hint="Check the calibration input.")

    def length_mm(self, length_px: float) -> tuple[float, float]:
        """Convert a distance between two landmarks and return ``(value_mm, one_sigma_mm)``.

        The uncertainty combines the scale's relative uncertainty with the localisation noise of the two
        end points (:attr:`point_sigma_px` each, independent), in quadrature.
        """
        value = length_px * self.mm_per_px
        sigma = math.hypot(value * self.relative_uncertainty, math.sqrt(2.0) * self.point_sigma_px * self.mm_per_px)
        return value, sigma


def calibrate_from_iris(
    iris_diameter_right_px: float, iris_diameter_left_px: float, reference: IrisReference
) -> Calibration:
    """Scale from both irises, cross-checked against each other.

    Parameters
    ----------
    iris_diameter_right_px, iris_diameter_left_px : float
        Horizontal visible iris diameters of the patient's right and left eye, in pixels, in the head frame.
    reference : IrisReference
        Population diameter and SD.

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
    model_rel = reference.contour_to_visible_sd / reference.contour_to_visible_ratio
    return Calibration(
        mm_per_px=reference.diameter_mm / mean,
        relative_uncertainty=math.sqrt(population_rel**2 + measurement_rel**2 + model_rel**2),
        method=CalibrationMethod.IRIS_DIAMETER,
        detail=(
            f"iris diameter {reference.diameter_mm} ± {reference.sd_mm} mm ({reference.source}); "
            f"right {right:.1f} px, left {left:.1f} px"
        ),
        point_sigma_px=reference.point_sigma_iris_diameters * mean,
    )


def calibrate_from_known_distance(
    distance_px: float, distance_mm: float, *, sigma_mm: float = 0.5, point_sigma_px: float = 0.0
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
    )
