"""Movement measurements per expression (pure: points in, dataclasses out).

Each function takes the rest frame's and the peak frame's points in the rest frame's head frame (x toward
the patient's left, y down, pixels of the analysed frames; head motion removed by
:mod:`facebalance.dynamics.stabilise`, followed points read from the image where possible by
:mod:`facebalance.dynamics.refine`) and a :class:`MovementScale`, and returns one
:class:`MovementMetric` per quantity, each with a value per patient side and its one-sigma uncertainty.

Uncertainty of a displacement combines, in quadrature, the scale's relative uncertainty (iris
calibration, :class:`~facebalance.anatomy.calibration.Calibration`) times the value, and the position noise
of the point in the two frames: ``sqrt(2) * noise_px`` converted to mm, where ``noise_px`` is the
point's frame-to-frame jitter measured over the recording's rest frames (a video) or the landmark
localisation noise of the calibration (a photo series, where no jitter can be measured).

Definitions (all per side; see docs/dynamics.md for the clinical reading):

* ``brow_elevation_mm``: upward movement of the brow's upper margin, mean of its medial, middle and tail
  points; ``brow_elevation_medial_mm`` / ``brow_elevation_lateral_mm`` at the medial head and at the tail.
* ``brow_descent_medial_mm``: downward movement of the brow head; ``glabellar_approach_mm``: its movement
  toward the midline; ``brow_descent_lateral_mm``: downward movement of the tail (eye closure).
* ``eye_closure_fraction``: 1 - peak lid aperture / rest lid aperture (1 = fully closed);
  ``eye_narrowing_fraction``: the same on expressions that should not close the eye (smile, pucker, eee).
* ``commissure_excursion_mm``: length of the mouth corner's displacement (cheilion) [1]_; its components
  ``commissure_lateral_mm`` (outward) and ``commissure_elevation_mm`` (up); ``smile_angle_deg``: direction
  of that displacement above the horizontal; ``commissure_depression_mm``: downward movement of the corner
  (expressions marked ``dao_probe``); ``commissure_medial_excursion_mm``: inward movement (pucker).
* ``upper_lip_elevation_mm``: upward movement of the Cupid's-bow peak; ``lower_lip_depression_mm``:
  downward movement of the paramedian lower lip.
* ``masseter_bulge_mm`` (clench): outward movement of the face outline over the masseter (mean of the two
  masseter outline points and the gonion proxy).
* ``commissure_depression_rest_mm`` (rest): height of the corner below stomion, positive = turned down.

References
----------
.. [1] Manktelow RT, Zuker RM, Tomat LR. Facial paralysis measurement with a handheld ruler. Plast Reconstr
       Surg. 2008;121(2):435-442 (commissure excursion as the measure of smile movement).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.anatomy.landmarks import SIDES, Landmark, SidePoints
from facebalance.dynamics.script import ExpressionKind
from facebalance.dynamics.signals import OUTWARD, eye_aperture_px


@dataclass(frozen=True)
class FacePoints:
    """The mesh of one frame in the rest frame's head frame.

    Attributes
    ----------
    xy : ndarray of shape (478, 2)
        Head-frame points, pixels.
    sources : mapping of int to str
        ``"image"`` or ``"mesh"`` for the points placed by :func:`facebalance.dynamics.refine.refine_points`;
        every other point is ``"mesh"``.
    """

    xy: np.ndarray
    sources: Mapping[int, str] = field(default_factory=dict)

    def source(self, *vertices: int) -> str:
        """``"image"`` when every vertex was read from the image, else ``"mesh"``."""
        return "image" if all(self.sources.get(int(v)) == "image" for v in vertices) else "mesh"


@dataclass(frozen=True)
class MovementScale:
    """Millimetres per pixel with its uncertainty, and the position noise of one point.

    Attributes
    ----------
    calibration : Calibration
        The iris (or known-distance) calibration of the rest frame.
    noise_px : float
        One-sigma noise of one point coordinate in one frame, pixels.
    """

    calibration: Calibration
    noise_px: float

    def length(self, length_px: float) -> tuple[float, float]:
        """``(value_mm, sigma_mm)`` of a displacement measured between two frames."""
        mm = self.calibration.mm_per_px
        value = length_px * mm
        sigma = math.hypot(value * self.calibration.relative_uncertainty, math.sqrt(2.0) * self.noise_px * mm)
        return value, sigma


@dataclass(frozen=True)
class SideValue:
    """One side's value with its one-sigma uncertainty and where the positions came from."""

    value: float
    sigma: float
    source: str = "mesh"


