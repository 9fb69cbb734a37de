"""The whole before/after comparison: align, track when asked, tabulate the changes, and say what to be
careful about."""

from __future__ import annotations

from dataclasses import dataclass, field

from facebalance.beforeafter.align import Alignment, align_photos, iris_in_photo_px
from facebalance.beforeafter.changes import ComparisonMode, MeasurementChange, measurement_changes
from facebalance.beforeafter.settings import BeforeAfterSettings, default_settings
from facebalance.beforeafter.track import Tracking, reassess_with_points, track_points
from facebalance.errors import FacebalanceError
from facebalance.photo import PhotoAnalysis


@dataclass(frozen=True)
class BeforeAfter:
    """One before/after comparison: the alignment, the changes and what to be careful about.

    Attributes
    ----------
    mode : ComparisonMode
        The mode used; ``requested_mode`` when tracking was asked for and was not reliable.
    tracking : Tracking or None
        The tracking, when it was tried.
    settings : BeforeAfterSettings
        The limits the comparison used.
    """

    before_name: str
    after_name: str
    alignment: Alignment
    mode: ComparisonMode
    requested_mode: ComparisonMode
    changes: tuple[MeasurementChange, ...]
    tracking: Tracking | None = None
    warnings: list[str] = field(default_factory=list)
    settings: BeforeAfterSettings = field(default_factory=default_settings)

    @property
    def changed(self) -> tuple[MeasurementChange, ...]:
        return tuple(c for c in self.changes if c.changed)


def _comparison_warnings(
    before: PhotoAnalysis, after: PhotoAnalysis, alignment: Alignment, settings: BeforeAfterSettings
) -> list[str]:
    warnings: list[str] = []
    pb, pa = before.assessment.pose, after.assessment.pose
    for name, vb, va in (
        ("yaw", pb.yaw_deg, pa.yaw_deg),
        ("pitch", pb.pitch_deg, pa.pitch_deg),
        ("roll", pb.roll_deg, pa.roll_deg),
    ):
        if abs(va - vb) > settings.pose_warn_deg:
            warnings.append(
                f"The head {name} differs by {abs(va - vb):.1f} deg between the photos (more than "
                f"{settings.pose_warn_deg:g}); changes may come from the pose, not the treatment."
            )
    iris_full = iris_in_photo_px(before.mesh.landmarks_px) * before.image.scale_to_full
    if alignment.residual_rms_px > settings.residual_warn_iris_diameters * iris_full:
        warnings.append(
            f"The stable region aligns only to {alignment.residual_rms_px:.1f} px RMS; the photos may "
            "not show the same view or expression."
        )
    if before.assessment.calibration.method is not after.assessment.calibration.method:
        warnings.append(
            "The two photos are calibrated differently (iris and known distance); the population "
            "part of the iris uncertainty does not cancel."
        )
    if alignment.note:
        warnings.append(f"Alignment: {alignment.note}.")
    return warnings


def compare_analyses(
    before: PhotoAnalysis,
    after: PhotoAnalysis,
    *,
    mode: ComparisonMode = ComparisonMode.TRACKED,
    refine: bool = True,
    settings: BeforeAfterSettings | None = None,
) -> BeforeAfter:
    """Align two analysed photos and tabulate what changed.

    Parameters
    ----------
    before, after : PhotoAnalysis
        Frontal analyses of the same patient at two visits.
    mode : ComparisonMode
        See :class:`ComparisonMode` and :func:`measurement_changes`. ``TRACKED`` falls back to
        ``EACH_PHOTO`` (with a warning) when the tracking is not reliable.
    refine : bool
        Refine the alignment on image features (:func:`~facebalance.beforeafter.align.align_photos`).
    settings : BeforeAfterSettings, optional
        The comparison's limits (default: the packaged ``data/before_after_default.toml``).

    Examples
    --------
    ``before`` and ``after`` come from :func:`facebalance.analyze_photo`::

        result = compare_analyses(before, after)
        [c.id for c in result.changed]
    """
    limits = settings or default_settings()
    alignment = align_photos(before, after, refine=refine, settings=limits)
    warnings = _comparison_warnings(before, after, alignment, limits)
    tracking: Tracking | None = None
    used, after_measured, tracking_sigma = mode, after, None
    if mode is ComparisonMode.TRACKED:
        tracking = track_points(before, after, alignment, settings=limits)
        reason = tracking.reason
        if tracking.reliable:
            try:
                after_measured = reassess_with_points(after, tracking.points_after_px)
                tracking_sigma = tracking.sigma_px
            except FacebalanceError as exc:
                reason = f"the after photo could not be measured at the tracked points: {exc.message}"
        if tracking_sigma is None:
            used = ComparisonMode.EACH_PHOTO
            warnings.append(f"Tracking not used ({reason}); each photo's own mesh and calibration were compared.")
    return BeforeAfter(
        before_name=before.source_name,
        after_name=after.source_name,
        alignment=alignment,
        mode=used,
        requested_mode=mode,
        changes=measurement_changes(
            before,
            after_measured,
            mode=used,
            alignment=alignment,
            tracking_sigma_px=tracking_sigma,
            settings=limits,
        ),
        tracking=tracking,
        warnings=warnings,
        settings=limits,
    )
