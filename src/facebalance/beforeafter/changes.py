"""The change table: every measurement of both visits with its change, the change's uncertainty and
whether it exceeds the noise.

Each row has ``delta = after - before``, its one-sigma uncertainty ``sigma_delta`` and ``changed`` when
``|delta|`` exceeds ``change_sigmas`` (2) times ``sigma_delta``. Three ways to get the *after* values
(:class:`ComparisonMode`); how ``sigma_delta`` is built for each is in :func:`measurement_changes`.
``left``/``right`` in measurement ids are the patient's sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from facebalance.anatomy.calibration import Calibration, CalibrationMethod, IrisReference
from facebalance.assessment import iris_reference
from facebalance.beforeafter.align import Alignment
from facebalance.beforeafter.settings import BeforeAfterSettings, default_settings
from facebalance.photo import PhotoAnalysis
from facebalance.zones.base import Measurement, Unit


class ComparisonMode(StrEnum):
    """Where the *after* photo's points and millimetre scale come from.

    ``each_photo``: each photo's own face mesh and its own iris (or known-distance) calibration; nothing
    depends on the alignment. ``before_scale``: each photo's own mesh, but the *after* lengths are
    re-expressed with the *before* photo's mm per pixel through the stable-point similarity; this removes
    the *after* photo's calibration noise and assumes the stable region has the same size on both visits
    (true for an adult) and that both photos are the same view. ``tracked``: the *before* photo's points
    carried into the *after* photo by optical flow (:func:`~facebalance.beforeafter.track.track_points`)
    on the *before* scale; it follows local changes the mesh under-reports, and needs the two photos to
    look alike (same light, no make-up change); when the tracking is not consistent the comparison falls
    back to ``each_photo`` and says so.
    """

    EACH_PHOTO = "each_photo"
    BEFORE_SCALE = "before_scale"
    TRACKED = "tracked"


#: Named points found in the pixels, not carried by the mesh; tracking does not lower their noise.
IMAGE_DETECTED_POINTS = frozenset({"brow_upper_margin_right", "brow_upper_margin_left", "trichion"})


@dataclass(frozen=True)
class MeasurementChange:
    """One measurement on both visits.

    Attributes
    ----------
    id, unit, label : str
    before, after : float or None
        The values; ``after`` is on the scale the :class:`ComparisonMode` says (pixels: the before photo's).
    delta : float or None
        ``after - before``.
    sigma_delta : float or None
        One-sigma uncertainty of ``delta`` (see :func:`measurement_changes`).
    changed : bool or None
        ``|delta| > change_sigmas * sigma_delta`` (:class:`~facebalance.beforeafter.settings.BeforeAfterSettings`);
        ``None`` when either value is missing.
    reason : str
        Why there is no delta, when there is none.
    """

    id: str
    unit: str
    label: str
    before: float | None
    after: float | None
    delta: float | None
    sigma_delta: float | None
    changed: bool | None
    reason: str = ""

    @property
    def z(self) -> float | None:
        """``delta / sigma_delta``: how many sigma the change is."""
        if self.delta is None or not self.sigma_delta:
            return None
        return self.delta / self.sigma_delta


def _scale_parts(cal: Calibration, reference: IrisReference, shared_ruler: bool) -> tuple[float, float]:
    """``(common, own)`` relative scale uncertainty of one photo's calibration.

    ``common`` is the part both visits share: the patient's own iris against the population mean, when
    both photos are calibrated on the iris. ``own`` is the rest (iris measurement and contour-model
    spread, or a known distance's uncertainty), independent between photos.
    """
    total = cal.relative_uncertainty
    if not shared_ruler:
        return 0.0, total
    common = reference.sd_mm / reference.diameter_mm if reference.diameter_mm else 0.0
    return common, math.sqrt(max(0.0, total**2 - common**2))


def _landmark_part(m: Measurement, cal: Calibration) -> float:
    """Landmark (and edge-detection) noise in a length's uncertainty: its total less the scale part."""
    total = m.uncertainty or 0.0
    return math.sqrt(max(0.0, total**2 - (abs(m.value or 0.0) * cal.relative_uncertainty) ** 2))


def measurement_changes(
    before: PhotoAnalysis,
    after: PhotoAnalysis,
    *,
    mode: ComparisonMode = ComparisonMode.EACH_PHOTO,
    alignment: Alignment | None = None,
    tracking_sigma_px: float | None = None,
    settings: BeforeAfterSettings | None = None,
) -> tuple[MeasurementChange, ...]:
    """Every measurement of both analyses with its change and the change's uncertainty.

    Parameters
    ----------
    before, after : PhotoAnalysis
        Two frontal analyses of the same patient; for ``TRACKED``, ``after`` is the after photo measured at
        the tracked points (:func:`~facebalance.beforeafter.track.reassess_with_points`).
    mode : ComparisonMode
        Which points and scale the after values use (:class:`ComparisonMode`).
    alignment : Alignment, optional
        Needed for pixel values (expressed in the before photo's pixels through the similarity scale) and
        for the ``BEFORE_SCALE`` and ``TRACKED`` modes.
    tracking_sigma_px : float, optional
        One-sigma tracking noise per coordinate, before analysed pixels
        (:attr:`~facebalance.beforeafter.track.Tracking.sigma_px`); needed for ``TRACKED``.
    settings : BeforeAfterSettings, optional
        When a change counts (default: the packaged limits).

    Returns
    -------
    tuple of MeasurementChange
        In the before analysis's order.

    Notes
    -----
    Each photo's length ``v = L m`` (``L`` pixels, ``m`` mm per pixel) carries two uncertainties
    (:meth:`Calibration.length_mm`): the landmark noise ``l`` of its end points and the scale's relative
    uncertainty ``r``. For the iris ruler (:func:`~facebalance.anatomy.calibration.calibrate_from_iris`)
    ``r^2 = p^2 + q^2 + k^2`` with ``p`` the population spread of the visible iris diameter
    (``iris_visible_diameter_mm`` SD / mean), ``q`` the disagreement of the two irises on this photo and
    ``k`` the face-to-face spread of the model's iris contour against the visible iris. ``l`` is
    recovered from each reported uncertainty as ``l^2 = sigma^2 - (v r)^2``.

    *Each photo.* Both visits are the same patient, so ``p`` is one error shared by both scales:
    ``m_i = m_i,true (1 + e_p)(1 + e_i)``. It does not cancel from a change but multiplies it,
    ``delta = (1 + e_p) delta_true + ...``, so it costs ``|delta| p`` and nothing for an unchanged
    measurement. ``q`` and ``k`` are taken as independent between photos (the contour fit depends on the
    light and the lids on the day; treating it as independent is conservative), and so is ``l``:

    ``sigma_delta^2 = l_b^2 + l_a^2 + (v_b o_b)^2 + (v_a o_a)^2 + (delta p)^2``,  ``o_i^2 = r_i^2 - p^2``.

    When either photo uses a known distance instead of the iris, nothing is shared: ``p = 0``, ``o_i = r_i``.

    *Before scale.* The after length is ``v_a' = f v_a`` with ``f = s m_b / m_a`` (``s`` the similarity's
    scale, before pixels per after pixel). Both values then share the before scale, whose whole error
    ``r_b`` multiplies the change, and the similarity's scale error ``s_rel``
    (:attr:`~facebalance.beforeafter.align.Alignment.scale_relative_sigma`) adds to the after value:

    ``sigma_delta^2 = l_b^2 + (f l_a)^2 + (delta r_b)^2 + (v_a' s_rel)^2``.

    *Tracked.* As *before scale*, but the after points are the before points moved by the flow, so the
    mesh's error at a point is the same on both visits and drops out of the change to first order; what
    is left is the tracking noise ``t`` per coordinate. Landmark noise enters every measurement in
    proportion to the per-coordinate point sigma ``c`` of the calibration, so the after value's landmark
    noise is rescaled by ``t / c``:

    ``sigma_delta^2 = (t / c)^2 (f l_a)^2 + (delta r_b)^2 + (v_a' s_rel)^2``.

    Measurements on points found in the pixels rather than carried by the mesh (the brow's upper edge, the
    hairline; :data:`IMAGE_DETECTED_POINTS`) are searched for again on the after photo and keep
    ``l_b^2 + (f l_a)^2``.

    Ratios, fractions and angles do not depend on the scale: ``sigma_delta^2 = sigma_b^2 + sigma_a^2``
    (tracked: ``(t / c)^2 sigma_a^2``). Pixel values (the iris diameter) are put into before pixels (times
    the similarity's full-resolution scale) in every mode, with ``s_rel`` added as for lengths.

    ``l`` is the mesh's accuracy against hand-placed points on the London set. Between two visits part
    of it is a fixed bias of the model on this face that repeats, so in the two mesh modes
    ``sigma_delta`` is an upper bound: changes under about two sigma (3 to 8 mm for mouth width) are
    reported as not shown.
    """
    if mode is not ComparisonMode.EACH_PHOTO and alignment is None:
        raise ValueError(f"mode {mode.value} needs the alignment")
    if mode is ComparisonMode.TRACKED and tracking_sigma_px is None:
        raise ValueError("mode tracked needs tracking_sigma_px")
    change_sigmas = (settings or default_settings()).change_sigmas
    model = _ChangeModel.of(before, after, mode, alignment, tracking_sigma_px)
    out: list[MeasurementChange] = []
    after_measurements = after.assessment.measurements
    for mid, mb in before.assessment.measurements.items():
        ma = after_measurements.get(mid)
        if ma is None:
            continue
        base = {"id": mid, "unit": mb.unit.value, "label": mb.label}
        change = model.change(mb, ma)
        if isinstance(change, str):
            out.append(
                MeasurementChange(
                    **base, before=mb.value, after=ma.value, delta=None, sigma_delta=None, changed=None, reason=change
                )
            )
            continue
        after_value, delta, sigma = change
        out.append(
            MeasurementChange(
                **base,
                before=mb.value,
                after=after_value,
                delta=delta,
                sigma_delta=sigma,
                changed=bool(abs(delta) > change_sigmas * sigma),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class _ChangeModel:
    """What the uncertainty of a change depends on, for one pair of photos and one mode (symbols as in
    :func:`measurement_changes`)."""

    mode: ComparisonMode
    cal_b: Calibration
    cal_a: Calibration
    p: float
    own_b: float
    own_a: float
    s: float | None
    s_rel: float
    t_over_c: float
    to_full_b: float
    to_full_a: float

    @classmethod
    def of(
        cls,
        before: PhotoAnalysis,
        after: PhotoAnalysis,
        mode: ComparisonMode,
        alignment: Alignment | None,
        tracking_sigma_px: float | None,
    ) -> _ChangeModel:
        cal_b, cal_a = before.assessment.calibration, after.assessment.calibration
        shared = cal_b.method is CalibrationMethod.IRIS_DIAMETER and cal_a.method is CalibrationMethod.IRIS_DIAMETER
        p, own_b = _scale_parts(cal_b, iris_reference(before.norms), shared)
        _, own_a = _scale_parts(cal_a, iris_reference(after.norms), shared)
        t_over_c = 1.0
        if mode is ComparisonMode.TRACKED and tracking_sigma_px is not None and cal_b.point_sigma_px > 0:
            t_over_c = min(1.0, tracking_sigma_px / cal_b.point_sigma_px)
        return cls(
            mode=mode,
            cal_b=cal_b,
            cal_a=cal_a,
            p=p,
            own_b=own_b,
            own_a=own_a,
            s=alignment.similarity.scale if alignment is not None else None,
            s_rel=alignment.scale_relative_sigma if alignment is not None else 0.0,
            t_over_c=t_over_c,
            to_full_b=before.image.scale_to_full,
            to_full_a=after.image.scale_to_full,
        )

    def change(self, mb: Measurement, ma: Measurement) -> tuple[float, float, float] | str:
        """``(after value, delta, sigma_delta)`` of one measurement, or why it cannot be compared."""
        if mb.value is None or ma.value is None or mb.uncertainty is None or ma.uncertainty is None:
            which = "before" if mb.value is None else "after"
            reason = (mb.reason if mb.value is None else ma.reason) or "not measured"
            return f"not measurable on the {which} photo: {reason}"
        vb, va, sb, sa = mb.value, ma.value, mb.uncertainty, ma.uncertainty
        carried = self.mode is ComparisonMode.TRACKED and not IMAGE_DETECTED_POINTS.intersection(mb.points + ma.points)
        if mb.unit is Unit.MM:
            return self._length(mb, ma, carried)
        if mb.unit is Unit.PX:
            if self.s is None:
                return "pixel values need the alignment to be compared"
            s_full = self.s * self.to_full_b / self.to_full_a
            va, sa = va * s_full, sa * s_full
            delta = va - vb
            return va, delta, math.sqrt(sb**2 + sa**2 + (va * self.s_rel) ** 2)
        delta = va - vb
        return va, delta, self.t_over_c * sa if carried else math.hypot(sb, sa)

    def _length(self, mb: Measurement, ma: Measurement, carried: bool) -> tuple[float, float, float]:
        """A length's change in mm: each photo's scale, or the after value on the before photo's scale."""
        vb, va = float(mb.value or 0.0), float(ma.value or 0.0)
        lb, la = _landmark_part(mb, self.cal_b), _landmark_part(ma, self.cal_a)
        if self.mode is ComparisonMode.EACH_PHOTO:
            delta = va - vb
            own_b, own_a, p = self.own_b, self.own_a, self.p
            return va, delta, math.sqrt(lb**2 + la**2 + (vb * own_b) ** 2 + (va * own_a) ** 2 + (delta * p) ** 2)
        assert self.s is not None
        f = self.s * self.cal_b.mm_per_px / self.cal_a.mm_per_px
        va, la = va * f, la * f
        delta = va - vb
        landmark_sq = (self.t_over_c * la) ** 2 if carried else lb**2 + la**2
        return (
            va,
            delta,
            math.sqrt(landmark_sq + (delta * self.cal_b.relative_uncertainty) ** 2 + (va * self.s_rel) ** 2),
        )