@dataclass(frozen=True)
class MovementMetric:
    """One movement quantity, per patient side.

    ``right``/``left`` are ``None`` when the quantity could not be measured on that side; ``reason`` says
    why. ``unit`` is ``"mm"``, ``"deg"``, ``"fraction"`` or ``"score"``.
    """

    id: str
    label: str
    unit: str
    right: SideValue | None
    left: SideValue | None
    reason: str = ""

    def side(self, name: str) -> SideValue | None:
        return self.right if name == "right" else self.left


def _per_side(id_: str, label: str, unit: str, values: dict[str, SideValue | None], reason: str = "") -> MovementMetric:
    return MovementMetric(id_, label, unit, values["right"], values["left"], reason)


def _displacement(rest: FacePoints, peak: FacePoints, vertices: tuple[int, ...]) -> np.ndarray:
    """Mean displacement (x, y) of some vertices from rest to peak, head-frame pixels."""
    idx = list(vertices)
    return np.asarray(peak.xy[idx].mean(axis=0) - rest.xy[idx].mean(axis=0))


def _mm_metric(
    id_: str,
    label: str,
    rest: FacePoints,
    peak: FacePoints,
    scale: MovementScale,
    vertices: dict[str, tuple[int, ...]],
    component: dict[str, np.ndarray],
) -> MovementMetric:
    """A signed displacement along a per-side direction (``component[side]``, a unit vector), in mm."""
    values: dict[str, SideValue | None] = {}
    for side, verts in vertices.items():
        length_px = float(_displacement(rest, peak, verts) @ component[side])
        value, sigma = scale.length(length_px)
        values[side] = SideValue(value, sigma, peak.source(*verts))
    return _per_side(id_, label, "mm", values)


_UP = np.array([0.0, -1.0])
_DOWN = np.array([0.0, 1.0])


def _outward(side: str) -> np.ndarray:
    return np.array([OUTWARD[side], 0.0])


def _each(pick: str) -> dict[str, tuple[int, ...]]:
    def verts(s: SidePoints) -> tuple[int, ...]:
        if pick == "brow":
            return (s.brow_medial, s.brow_middle, s.brow_tail)
        if pick == "masseter":
            return (s.masseter_upper, s.masseter_middle, s.gonion)
        return (int(getattr(s, pick)),)

    return {name: verts(s) for name, s in SIDES.items()}


def _fraction_closed(id_: str, label: str, rest: FacePoints, peak: FacePoints, scale: MovementScale) -> MovementMetric:
    values: dict[str, SideValue | None] = {}
    reason = ""
    for name, s in SIDES.items():
        a0 = float(eye_aperture_px(rest.xy, s))
        a1 = float(eye_aperture_px(peak.xy, s))
        if a0 <= 0:
            values[name] = None
            reason = "the eye is closed in the rest frame"
            continue
        sigma_aperture = math.sqrt(2.0) * scale.noise_px
        value = 1.0 - a1 / a0
        sigma = math.hypot(sigma_aperture / a0, (a1 / a0) * sigma_aperture / a0)
        values[name] = SideValue(value, sigma, "mesh")
    return _per_side(id_, label, "fraction", values, reason)


