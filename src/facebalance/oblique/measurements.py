"""Oblique-view measurements (pure): located silhouette points, mesh references and a scale in, records out.

Every quantity is read in the in-plane head frame (:mod:`facebalance.oblique.frame`). Depths and convexities
are distances from a chord of the silhouette to a point of it, in the plane of the photo; heights are along
the head's vertical, which a turn of the head does not foreshorten. Horizontal distances are not measured:
a three-quarter photo foreshortens them by an unknown amount.

================================================  ==========  ===============================================
id                                                zone        definition
================================================  ==========  ===============================================
``ogee_convexity_mm``                             midface     malar prominence outward of the chord temple -
                                                              jaw angle (positive: the cheek stands out)
``submalar_depth_mm``                             midface     submalar hollow behind the chord malar
                                                              prominence - jaw angle
``cheek_apex_height_ratio``                       midface     (menton - malar prominence) / (menton - canthal
                                                              line at the malar prominence), heights [1]_
``cheek_apex_below_lateral_canthus_mm``           midface     height of the malar prominence below the far
                                                              lateral canthus
``cheek_apex_canthus_to_alar_base_fraction``      midface     the malar prominence's height between the far
                                                              lateral canthus (0) and the alar base (1)
``prejowl_sulcus_depth_mm``                       lower_face  prejowl sulcus behind the chord jaw angle - chin
                                                              (0: a continuous jawline)
``temple_concavity_mm``                           upper_face  temple behind the chord temple top - malar
                                                              prominence (0: no hollow)
================================================  ==========  ===============================================

Uncertainty: the points' one-sigma position uncertainties are propagated through each quantity's geometry
(:func:`facebalance.profile.measurements.propagate`); millimetre values add the scale's relative uncertainty.

References
----------
.. [1] Kaptein YE, Kaptein JS, Markarian A. Vertical localization of the malar prominence. Plast Reconstr
       Surg Glob Open. 2015;3(6):e411 (chin-to-malar prominence over chin-to-canthus height, 0.793 ± 0.023).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.oblique.frame import ObliqueFrame
from facebalance.oblique.points import MeshReferences, ObliquePoint, ObliquePoints
from facebalance.profile.geometry import depth_under_chord
from facebalance.profile.measurements import Geometry, Points, propagate
from facebalance.zones.base import Measurement, Unit, Zone, not_measurable

P = ObliquePoint
#: Names of the mesh reference points in the geometry's point mapping.
CANTHUS_FAR = "lateral_canthus_far"
CANTHUS_NEAR = "lateral_canthus_near"
ALAR_BASE = "alar_base_far"
MENTON = "menton_mesh"


@dataclass(frozen=True)
class Spec:
    """One oblique measurement: id, zone, label, unit, the points it reads and its geometry (pixels or a ratio)."""

    id: str
    zone: Zone
    label: str
    unit: Unit
    points: tuple[str, ...]
    geometry: Geometry


def _outward(p: str, a: str, b: str) -> Geometry:
    return lambda q: -float(depth_under_chord(q[p][None, :], q[a], q[b])[0])


def _behind(p: str, a: str, b: str) -> Geometry:
    return lambda q: float(depth_under_chord(q[p][None, :], q[a], q[b])[0])


def _canthal_v_at(q: Points, u: float) -> float:
    """Height of the line through both lateral canthi at ``u`` (frame coordinates)."""
    a, b = q[CANTHUS_NEAR], q[CANTHUS_FAR]
    du = b[0] - a[0]
    if abs(du) < 1e-9:
        return float((a[1] + b[1]) / 2)
    return float(a[1] + (u - a[0]) * (b[1] - a[1]) / du)


def _apex_height_ratio(q: Points) -> float:
    malar = q[P.MALAR_PROMINENCE]
    chin_to_canthus = q[MENTON][1] - _canthal_v_at(q, float(malar[0]))
    return float((q[MENTON][1] - malar[1]) / chin_to_canthus) if chin_to_canthus > 0 else float("nan")


def _apex_below_canthus(q: Points) -> float:
    return float(q[P.MALAR_PROMINENCE][1] - q[CANTHUS_FAR][1])


def _apex_fraction(q: Points) -> float:
    span = q[ALAR_BASE][1] - q[CANTHUS_FAR][1]
    return float((q[P.MALAR_PROMINENCE][1] - q[CANTHUS_FAR][1]) / span) if span > 0 else float("nan")


SPECS: tuple[Spec, ...] = (
    Spec(
        "ogee_convexity_mm",
        Zone.MIDFACE,
        "Ogee curve convexity: malar prominence outward of the temple - jaw angle chord",
        Unit.MM,
        (P.MALAR_PROMINENCE, P.TEMPLE, P.JAW_ANGLE),
        _outward(P.MALAR_PROMINENCE, P.TEMPLE, P.JAW_ANGLE),
    ),
    Spec(
        "submalar_depth_mm",
        Zone.MIDFACE,
        "Submalar hollow behind the malar prominence - jaw angle chord",
        Unit.MM,
        (P.SUBMALAR_HOLLOW, P.MALAR_PROMINENCE, P.JAW_ANGLE),
        _behind(P.SUBMALAR_HOLLOW, P.MALAR_PROMINENCE, P.JAW_ANGLE),
    ),
    Spec(
        "cheek_apex_height_ratio",
        Zone.MIDFACE,
        "Cheek apex height: menton to malar prominence over menton to the canthal line",
        Unit.RATIO,
        (P.MALAR_PROMINENCE, MENTON, CANTHUS_FAR, CANTHUS_NEAR),
        _apex_height_ratio,
    ),
    Spec(
        "cheek_apex_below_lateral_canthus_mm",
        Zone.MIDFACE,
        "Cheek apex (malar prominence) height below the lateral canthus",
        Unit.MM,
        (P.MALAR_PROMINENCE, CANTHUS_FAR),
        _apex_below_canthus,
    ),
    Spec(
        "cheek_apex_canthus_to_alar_base_fraction",
        Zone.MIDFACE,
        "Cheek apex height between the lateral canthus (0) and the alar base (1)",
        Unit.FRACTION,
        (P.MALAR_PROMINENCE, CANTHUS_FAR, ALAR_BASE),
        _apex_fraction,
    ),
    Spec(
        "prejowl_sulcus_depth_mm",
        Zone.LOWER_FACE,
        "Prejowl sulcus behind the jaw angle - chin chord (jawline continuity)",
        Unit.MM,
        (P.PREJOWL_SULCUS, P.JAW_ANGLE, P.CHIN),
        _behind(P.PREJOWL_SULCUS, P.JAW_ANGLE, P.CHIN),
    ),
    Spec(
        "temple_concavity_mm",
        Zone.UPPER_FACE,
        "Temple hollow behind the temple top - malar prominence chord",
        Unit.MM,
        (P.TEMPLE, P.TEMPLE_TOP, P.MALAR_PROMINENCE),
        _behind(P.TEMPLE, P.TEMPLE_TOP, P.MALAR_PROMINENCE),
    ),
)

#: Measurement ids in report order.
MEASUREMENT_IDS: tuple[str, ...] = tuple(s.id for s in SPECS)


def _propagate(
    geometry: Geometry, q: Points, axes: dict[str, tuple[np.ndarray, np.ndarray]], used: tuple[str, ...]
) -> tuple[float, float]:
    """Value and one-sigma uncertainty of ``geometry`` when each point varies along its own two axes.

    Each point is written as its position plus ``a`` times its first one-sigma axis plus ``c`` times its
    second, and :func:`facebalance.profile.measurements.propagate` runs on the ``(a, c)`` coordinates with
    unit sigma: the shared propagation, for points whose uncertainty is not the same in every direction.
    """
    origin = {name: np.zeros(2) for name in used}

    def in_axes(ac: Points) -> float:
        moved = dict(q)
        for name in used:
            first, second = axes[name]
            moved[name] = q[name] + ac[name][0] * first + ac[name][1] * second
        return geometry(moved)

    return propagate(in_axes, origin, dict.fromkeys(used, 1.0), used)


#: Why a millimetre quantity is missing without a scale.
NO_SCALE_REASON = "no millimetre scale: both irises must be visible for the iris ruler"


def measure_oblique(
    points: ObliquePoints, refs: MeshReferences, frame: ObliqueFrame, *, calibration: Calibration | None
) -> list[Measurement]:
    """Every measurement of :data:`SPECS`, in that order.

    Parameters
    ----------
    points : ObliquePoints
        From :func:`facebalance.oblique.points.locate_points` (canonical pixels).
    refs : MeshReferences
        The mesh's reference landmarks (canonical pixels).
    frame : ObliqueFrame
    calibration : Calibration or None
        Millimetres per pixel of the canonical image with its relative uncertainty; ``None`` leaves the
        millimetre quantities unmeasured.

    Returns
    -------
    list of Measurement
        A quantity whose points are missing is present with ``value=None`` and the reason.

    Examples
    --------
    A malar prominence 4 px outward of a vertical temple - jaw chord, at 0.5 mm per pixel:

    >>> from facebalance.anatomy.calibration import CalibrationMethod
    >>> from facebalance.oblique.points import LocatedPoint
    >>> xy = {P.TEMPLE: (100.0, 0.0), P.JAW_ANGLE: (100.0, 100.0), P.MALAR_PROMINENCE: (104.0, 40.0)}
    >>> down = np.array([0.0, 1.0])
    >>> located = {p: LocatedPoint(p, np.array(c), 0, 0.0, 0.0, down, 1.0) for p, c in xy.items()}
    >>> pts = ObliquePoints(located, {}, 100.0)
    >>> z = np.zeros(2)
    >>> refs = MeshReferences(z, z, z, z, z, z, z, 0.0)
    >>> cal = Calibration(0.5, 0.0, CalibrationMethod.KNOWN_DISTANCE, "test")
    >>> frame = ObliqueFrame(np.array([0.0, 1.0]))
    >>> by_id = {m.id: m for m in measure_oblique(pts, refs, frame, calibration=cal)}
    >>> by_id["ogee_convexity_mm"].value
    2.0
    """
    q: dict[str, np.ndarray] = {p.value: frame.to_frame(lp.xy) for p, lp in points.points.items()}
    # Each point's two one-sigma directions (along and across the silhouette), in frame coordinates.
    axes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for p, lp in points.points.items():
        along = frame.to_frame(lp.tangent)
        across = np.array([-along[1], along[0]])
        axes[p.value] = (along * lp.sigma_along_px, across * lp.sigma_px)
    for name, xy in (
        (CANTHUS_FAR, refs.lateral_canthus),
        (CANTHUS_NEAR, refs.lateral_canthus_near),
        (ALAR_BASE, refs.alar_base),
        (MENTON, refs.menton),
    ):
        q[name] = frame.to_frame(np.asarray(xy, dtype=np.float64))
        axes[name] = (np.array([refs.sigma_px, 0.0]), np.array([0.0, refs.sigma_px]))
    out: list[Measurement] = []
    for spec in SPECS:
        names = tuple(str(p) for p in spec.points)
        missing = [n for n in names if n not in q]
        if missing:
            reasons = "; ".join(
                f"{n.replace('_', ' ')}: {points.missing.get(ObliquePoint(n), 'not located')}" for n in missing
            )
            out.append(not_measurable(spec.id, spec.zone, spec.unit, spec.label, reasons))
            continue
        if spec.unit is Unit.MM and calibration is None:
            out.append(not_measurable(spec.id, spec.zone, spec.unit, spec.label, NO_SCALE_REASON))
            continue
        value, sigma = _propagate(spec.geometry, q, axes, names)
        if not math.isfinite(value):
            out.append(not_measurable(spec.id, spec.zone, spec.unit, spec.label, "degenerate geometry"))
            continue
        if spec.unit is Unit.MM:
            assert calibration is not None
            value_mm = value * calibration.mm_per_px
            sigma = math.hypot(sigma * calibration.mm_per_px, abs(value_mm) * calibration.relative_uncertainty)
            value = value_mm
        out.append(Measurement(spec.id, spec.zone, value, sigma, spec.unit, spec.label, names))
    return out
