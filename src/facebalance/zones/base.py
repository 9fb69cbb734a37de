"""The measurement record and the small geometric helpers every zone shares.

All coordinates are frontal-plane (x, y) points in the head frame (x toward the patient's left, y down,
pixels of the analysed image); see :mod:`facebalance.anatomy.frame`. Scale arrives as a
:class:`~facebalance.anatomy.calibration.Calibration`; no function here returns pixels in a field that
later holds millimetres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from facebalance.anatomy.calibration import Calibration


class Zone(StrEnum):
    """The five assessment zones, plus whole-face proportions (thirds and fifths)."""

    PROPORTIONS = "proportions"
    UPPER_FACE = "upper_face"
    MIDFACE = "midface"
    LOWER_FACE = "lower_face"
    PROFILE = "profile"
    SYMMETRY = "symmetry"


class Unit(StrEnum):
    MM = "mm"
    DEG = "deg"
    RATIO = "ratio"
    FRACTION = "fraction"
    PX = "px"


@dataclass(frozen=True)
class Measurement:
    """One measured quantity with its one-sigma uncertainty.

    ``value`` is ``None`` when the quantity could not be measured on this photo; ``reason`` then says why.
    ``points`` names the anatomical points used (see :mod:`facebalance.anatomy.landmarks`).
    """

    id: str
    zone: Zone
    value: float | None
    uncertainty: float | None
    unit: Unit
    label: str
    points: tuple[str, ...]
    reason: str = ""

    @property
    def measurable(self) -> bool:
        return self.value is not None


def not_measurable(id_: str, zone: Zone, unit: Unit, label: str, reason: str) -> Measurement:
    return Measurement(id_, zone, None, None, unit, label, (), reason)


def distance_px(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.hypot(*(np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64))))


#: Per-point one-sigma errors of a measurement's two end points, pixels (``None``: a mesh point).
PointSigmas = tuple[float | None, float | None]
MESH_POINTS: PointSigmas = (None, None)


def length(
    id_: str,
    zone: Zone,
    label: str,
    a: np.ndarray,
    b: np.ndarray,
    points: tuple[str, ...],
    cal: Calibration,
    sigmas_px: PointSigmas = MESH_POINTS,
) -> Measurement:
    """Straight-line distance between two frontal-plane points, in mm (``sigmas_px``: the ends' own errors)."""
    value, sigma = cal.length_mm(distance_px(a, b), sigmas_px)
    return Measurement(id_, zone, value, sigma, Unit.MM, label, points)


def signed_length(
    id_: str,
    zone: Zone,
    label: str,
    length_px: float,
    points: tuple[str, ...],
    cal: Calibration,
    sigmas_px: PointSigmas = MESH_POINTS,
) -> Measurement:
    """A signed distance already reduced to one axis (e.g. a height), in mm."""
    value, sigma = cal.length_mm(abs(length_px), sigmas_px)
    return Measurement(id_, zone, math.copysign(value, length_px) if length_px else 0.0, sigma, Unit.MM, label, points)


def ratio(
    id_: str, zone: Zone, label: str, numerator: Measurement, denominator: Measurement, cal: Calibration
) -> Measurement:
    """Quotient of two lengths. The scale cancels; only the landmark noise of each length remains."""
    if not (numerator.measurable and denominator.measurable) or not denominator.value:
        return not_measurable(id_, zone, Unit.RATIO, label, numerator.reason or denominator.reason or "zero length")
    assert numerator.value is not None and denominator.value is not None
    value = numerator.value / denominator.value
    sigma = abs(value) * math.hypot(
        _landmark_noise_mm(numerator, cal) / numerator.value if numerator.value else 0.0,
        _landmark_noise_mm(denominator, cal) / denominator.value,
    )
    return Measurement(id_, zone, value, sigma, Unit.RATIO, label, numerator.points + denominator.points)


def _landmark_noise_mm(m: Measurement, cal: Calibration) -> float:
    """The part of a length's uncertainty due to landmark noise (its total less the scale part)."""
    total = m.uncertainty or 0.0
    scale_part = abs(m.value or 0.0) * cal.relative_uncertainty
    return math.sqrt(max(0.0, total**2 - scale_part**2))


def tilt_deg(
    a: np.ndarray, b: np.ndarray, cal: Calibration, sigmas_px: PointSigmas = MESH_POINTS
) -> tuple[float, float]:
    """Angle of the segment a->b above the head-frame horizontal, degrees (positive = b higher).

    Returns ``(angle_deg, one_sigma_deg)``; the uncertainty is the landmark noise across the segment.
    """
    dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
    angle = math.degrees(math.atan2(-dy, abs(dx)))  # y points down: "higher" is negative dy
    span = math.hypot(dx, dy)
    sigma = math.degrees(cal.pair_sigma_px(sigmas_px) / span) if span else float("inf")
    return angle, sigma


def polyline_y_at(points_xy: np.ndarray, x: float) -> float | None:
    """y of a polyline (N, 2) at abscissa ``x`` by linear interpolation; ``None`` outside its span."""
    pts = np.asarray(points_xy, dtype=np.float64)
    order = np.argsort(pts[:, 0])
    xs, ys = pts[order, 0], pts[order, 1]
    if x < xs[0] or x > xs[-1]:
        return None
    return float(np.interp(x, xs, ys))