def brow_raise_metrics(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    """Frontalis: how far each brow rises, overall, at its head and at its tail."""
    up = {"right": _UP, "left": _UP}
    return (
        _mm_metric("brow_elevation_mm", "Brow elevation", rest, peak, scale, _each("brow"), up),
        _mm_metric(
            "brow_elevation_medial_mm", "Brow elevation, medial head", rest, peak, scale, _each("brow_medial"), up
        ),
        _mm_metric("brow_elevation_lateral_mm", "Brow elevation, tail", rest, peak, scale, _each("brow_tail"), up),
    )


def frown_metrics(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    """Corrugator and procerus: the brow head pulled down and toward the midline."""
    medial = {side: -_outward(side) for side in SIDES}
    return (
        _mm_metric(
            "brow_descent_medial_mm",
            "Brow head descent",
            rest,
            peak,
            scale,
            _each("brow_medial"),
            {"right": _DOWN, "left": _DOWN},
        ),
        _mm_metric(
            "glabellar_approach_mm",
            "Brow head movement toward the midline",
            rest,
            peak,
            scale,
            _each("brow_medial"),
            medial,
        ),
    )


def eye_closure_metrics(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    """Orbicularis oculi: completeness of closure, and the brow tail pulled down with it."""
    return (
        _fraction_closed("eye_closure_fraction", "Eye closure (1 = fully closed)", rest, peak, scale),
        _mm_metric(
            "brow_descent_lateral_mm",
            "Brow tail descent",
            rest,
            peak,
            scale,
            _each("brow_tail"),
            {"right": _DOWN, "left": _DOWN},
        ),
    )


def _commissure(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    corners = _each("cheilion")
    excursion: dict[str, SideValue | None] = {}
    angle: dict[str, SideValue | None] = {}
    mm = scale.calibration.mm_per_px
    for name, verts in corners.items():
        d = _displacement(rest, peak, verts)
        lateral, elevation = float(d @ _outward(name)), float(d @ _UP)
        length_px = math.hypot(lateral, elevation)
        value, sigma = scale.length(length_px)
        source = peak.source(*verts)
        excursion[name] = SideValue(value, sigma, source)
        noise = math.sqrt(2.0) * scale.noise_px
        angle[name] = (
            SideValue(math.degrees(math.atan2(elevation, lateral)), math.degrees(noise / length_px), source)
            if length_px * mm > 0 and length_px > 2.0 * noise
            else None
        )
    return (
        _per_side("commissure_excursion_mm", "Mouth-corner excursion", "mm", excursion),
        _mm_metric(
            "commissure_lateral_mm",
            "Mouth-corner movement outward",
            rest,
            peak,
            scale,
            corners,
            {side: _outward(side) for side in SIDES},
        ),
        _mm_metric(
            "commissure_elevation_mm", "Mouth-corner elevation", rest, peak, scale, corners, {"right": _UP, "left": _UP}
        ),
        _per_side(
            "smile_angle_deg",
            "Direction of the corner's movement above the horizontal",
            "deg",
            angle,
            "" if all(angle.values()) else "the corner hardly moved, so its direction is not defined",
        ),
    )


def _commissure_depression(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> MovementMetric:
    return _mm_metric(
        "commissure_depression_mm",
        "Mouth-corner pulled down",
        rest,
        peak,
        scale,
        _each("cheilion"),
        {"right": _DOWN, "left": _DOWN},
    )


def smile_metrics(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    """Zygomaticus and the lip elevators: corner excursion and its direction, upper-lip lift, eye narrowing."""
    return (
        *_commissure(rest, peak, scale),
        _mm_metric(
            "upper_lip_elevation_mm",
            "Upper-lip elevation (Cupid's-bow peak)",
            rest,
            peak,
            scale,
            _each("cupids_bow_peak"),
            {"right": _UP, "left": _UP},
        ),
        _fraction_closed("eye_narrowing_fraction", "Eye narrowing", rest, peak, scale),
    )


def pucker_metrics(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    """Orbicularis oris: the corners drawn in; the eye should not narrow (synkinesis if it does)."""
    return (
        _mm_metric(
            "commissure_medial_excursion_mm",
            "Mouth-corner movement inward",
            rest,
            peak,
            scale,
            _each("cheilion"),
            {side: -_outward(side) for side in SIDES},
        ),
        _fraction_closed("eye_narrowing_fraction", "Eye narrowing", rest, peak, scale),
    )


def eee_metrics(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    """Risorius, depressors and platysma: corner excursion, lower-lip depression, eye narrowing."""
    return (
        *_commissure(rest, peak, scale)[:3],
        _mm_metric(
            "lower_lip_depression_mm",
            "Lower-lip depression",
            rest,
            peak,
            scale,
            _each("lower_lip_paramedian"),
            {"right": _DOWN, "left": _DOWN},
        ),
        _fraction_closed("eye_narrowing_fraction", "Eye narrowing", rest, peak, scale),
    )


def clench_metrics(rest: FacePoints, peak: FacePoints, scale: MovementScale) -> tuple[MovementMetric, ...]:
    """Masseter: how far the face outline over the muscle moves outward when the teeth are clenched."""
    return (
        _mm_metric(
            "masseter_bulge_mm",
            "Masseter bulge (face outline outward)",
            rest,
            peak,
            scale,
            _each("masseter"),
            {side: _outward(side) for side in SIDES},
        ),
    )


def rest_metrics(rest: FacePoints, calibration: Calibration) -> tuple[MovementMetric, ...]:
    """Static measurements on the rest frame: how far each mouth corner sits below stomion.

    A position, not a displacement: its noise is the landmark localisation noise of the calibration.

    Examples
    --------
    >>> from facebalance.anatomy.calibration import IrisReference, calibrate_from_iris
    >>> cal = calibrate_from_iris(40.0, 40.0, IrisReference(11.71, 0.42, "Rufer 2005"))
    >>> xy = np.zeros((478, 2)); xy[Landmark.CHEILION_RIGHT] = (-100, 10); xy[Landmark.CHEILION_LEFT] = (100, 10)
    >>> m = rest_metrics(FacePoints(xy), cal)[0]
    >>> round(m.right.value, 2), round(m.left.value, 2)
    (2.93, 2.93)
    """
    stomion = (rest.xy[Landmark.STOMION_UPPER] + rest.xy[Landmark.STOMION_LOWER]) / 2.0
    values: dict[str, SideValue | None] = {}
    for name, s in SIDES.items():
        value, sigma = calibration.length_mm(float(rest.xy[s.cheilion, 1] - stomion[1]))
        values[name] = SideValue(value, sigma, "mesh")
    return (
        _per_side(
            "commissure_depression_rest_mm", "Mouth corner below stomion at rest (+ = turned down)", "mm", values
        ),
    )


def metrics_for(
    kind: ExpressionKind, rest: FacePoints, peak: FacePoints, scale: MovementScale, *, dao_probe: bool = False
) -> tuple[MovementMetric, ...]:
    """The measurements of one expression kind at its peak (plus the corner's downward pull on a DAO probe)."""
    table = {
        ExpressionKind.BROW_RAISE: brow_raise_metrics,
        ExpressionKind.FROWN: frown_metrics,
        ExpressionKind.EYE_CLOSURE: eye_closure_metrics,
        ExpressionKind.SMILE: smile_metrics,
        ExpressionKind.PUCKER: pucker_metrics,
        ExpressionKind.EEE: eee_metrics,
        ExpressionKind.CLENCH: clench_metrics,
    }
    found = table[kind](rest, peak, scale) if kind in table else ()
    if dao_probe and not any(m.id == "commissure_depression_mm" for m in found):
        found = (*found, _commissure_depression(rest, peak, scale))
    return found
