"""Millimetres on a profile photo: from a known distance, or carried over from the session's frontal photo.

A profile photo has no built-in ruler (the iris, the frontal path's ruler, is seen edge-on). Two ways give
it a scale, each with its uncertainty:

**Known distance.** Either a ruler held in the midsagittal plane (two points on the photo and their true
distance), or a distance the clinician measured on the patient with a caliper between two profile
landmarks (e.g. soft-tissue nasion to subnasale). A ruler away from the midsagittal plane is at another
depth and magnifies differently; that error is not modelled, which is why it must be held against the
midline.

**Frontal carry-over.** The frontal analysis of the same session measures vertical midline distances in
millimetres (its iris ruler): nasion-subnasale (``midface_height_mm``) and subnasale-menton
(``lower_third_mm``). The same distances are visible on the profile outline, where their **vertical**
component (along the head frame's ``v``) is measured in pixels. Each pair gives a scale
``mm_per_px = frontal_mm / profile_px``. Its relative uncertainty combines, in quadrature:

* the frontal measurement's landmark noise (its uncertainty less the part due to its iris scale);
* the profile points' uncertainty along ``v``;
* the difference of definition between the mesh's points and the outline's (a working constant per
  distance, ``profile_carry_over_*_sigma_mm`` in the norm set);
* the head's unknown tilt in the profile photo, ``sigma_tilt`` (working default 5 deg): a tilt turns part
  of the two points' horizontal offset ``du`` into vertical, about ``|du| * sin(sigma_tilt)``.

The pairs are combined by inverse-variance weighting in log scale (their spread, if larger than their
uncertainties explain, inflates the result: Birge ratio), and the frontal iris scale's relative uncertainty
is added in quadrature once, since it is common to both pairs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from facebalance.anatomy.calibration import Calibration, CalibrationMethod
from facebalance.errors import CalibrationError
from facebalance.profile.landmarks import ProfileLandmarks, ProfilePoint
from facebalance.zones.base import Measurement


class ScaleMethod(StrEnum):
    """How a profile photo got its millimetre scale."""

    KNOWN_DISTANCE = "known_distance"
    LANDMARK_DISTANCE = "landmark_distance"
    FRONTAL_CARRY_OVER = "frontal_carry_over"


@dataclass(frozen=True)
class ProfileScale:
    """A profile photo's scale: the :class:`Calibration` the measurements use, and how it was obtained.

    ``calibration.method`` can only say ``known_distance`` (the shared enum has no profile methods);
    :attr:`method` says which of the profile's methods it was.
    """

    calibration: Calibration
    method: ScaleMethod
    detail: str


@dataclass(frozen=True)
class SharedDistance:
    """A vertical midline distance measured on the frontal photo and visible on the profile outline."""

    frontal_id: str
    upper: ProfilePoint
    lower: ProfilePoint
    definition_sigma_reference: str


#: The distances carried over, with the norm-set reference holding each one's definition uncertainty.
SHARED_DISTANCES: tuple[SharedDistance, ...] = (
    SharedDistance(
        "midface_height_mm",
        ProfilePoint.SOFT_TISSUE_NASION,
        ProfilePoint.SUBNASALE,
        "profile_carry_over_nasion_subnasale_sigma_mm",
    ),
    SharedDistance(
        "lower_third_mm", ProfilePoint.SUBNASALE, ProfilePoint.MENTON, "profile_carry_over_subnasale_menton_sigma_mm"
    ),
)


def scale_from_points(
    a_px: np.ndarray, b_px: np.ndarray, distance_mm: float, *, sigma_mm: float = 0.5, point_sigma_px: float = 1.0
) -> ProfileScale:
    """Scale from a ruler in the photo: two points (pixels of the analysed image) ``distance_mm`` apart.

    Examples
    --------
    >>> s = scale_from_points(np.array([0.0, 0.0]), np.array([0.0, 200.0]), 50.0, sigma_mm=0.5, point_sigma_px=0.0)
    >>> s.calibration.mm_per_px, s.calibration.relative_uncertainty
    (0.25, 0.01)
    """
    length_px = float(np.hypot(*(np.asarray(b_px, dtype=np.float64) - np.asarray(a_px, dtype=np.float64))))
    if length_px <= 0 or distance_mm <= 0:
        raise CalibrationError(
            "A known distance must be positive in both pixels and millimetres.",
            hint="Give two distinct points and the true distance, e.g. --known-mm 50.",
        )
    rel = math.hypot(sigma_mm / distance_mm, math.sqrt(2.0) * point_sigma_px / length_px)
    return ProfileScale(
        Calibration(
            distance_mm / length_px,
            rel,
            CalibrationMethod.KNOWN_DISTANCE,
            f"ruler {distance_mm:g} ± {sigma_mm:g} mm over {length_px:.1f} px",
        ),
        ScaleMethod.KNOWN_DISTANCE,
        f"a ruler of {distance_mm:g} mm in the midsagittal plane, {length_px:.1f} px on the photo",
    )


def scale_from_landmark_distance(
    landmarks: ProfileLandmarks, a: ProfilePoint, b: ProfilePoint, distance_mm: float, *, sigma_mm: float = 1.0
) -> ProfileScale:
    """Scale from a caliper distance between two profile landmarks measured on the patient.

    The straight-line distance between the two located points is matched to ``distance_mm``; the points'
    own position uncertainty and ``sigma_mm`` (the caliper reading and placing its tips) both count.
    """
    for p in (a, b):
        if p not in landmarks.points:
            raise CalibrationError(
                f"The {p.value.replace('_', ' ')} was not located on this profile, so the "
                "known distance cannot be used.",
                hint="Use a ruler in the photo instead.",
            )
    pa, pb = landmarks.points[a], landmarks.points[b]
    length_px = float(np.hypot(*(pb.xy - pa.xy)))
    if length_px <= 0 or distance_mm <= 0:
        raise CalibrationError(
            "A known distance must be positive in both pixels and millimetres.",
            hint="Give the caliper distance in mm, e.g. --known-mm 52.",
        )
    rel = math.hypot(sigma_mm / distance_mm, math.hypot(pa.sigma_px, pb.sigma_px) / length_px)
    what = f"{a.value.replace('_', ' ')} to {b.value.replace('_', ' ')}"
    return ProfileScale(
        Calibration(
            distance_mm / length_px,
            rel,
            CalibrationMethod.KNOWN_DISTANCE,
            f"caliper {what} {distance_mm:g} ± {sigma_mm:g} mm over {length_px:.1f} px",
        ),
        ScaleMethod.LANDMARK_DISTANCE,
        f"{what} measured on the patient: {distance_mm:g} mm, {length_px:.1f} px on the photo",
    )


def scale_from_frontal(
    landmarks: ProfileLandmarks,
    frontal: Mapping[str, Measurement],
    *,
    frontal_relative_uncertainty: float,
    definition_sigma_mm: Mapping[str, float],
    tilt_sigma_deg: float = 5.0,
    distances: Sequence[SharedDistance] = SHARED_DISTANCES,
) -> ProfileScale:
    """Carry the frontal photo's millimetre scale over to the profile (see the module docstring).

    Parameters
    ----------
    landmarks : ProfileLandmarks
        The profile's points.
    frontal : mapping of str to Measurement
        The frontal analysis's measurements (``Assessment.measurements``), at least one of the
        :data:`SHARED_DISTANCES` ids.
    frontal_relative_uncertainty : float
        The frontal calibration's relative uncertainty (common to every carried distance).
    definition_sigma_mm : mapping of str to float
        One-sigma definition difference per :attr:`SharedDistance.definition_sigma_reference`.
    tilt_sigma_deg : float
        One-sigma head tilt of the profile photo.

    Raises
    ------
    CalibrationError
        No shared distance is available on both photos.

    Examples
    --------
    A profile whose N'-Sn is 200 px vertical, a frontal midface height of 50 ± 1.5 mm with a 3 % iris scale:

    >>> from facebalance.profile.landmarks import LocatedPoint
    >>> from facebalance.profile.frame import ProfileFrame
    >>> from facebalance.zones.base import Unit, Zone
    >>> pts = {p: LocatedPoint(p, np.array(xy), 0, 0.0, 1.0) for p, xy in (
    ...     (ProfilePoint.SOFT_TISSUE_NASION, (0.0, 0.0)), (ProfilePoint.SUBNASALE, (0.0, 200.0)))}
    >>> lm = ProfileLandmarks(np.zeros((0, 2)), ProfileFrame(), pts, 100.0)
    >>> front = {"midface_height_mm": Measurement("midface_height_mm", Zone.MIDFACE, 50.0, 1.5, Unit.MM, "", ())}
    >>> s = scale_from_frontal(lm, front, frontal_relative_uncertainty=0.03,
    ...                        definition_sigma_mm={"profile_carry_over_nasion_subnasale_sigma_mm": 0.0})
    >>> s.calibration.mm_per_px, round(s.calibration.relative_uncertainty, 4)
    (0.25, 0.03)
    """
    frame = landmarks.frame
    pairs: list[CarriedDistance] = []
    for d in distances:
        m = frontal.get(d.frontal_id)
        if m is None or d.upper not in landmarks.points or d.lower not in landmarks.points:
            continue
        up, low = landmarks.points[d.upper], landmarks.points[d.lower]
        duv = frame.to_frame(low.xy) - frame.to_frame(up.xy)
        tilt_px = abs(float(duv[0])) * math.sin(math.radians(tilt_sigma_deg))
        pairs.append(
            CarriedDistance(
                m,
                abs(float(duv[1])),
                math.sqrt(up.sigma_px**2 + low.sigma_px**2 + tilt_px**2),
                definition_sigma_mm.get(d.definition_sigma_reference, 0.0),
            )
        )
    carried = carry_distances(pairs, frontal_relative_uncertainty=frontal_relative_uncertainty)
    if carried is None:
        raise CalibrationError(
            "The frontal photo and the profile share no measured distance (nasion-subnasale or subnasale-menton).",
            hint="Give a known distance instead (--known-mm), or a frontal photo where these were measured.",
        )
    return ProfileScale(carried, ScaleMethod.FRONTAL_CARRY_OVER, carried.detail)


@dataclass(frozen=True)
class CarriedDistance:
    """One distance measured in millimetres on the frontal photo and in pixels on another view.

    Attributes
    ----------
    frontal : Measurement
        The frontal measurement (its uncertainty includes the frontal scale's part).
    vertical_px : float
        The same distance on the other view, along the head frame's vertical, pixels.
    sigma_px : float
        One-sigma uncertainty of ``vertical_px`` (the points, and the head's unknown tilt).
    definition_sigma_mm : float
        One-sigma difference between the two views' definitions of the points.
    """

    frontal: Measurement
    vertical_px: float
    sigma_px: float
    definition_sigma_mm: float


def carry_distances(pairs: Sequence[CarriedDistance], *, frontal_relative_uncertainty: float) -> Calibration | None:
    """The frontal scale carried to another view through distances seen on both (``None``: none usable).

    Each pair gives ``mm_per_px = frontal_mm / vertical_px``; the pairs are combined by inverse-variance
    weighting in log scale (their spread, if larger than their uncertainties explain, inflates the result:
    Birge ratio), and the frontal scale's relative uncertainty, common to every pair, is added once. The
    frontal landmark noise of each pair is its uncertainty less the part due to its scale.

    Examples
    --------
    >>> from facebalance.zones.base import Unit, Zone
    >>> m = Measurement("midface_height_mm", Zone.MIDFACE, 50.0, 1.5, Unit.MM, "", ())
    >>> c = carry_distances([CarriedDistance(m, 200.0, 0.0, 0.0)], frontal_relative_uncertainty=0.03)
    >>> c.mm_per_px, round(c.relative_uncertainty, 4)
    (0.25, 0.03)
    """
    logs: list[float] = []
    variances: list[float] = []
    used: list[str] = []
    for pair in pairs:
        m = pair.frontal
        if m.value is None or not m.value > 0 or not pair.vertical_px > 0:
            continue
        scale_part = m.value * frontal_relative_uncertainty
        landmark_sigma_mm = math.sqrt(max(0.0, (m.uncertainty or 0.0) ** 2 - scale_part**2))
        rel2 = (
            (landmark_sigma_mm / m.value) ** 2
            + (pair.definition_sigma_mm / m.value) ** 2
            + (pair.sigma_px / pair.vertical_px) ** 2
        )
        logs.append(math.log(m.value / pair.vertical_px))
        variances.append(max(rel2, 1e-12))
        used.append(f"{m.id} {m.value:.1f} mm / {pair.vertical_px:.1f} px")
    if not logs:
        return None
    w = 1.0 / np.array(variances)
    x = np.array(logs)
    mean = float((w * x).sum() / w.sum())
    rel_independent = math.sqrt(1.0 / float(w.sum()))
    if len(x) > 1:
        chi2 = float((w * (x - mean) ** 2).sum()) / (len(x) - 1)
        rel_independent *= math.sqrt(max(1.0, chi2))
    rel = math.hypot(frontal_relative_uncertainty, rel_independent)
    detail = "carried over from the frontal photo: " + "; ".join(used)
    return Calibration(math.exp(mean), rel, CalibrationMethod.KNOWN_DISTANCE, detail)


@dataclass(frozen=True)
class RulerDistance:
    """A ruler in the midsagittal plane: two points in canonical pixels of the analysed image, and their distance."""

    a_px: tuple[float, float]
    b_px: tuple[float, float]
    distance_mm: float
    sigma_mm: float = 0.5


@dataclass(frozen=True)
class LandmarkDistance:
    """A caliper distance measured on the patient between two profile landmarks."""

    a: ProfilePoint
    b: ProfilePoint
    distance_mm: float
    sigma_mm: float = 1.0


@dataclass(frozen=True)
class FrontalReference:
    """The same session's frontal analysis: its measurements and its scale's relative uncertainty."""

    measurements: Mapping[str, Measurement]
    relative_uncertainty: float


#: Any of the ways a profile can get its scale.
ScaleSource = RulerDistance | LandmarkDistance | FrontalReference


def resolve_scale(
    landmarks: ProfileLandmarks,
    source: ScaleSource,
    *,
    definition_sigma_mm: Mapping[str, float],
    tilt_sigma_deg: float,
) -> ProfileScale:
    """The :class:`ProfileScale` for one scale source (see the module docstring for each method)."""
    if isinstance(source, RulerDistance):
        return scale_from_points(
            np.array(source.a_px), np.array(source.b_px), source.distance_mm, sigma_mm=source.sigma_mm
        )
    if isinstance(source, LandmarkDistance):
        return scale_from_landmark_distance(landmarks, source.a, source.b, source.distance_mm, sigma_mm=source.sigma_mm)
    return scale_from_frontal(
        landmarks,
        source.measurements,
        frontal_relative_uncertainty=source.relative_uncertainty,
        definition_sigma_mm=definition_sigma_mm,
        tilt_sigma_deg=tilt_sigma_deg,
    )
