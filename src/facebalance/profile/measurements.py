"""Profile measurements (pure): located landmarks and a scale in, :class:`Measurement` records out.

Every quantity is computed in the head frame of the landmarks (``u`` anterior, ``v`` inferior; see
:mod:`facebalance.profile.frame`). Signed distances to a reference line are positive **in front of** the
line (toward the face's outward side) and negative behind it, the sign convention of the sources: lips
behind Ricketts' E-line are negative, lips ahead of Burstone's Sn-Pog' line positive.

Uncertainty: each landmark carries a one-sigma position uncertainty (``LocatedPoint.sigma_px``). It is
propagated to each quantity through the quantity's own geometry (numerical first derivatives with respect
to each coordinate of each point used, summed in quadrature), then the scale's relative uncertainty is
added in quadrature for millimetre values. Angles and ratios do not depend on the scale.

Head turn: on a photo whose head is turned less than 90 degrees the anterior coordinate ``u`` is
foreshortened by ``sin(yaw)`` (:mod:`facebalance.profile.yaw`). Given a yaw estimate, ``u`` is divided by
it before measuring, and the change of each quantity when the yaw moves one sigma either side (capped at
90 degrees) is added to its uncertainty in quadrature.

References
----------
.. [1] Ricketts RM. Esthetics, environment, and the law of lip relation. Am J Orthod. 1968;54(4):272-289
       (E-line from pronasale to soft-tissue pogonion).
.. [2] Steiner CC. Cephalometrics in clinical practice. Angle Orthod. 1959;29(1):8-29 (S-line).
.. [3] Burstone CJ. Lip posture and its significance in treatment planning. Am J Orthod.
       1967;53(4):262-284 (Sn-Pog' line).
.. [4] Legan HL, Burstone CJ. Soft tissue cephalometric analysis for orthognathic surgery. J Oral Surg.
       1980;38(10):744-751 (facial convexity G-Sn-Pog', nasolabial angle Cm-Sn-Ls, mentolabial sulcus).
.. [5] Powell N, Humphreys B. Proportions of the Aesthetic Face. New York: Thieme-Stratton; 1984
       (nasofrontal and mentocervical angles, Goode's tip projection ratio).
.. [6] Ellenbogen R, Karlin JV. Visual criteria for success in restoring the youthful neck. Plast Reconstr
       Surg. 1980;66(6):826-837 (cervicomental angle).
.. [7] Gonzalez-Ulloa M. Quantitative principles in cosmetic surgery of the face (profileplasty). Plast
       Reconstr Surg. 1962;29:186-198 (zero meridian: the chin against the nasion perpendicular).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.profile.geometry import angle_at_deg, angle_between_directions_deg, signed_distance_to_line
from facebalance.profile.landmarks import ProfileLandmarks
from facebalance.profile.landmarks import ProfilePoint as P
from facebalance.profile.yaw import YawEstimate
from facebalance.zones.base import Measurement, Unit, Zone, not_measurable

ZONE = Zone.PROFILE
#: Why a millimetre quantity is missing when no scale was given.
NO_SCALE_REASON = (
    "no millimetre scale: give a known distance (--known-mm) or the same session's frontal photo (--frontal)"
)
#: Step of the numerical derivatives, pixels.
_STEP_PX = 0.25

Points = Mapping[str, np.ndarray]
Geometry = Callable[[Points], float]


@dataclass(frozen=True)
class Spec:
    """One profile measurement: its id, label, unit, the points it uses and its geometry (pixels or degrees)."""

    id: str
    label: str
    unit: Unit
    points: tuple[str, ...]
    geometry: Geometry


def _line(a: str, b: str, p: str) -> Geometry:
    return lambda q: signed_distance_to_line(q[p], q[a], q[b])


def _angle(a: str, vertex: str, b: str) -> Geometry:
    return lambda q: angle_at_deg(q[a], q[vertex], q[b])


def _facial_convexity(q: Points) -> float:
    # 180 minus the angle G-Sn-Pog', positive when Sn lies in front of the G-Pog' line (a convex profile).
    bend = 180.0 - angle_at_deg(q[P.GLABELLA], q[P.SUBNASALE], q[P.SOFT_TISSUE_POGONION])
    ahead = signed_distance_to_line(q[P.SUBNASALE], q[P.GLABELLA], q[P.SOFT_TISSUE_POGONION])
    return math.copysign(bend, ahead)


def _mentocervical(q: Points) -> float:
    # Facial plane (Pog' up to G) against the submental line (Me' back to C).
    return angle_between_directions_deg(q[P.GLABELLA] - q[P.SOFT_TISSUE_POGONION], q[P.CERVICAL_POINT] - q[P.MENTON])


def _nasofrontal(q: Points) -> float:
    return angle_at_deg(q[P.FOREHEAD_TANGENT], q[P.SOFT_TISSUE_NASION], q[P.DORSUM_TANGENT])


def _chin_projection(q: Points) -> float:
    # In the head frame u is anterior: the chin ahead of the vertical through N' is positive.
    return float(q[P.SOFT_TISSUE_POGONION][0] - q[P.SOFT_TISSUE_NASION][0])


def _goode(q: Points) -> float:
    nasal_length = float(np.hypot(*(q[P.PRONASALE] - q[P.SOFT_TISSUE_NASION])))
    projection = abs(signed_distance_to_line(q[P.PRONASALE], q[P.SOFT_TISSUE_NASION], q[ALAR_CREASE]))
    return projection / nasal_length if nasal_length else float("nan")


#: Name of the optional alar-crease point (inside the silhouette, so given by the clinician).
ALAR_CREASE = "alar_crease"

#: Lengths (mm) and angles (deg) measured on every profile, in report order.
SPECS: tuple[Spec, ...] = (
    Spec(
        "e_line_upper_lip_mm",
        "Upper lip to Ricketts' E-line (Prn-Pog'; negative = behind)",
        Unit.MM,
        (P.LABRALE_SUPERIUS, P.PRONASALE, P.SOFT_TISSUE_POGONION),
        _line(P.PRONASALE, P.SOFT_TISSUE_POGONION, P.LABRALE_SUPERIUS),
    ),
    Spec(
        "e_line_lower_lip_mm",
        "Lower lip to Ricketts' E-line (Prn-Pog'; negative = behind)",
        Unit.MM,
        (P.LABRALE_INFERIUS, P.PRONASALE, P.SOFT_TISSUE_POGONION),
        _line(P.PRONASALE, P.SOFT_TISSUE_POGONION, P.LABRALE_INFERIUS),
    ),
    Spec(
        "s_line_upper_lip_mm",
        "Upper lip to Steiner's S-line (columella S-curve midpoint to Pog')",
        Unit.MM,
        (P.LABRALE_SUPERIUS, P.S_CURVE_MIDPOINT, P.SOFT_TISSUE_POGONION),
        _line(P.S_CURVE_MIDPOINT, P.SOFT_TISSUE_POGONION, P.LABRALE_SUPERIUS),
    ),
    Spec(
        "s_line_lower_lip_mm",
        "Lower lip to Steiner's S-line (columella S-curve midpoint to Pog')",
        Unit.MM,
        (P.LABRALE_INFERIUS, P.S_CURVE_MIDPOINT, P.SOFT_TISSUE_POGONION),
        _line(P.S_CURVE_MIDPOINT, P.SOFT_TISSUE_POGONION, P.LABRALE_INFERIUS),
    ),
    Spec(
        "burstone_upper_lip_mm",
        "Upper lip to Burstone's Sn-Pog' line (positive = ahead)",
        Unit.MM,
        (P.LABRALE_SUPERIUS, P.SUBNASALE, P.SOFT_TISSUE_POGONION),
        _line(P.SUBNASALE, P.SOFT_TISSUE_POGONION, P.LABRALE_SUPERIUS),
    ),
    Spec(
        "burstone_lower_lip_mm",
        "Lower lip to Burstone's Sn-Pog' line (positive = ahead)",
        Unit.MM,
        (P.LABRALE_INFERIUS, P.SUBNASALE, P.SOFT_TISSUE_POGONION),
        _line(P.SUBNASALE, P.SOFT_TISSUE_POGONION, P.LABRALE_INFERIUS),
    ),
    Spec(
        "riedel_deviation_mm",
        "Lower lip to the Ls-Pog' line (Riedel plane; 0 = lips and chin on one line)",
        Unit.MM,
        (P.LABRALE_INFERIUS, P.LABRALE_SUPERIUS, P.SOFT_TISSUE_POGONION),
        _line(P.LABRALE_SUPERIUS, P.SOFT_TISSUE_POGONION, P.LABRALE_INFERIUS),
    ),
    Spec(
        "mentolabial_sulcus_depth_mm",
        "Labiomental fold behind the Li-Pog' line (mentolabial sulcus depth)",
        Unit.MM,
        (P.LABIOMENTAL_FOLD, P.LABRALE_INFERIUS, P.SOFT_TISSUE_POGONION),
        lambda q: -signed_distance_to_line(q[P.LABIOMENTAL_FOLD], q[P.LABRALE_INFERIUS], q[P.SOFT_TISSUE_POGONION]),
    ),
    Spec(
        "chin_projection_nasion_perpendicular_mm",
        "Soft-tissue pogonion ahead of the nasion perpendicular (zero meridian; negative = behind)",
        Unit.MM,
        (P.SOFT_TISSUE_POGONION, P.SOFT_TISSUE_NASION),
        _chin_projection,
    ),
    Spec(
        "nasolabial_angle_deg",
        "Nasolabial angle (columella tangent - Sn - Ls)",
        Unit.DEG,
        (P.COLUMELLA, P.SUBNASALE, P.LABRALE_SUPERIUS),
        _angle(P.COLUMELLA, P.SUBNASALE, P.LABRALE_SUPERIUS),
    ),
    Spec(
        "nasofrontal_angle_deg",
        "Nasofrontal angle (forehead tangent - N' - dorsum tangent)",
        Unit.DEG,
        (P.FOREHEAD_TANGENT, P.SOFT_TISSUE_NASION, P.DORSUM_TANGENT),
        _nasofrontal,
    ),
    Spec(
        "facial_convexity_deg",
        "Facial convexity (180 - angle G-Sn-Pog'; positive = convex)",
        Unit.DEG,
        (P.GLABELLA, P.SUBNASALE, P.SOFT_TISSUE_POGONION),
        _facial_convexity,
    ),
    Spec(
        "mentocervical_angle_deg",
        "Mentocervical angle (facial plane G-Pog' to the submental line Me'-C)",
        Unit.DEG,
        (P.GLABELLA, P.SOFT_TISSUE_POGONION, P.MENTON, P.CERVICAL_POINT),
        _mentocervical,
    ),
    Spec(
        "cervicomental_angle_deg",
        "Cervicomental angle (submental line to neck line at C)",
        Unit.DEG,
        (P.MENTON, P.CERVICAL_POINT, P.NECK_TANGENT),
        _angle(P.MENTON, P.CERVICAL_POINT, P.NECK_TANGENT),
    ),
    Spec(
        "lower_lip_chin_angle_deg",
        "Lower lip-chin angle (Li - B' - Pog', the mentolabial angle)",
        Unit.DEG,
        (P.LABRALE_INFERIUS, P.LABIOMENTAL_FOLD, P.SOFT_TISSUE_POGONION),
        _angle(P.LABRALE_INFERIUS, P.LABIOMENTAL_FOLD, P.SOFT_TISSUE_POGONION),
    ),
    Spec(
        "goode_ratio",
        "Nasal tip projection, Goode ratio (tip projection from the N'-alar crease line / N'-Prn)",
        Unit.RATIO,
        (P.PRONASALE, P.SOFT_TISSUE_NASION, ALAR_CREASE),
        _goode,
    ),
)

#: Measurement ids in report order.
MEASUREMENT_IDS: tuple[str, ...] = tuple(s.id for s in SPECS)


def propagate(
    geometry: Geometry, points: Points, sigmas: Mapping[str, float], used: tuple[str, ...]
) -> tuple[float, float]:
    """Value of ``geometry`` and its one-sigma uncertainty from isotropic point uncertainties.

    Parameters
    ----------
    geometry : callable
        Maps named (u, v) points to a number.
    points : mapping of str to ndarray of shape (2,)
    sigmas : mapping of str to float
        One-sigma position uncertainty of each point, same units as the points.
    used : tuple of str
        The points the geometry reads.

    Examples
    --------
    The distance between two points each known to 0.3 px, 10 px apart along x:

    >>> pts = {"a": np.array([0.0, 0.0]), "b": np.array([10.0, 0.0])}
    >>> value, sigma = propagate(lambda q: float(np.hypot(*(q["b"] - q["a"]))), pts, {"a": 0.3, "b": 0.3}, ("a", "b"))
    >>> round(value, 6), round(sigma, 4)
    (10.0, 0.4243)
    """
    value = float(geometry(points))
    variance = 0.0
    for name in used:
        for axis in (0, 1):
            plus = dict(points)
            minus = dict(points)
            step = np.zeros(2)
            step[axis] = _STEP_PX
            plus[name] = points[name] + step
            minus[name] = points[name] - step
            derivative = (geometry(plus) - geometry(minus)) / (2 * _STEP_PX)
            if math.isfinite(derivative):
                variance += (derivative * sigmas[name]) ** 2
    return value, math.sqrt(variance)


def measure_profile(
    landmarks: ProfileLandmarks,
    *,
    calibration: Calibration | None,
    alar_crease_xy: np.ndarray | None = None,
    alar_crease_sigma_px: float = 3.0,
    yaw: YawEstimate | None = None,
) -> list[Measurement]:
    """Every profile measurement of :data:`SPECS`, in that order.

    Parameters
    ----------
    landmarks : ProfileLandmarks
        From :func:`~facebalance.profile.landmarks.locate_landmarks`; positions in canonical image pixels.
    calibration : Calibration or None
        Millimetres per pixel of that image with its relative uncertainty; ``None`` leaves the millimetre
        quantities unmeasured (angles and ratios are still measured).
    alar_crease_xy : ndarray of shape (2,), optional
        The alar crease (the deepest point of the alar-facial groove) in the same canonical pixels,
        placed by the clinician: it lies inside the silhouette, so the outline cannot give it. Without it
        the Goode ratio is not measured.
    alar_crease_sigma_px : float
        One-sigma placement uncertainty of the alar crease, pixels.
    yaw : YawEstimate, optional
        The head's turn; ``None`` for a true profile (or a cephalogram), measured as it appears.

    Returns
    -------
    list of Measurement
        Zone ``profile``; a quantity whose points are missing is present with ``value=None`` and the reason.

    Examples
    --------
    A synthetic profile whose upper lip sits 2 px behind the E-line and lower lip 1 px ahead of it, at 0.5 mm
    per pixel:

    >>> from facebalance.profile.landmarks import LocatedPoint
    >>> from facebalance.profile.frame import ProfileFrame
    >>> from facebalance.anatomy.calibration import CalibrationMethod
    >>> xy = {P.PRONASALE: (100.0, 0.0), P.SOFT_TISSUE_POGONION: (100.0, 100.0),
    ...       P.LABRALE_SUPERIUS: (98.0, 40.0), P.LABRALE_INFERIUS: (101.0, 60.0)}
    >>> pts = {p: LocatedPoint(p, np.array(c), 0, 0.0, 1.0) for p, c in xy.items()}
    >>> lm = ProfileLandmarks(np.zeros((0, 2)), ProfileFrame(), pts, 100.0)
    >>> cal = Calibration(0.5, 0.0, CalibrationMethod.KNOWN_DISTANCE, "test")
    >>> by_id = {m.id: m for m in measure_profile(lm, calibration=cal)}
    >>> by_id["e_line_upper_lip_mm"].value, by_id["e_line_lower_lip_mm"].value
    (-1.0, 0.5)
    """
    frame = landmarks.frame
    points: dict[str, np.ndarray] = {p.value: frame.to_frame(lp.xy) for p, lp in landmarks.points.items()}
    sigmas: dict[str, float] = {p.value: lp.sigma_px for p, lp in landmarks.points.items()}
    if alar_crease_xy is not None:
        points[ALAR_CREASE] = frame.to_frame(np.asarray(alar_crease_xy, dtype=np.float64))
        sigmas[ALAR_CREASE] = alar_crease_sigma_px
    out: list[Measurement] = []
    for spec in SPECS:
        names = tuple(str(p) for p in spec.points)
        missing = [n for n in names if n not in points]
        if missing:
            reason = (
                (
                    "the alar crease is inside the silhouette: place it on the photo (--alar-crease X,Y) to "
                    "measure the Goode ratio"
                )
                if missing == [ALAR_CREASE]
                else ("not located on the profile: " + ", ".join(missing))
            )
            out.append(not_measurable(spec.id, ZONE, spec.unit, spec.label, reason))
            continue
        if spec.unit is Unit.MM and calibration is None:
            out.append(not_measurable(spec.id, ZONE, spec.unit, spec.label, NO_SCALE_REASON))
            continue
        if spec.id in FRAME_DEPENDENT and landmarks.frame_estimated:
            out.append(not_measurable(spec.id, ZONE, spec.unit, spec.label, ESTIMATED_FRAME_REASON))
            continue
        value, sigma = propagate(spec.geometry, _unturned(points, yaw), sigmas, names)
        if yaw is not None:
            sigma = math.hypot(sigma, _yaw_spread(spec.geometry, points, yaw, value))
        if not math.isfinite(value):
            out.append(not_measurable(spec.id, ZONE, spec.unit, spec.label, "degenerate geometry (coincident points)"))
            continue
        if spec.unit is Unit.MM:
            assert calibration is not None
            value_mm = value * calibration.mm_per_px
            sigma = math.hypot(sigma * calibration.mm_per_px, abs(value_mm) * calibration.relative_uncertainty)
            value = value_mm
        out.append(Measurement(spec.id, ZONE, value, sigma, spec.unit, spec.label, names))
    return out


#: Measurements that read the head frame itself (not only lines and angles between points).
FRAME_DEPENDENT = frozenset({"chin_projection_nasion_perpendicular_mm"})
#: Why they are not measured when the frame was estimated from the profile.
ESTIMATED_FRAME_REASON = (
    "the head's tilt was estimated from the profile itself (N'-Pog' taken as vertical), which leaves the chin's "
    "projection against the nasion perpendicular undetermined: give the head tilt (--tilt-deg) or a photo in "
    "natural head position"
)


def _unturned(points: Points, yaw: YawEstimate | None) -> dict[str, np.ndarray]:
    """Frame points with the anterior coordinate stretched back by ``1 / sin(yaw)``."""
    if yaw is None:
        return dict(points)
    k = 1.0 / yaw.foreshortening
    return {name: np.array([uv[0] * k, uv[1]]) for name, uv in points.items()}


def _yaw_spread(geometry: Geometry, points: Points, yaw: YawEstimate, value: float) -> float:
    """How far the quantity moves when the yaw moves one sigma either side (capped at 90 deg)."""
    spread = 0.0
    for other in (yaw.at(yaw.yaw_deg - yaw.sigma_deg), yaw.at(yaw.yaw_deg + yaw.sigma_deg)):
        moved = float(geometry(_unturned(points, other)))
        if math.isfinite(moved):
            spread = max(spread, abs(moved - value))
    return spread
