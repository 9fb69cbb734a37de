"""The iris ruler of a turned head (pure): millimetres per pixel of a three-quarter photo.

The frontal engine's ruler is the iris's horizontal diameter (:mod:`facebalance.anatomy.calibration`). In a
three-quarter view the horizontal diameter is foreshortened by the turn of the head and of the eyes, by an
amount the mesh's depth estimate corrects only in part (on the oblique development photos the mesh's 3-D
horizontal diameter shrinks against the vertical one as the yaw grows). The vertical diameter is not
foreshortened by a turn about the vertical axis. So each iris's **vertical** diameter in the photo is taken,
times the mesh's horizontal-to-vertical iris ratio measured on frontal photos
(``iris_horizontal_to_vertical_ratio``, ``data/oblique.toml``), which gives the horizontal diameter the
frontal ruler expects; both eyes then go through the frontal engine's
:func:`~facebalance.anatomy.calibration.calibrate_from_iris` (population iris, model-to-visible ratio, the
two eyes' agreement). When the far iris disagrees beyond the frontal limit (hidden behind the nose, or under
the lid) the near iris alone is used.

The relative uncertainty is then widened, in quadrature, by the ratio's eye-to-eye spread and by the
difference of magnification between the eyes and the far cheek's silhouette, which lies further from the
camera (``far_side_depth_relative_sigma``).

**The session's frontal scale carried over** (:func:`carry_frontal_scale`, :func:`combine_with_carried`).
When the same session's frontal photo was analysed, its ruler (iris limbus, printed marker or the clinic's
IPD) is carried to the oblique the way the profile path carries it
(:func:`facebalance.profile.calibration.carry_distances`): the midline distances nasion-subnasale
(``midface_height_mm``) and subnasale-menton (``lower_third_mm``) are measured in millimetres on the frontal
photo and, along the head frame's vertical (which a turn about the vertical axis does not foreshorten), in
pixels on the oblique's face mesh. The session keeps **one** ruler, the frontal one: the oblique's scale is
the frontal scale times a transfer factor, estimated twice, through the shared distances and through the
oblique's own turned-iris ruler, and the two are combined by inverse variance in log scale. When the frontal
ruler is the iris too, the population iris diameter is common to both and cancels from the transfer (it is
taken out of the own ruler's variance); with a marker or a known IPD the own ruler counts with all its
uncertainty. The frontal ruler's relative uncertainty is added once, in quadrature, so a carried scale is never
more certain than the frontal ruler.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from facebalance.anatomy.calibration import Calibration, IrisReference, calibrate_from_iris
from facebalance.anatomy.landmarks import IRIS_VERTICAL_DIAMETER_ENDS, Landmark
from facebalance.errors import CalibrationError
from facebalance.geometry.iris import iris_diameters_px
from facebalance.oblique.frame import ObliqueFrame
from facebalance.profile.calibration import CarriedDistance, carry_distances
from facebalance.zones.base import Measurement


@dataclass(frozen=True)
class TurnedIrisRuler:
    """How the vertical iris diameter becomes the frontal ruler's diameter, and the extra uncertainty.

    Attributes
    ----------
    horizontal_to_vertical : float
        Mesh iris contour: horizontal over vertical diameter on frontal photos.
    horizontal_to_vertical_sd : float
        Its eye-to-eye SD.
    depth_relative_sigma : float
        Relative magnification difference between the eyes and the far cheek's silhouette (one sigma).
    """

    horizontal_to_vertical: float
    horizontal_to_vertical_sd: float
    depth_relative_sigma: float


def vertical_iris_diameters_px(landmarks_px: np.ndarray) -> tuple[float, float]:
    """Vertical diameters of the mesh's two iris contours (patient's right, left) in the image plane, pixels.

    Examples
    --------
    >>> from facebalance.anatomy.landmarks import Landmark
    >>> pts = np.zeros((478, 3))
    >>> pts[Landmark.IRIS_RIGHT_BOTTOM, 1] = 10.0; pts[Landmark.IRIS_LEFT_BOTTOM, 1] = 9.0
    >>> vertical_iris_diameters_px(pts)
    (10.0, 9.0)
    """
    return iris_diameters_px(landmarks_px, IRIS_VERTICAL_DIAMETER_ENDS, in_image_plane=True)


def calibrate_turned_iris(
    landmarks_px: np.ndarray, reference: IrisReference, ruler: TurnedIrisRuler
) -> tuple[Calibration, list[str]]:
    """Millimetres per pixel of a canonical three-quarter photo, and warnings.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Mesh points of the canonical image (nose toward +x: the near eye is the mesh's right eye).
    reference : IrisReference
        The frontal engine's iris reference (:func:`facebalance.assessment.iris_reference`).
    ruler : TurnedIrisRuler

    Raises
    ------
    CalibrationError
        The near iris cannot be measured.

    Examples
    --------
    Irises 10 px tall with a ratio of 1.2 measure like 12 px wide irises on a frontal photo:

    >>> from facebalance.anatomy.landmarks import Landmark
    >>> pts = np.zeros((478, 3))
    >>> pts[Landmark.IRIS_RIGHT_BOTTOM, 1] = 10.0; pts[Landmark.IRIS_LEFT_BOTTOM, 1] = 10.0
    >>> cal, _ = calibrate_turned_iris(pts, IrisReference(12.0, 0.0, "test"), TurnedIrisRuler(1.2, 0.0, 0.03))
    >>> round(cal.mm_per_px, 6), round(cal.relative_uncertainty, 6)
    (1.0, 0.03)
    """
    right_v, left_v = vertical_iris_diameters_px(landmarks_px)
    near, far = right_v * ruler.horizontal_to_vertical, left_v * ruler.horizontal_to_vertical
    if not (near > 0 and math.isfinite(near)):
        raise CalibrationError(
            "The iris of the eye nearer the camera could not be measured.",
            hint="Retake the three-quarter view with the eyes open and visible.",
        )
    warnings: list[str] = []
    try:
        base = calibrate_from_iris(near, far, reference)
        used = f"both irises' vertical diameters ({right_v:.1f} and {left_v:.1f} px)"
    except CalibrationError:
        base = calibrate_from_iris(near, near, reference)
        used = f"the near iris's vertical diameter ({right_v:.1f} px; the far iris, {left_v:.1f} px, disagrees)"
        warnings.append(
            "The far iris disagrees with the near one (hidden by the nose or the lid): the scale comes from the "
            "near iris alone."
        )
    ratio_rel = ruler.horizontal_to_vertical_sd / ruler.horizontal_to_vertical
    relative = math.sqrt(base.relative_uncertainty**2 + ratio_rel**2 + ruler.depth_relative_sigma**2)
    detail = (
        f"turned-head iris ruler: {used} x {ruler.horizontal_to_vertical:g} (horizontal/vertical, frontal "
        f"photos); {base.detail.split(';')[0]}; widened for the turn and the far cheek's depth"
    )
    return replace(base, relative_uncertainty=relative, detail=detail), warnings


@dataclass(frozen=True)
class SharedMeshDistance:
    """A vertical midline distance of the frontal analysis and the face-mesh points it joins on the oblique."""

    frontal_id: str
    upper: Landmark
    lower: Landmark
    definition_sigma_constant: str


#: The distances carried over, with the ``data/oblique.toml`` constant holding each one's definition sigma.
SHARED_MESH_DISTANCES: tuple[SharedMeshDistance, ...] = (
    SharedMeshDistance(
        "midface_height_mm", Landmark.SOFT_TISSUE_NASION, Landmark.SUBNASALE, "carry_over_nasion_subnasale_sigma_mm"
    ),
    SharedMeshDistance("lower_third_mm", Landmark.SUBNASALE, Landmark.MENTON, "carry_over_subnasale_menton_sigma_mm"),
)


@dataclass(frozen=True)
class FrontalScale:
    """The session's frontal analysis as the oblique path needs it.

    Attributes
    ----------
    measurements : mapping of str to Measurement
        The frontal measurements (``Assessment.measurements``), at least one of :data:`SHARED_MESH_DISTANCES`.
    relative_uncertainty : float
        The frontal ruler's one-sigma relative uncertainty.
    shared_relative : float
        The part of it the oblique's own iris ruler shares (the population iris's relative SD when the frontal
        ruler is the iris; 0 for a marker or a known IPD).
    """

    measurements: Mapping[str, Measurement]
    relative_uncertainty: float
    shared_relative: float = 0.0


def carry_frontal_scale(
    landmarks_px: np.ndarray,
    frame: ObliqueFrame,
    frontal: FrontalScale,
    *,
    point_sigma_px: float,
    definition_sigma_mm: Mapping[str, float],
    tilt_sigma_deg: float,
    distances: tuple[SharedMeshDistance, ...] = SHARED_MESH_DISTANCES,
) -> Calibration | None:
    """The frontal scale carried to a canonical oblique photo through the shared midline distances.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Face-mesh points of the canonical oblique image, pixels.
    frame : ObliqueFrame
        Its in-plane head frame (``v`` the head's vertical).
    frontal : FrontalScale
    point_sigma_px : float
        One-sigma position noise of a mesh point on the oblique, per coordinate, pixels.
    definition_sigma_mm : mapping of str to float
        By :attr:`SharedMeshDistance.definition_sigma_constant`.
    tilt_sigma_deg : float
        One-sigma error of the head frame's vertical.

    Returns
    -------
    Calibration or None
        ``None`` when no shared distance was measured on both photos.

    Examples
    --------
    A frontal midface height of 50 mm (1 mm landmark noise, a 3 % ruler) seen 100 px tall on the oblique:

    >>> from facebalance.zones.base import Unit, Zone
    >>> pts = np.zeros((478, 3)); pts[Landmark.SUBNASALE, 1] = 100.0
    >>> m = Measurement("midface_height_mm", Zone.MIDFACE, 50.0, math.hypot(1.0, 1.5), Unit.MM, "", ())
    >>> c = carry_frontal_scale(pts, ObliqueFrame(np.array([0.0, 1.0])), FrontalScale({"midface_height_mm": m}, 0.03),
    ...                         point_sigma_px=0.0, definition_sigma_mm={}, tilt_sigma_deg=0.0)
    >>> c.mm_per_px, round(c.relative_uncertainty, 4)
    (0.5, 0.0361)
    """
    pts = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    pairs = []
    for d in distances:
        m = frontal.measurements.get(d.frontal_id)
        if m is None:
            continue
        duv = frame.to_frame(pts[d.lower]) - frame.to_frame(pts[d.upper])
        tilt_px = abs(float(duv[0])) * math.sin(math.radians(tilt_sigma_deg))
        pairs.append(
            CarriedDistance(
                m,
                abs(float(duv[1])),
                math.sqrt(2.0 * point_sigma_px**2 + tilt_px**2),
                definition_sigma_mm.get(d.definition_sigma_constant, 0.0),
            )
        )
    return carry_distances(pairs, frontal_relative_uncertainty=frontal.relative_uncertainty)


def combine_with_carried(
    own: Calibration | None, carried: Calibration, *, frontal_relative_uncertainty: float, shared_relative: float
) -> Calibration:
    """The oblique's one scale: the frontal ruler times the transfer factor from both estimates (module docstring).

    Parameters
    ----------
    own : Calibration or None
        The oblique's own turned-iris ruler (:func:`calibrate_turned_iris`); ``None`` when it could not be read.
    carried : Calibration
        :func:`carry_frontal_scale`'s scale (its uncertainty includes the frontal ruler's).
    frontal_relative_uncertainty : float
        The frontal ruler's.
    shared_relative : float
        The part of the frontal ruler's uncertainty the own ruler shares (see :class:`FrontalScale`).

    Examples
    --------
    Two equal estimates of the transfer with 4 % each (a 3 % frontal ruler): sqrt(0.03² + 0.04²/2).

    >>> from facebalance.anatomy.calibration import CalibrationMethod
    >>> carried = Calibration(0.5, 0.05, CalibrationMethod.KNOWN_DISTANCE, "carried")
    >>> own = Calibration(0.5, 0.04, CalibrationMethod.IRIS_DIAMETER, "own")
    >>> c = combine_with_carried(own, carried, frontal_relative_uncertainty=0.03, shared_relative=0.0)
    >>> round(c.mm_per_px, 6), round(c.relative_uncertainty, 4)
    (0.5, 0.0412)
    """
    carried_var = max(carried.relative_uncertainty**2 - frontal_relative_uncertainty**2, 1e-12)
    if own is None:
        return carried
    own_var = max(own.relative_uncertainty**2 - shared_relative**2, 1e-12)
    x_c, x_o = math.log(carried.mm_per_px), math.log(own.mm_per_px)
    w_c, w_o = 1.0 / carried_var, 1.0 / own_var
    mean = (w_c * x_c + w_o * x_o) / (w_c + w_o)
    transfer_var = 1.0 / (w_c + w_o)
    # Two estimates further apart than their uncertainties explain: widen (Birge ratio).
    chi2 = (x_c - x_o) ** 2 / (carried_var + own_var)
    transfer_var *= max(1.0, chi2)
    relative = math.sqrt(frontal_relative_uncertainty**2 + transfer_var)
    detail = (
        f"frontal ruler carried over ({carried.detail.removeprefix('carried over from the frontal photo: ')}; "
        f"{carried.mm_per_px:.4f} mm/px), combined with the turned-head iris ruler ({own.mm_per_px:.4f} mm/px) "
        f"by inverse variance; the frontal ruler's {frontal_relative_uncertainty:.1%} included"
    )
    return replace(carried, mm_per_px=math.exp(mean), relative_uncertainty=relative, detail=detail)
