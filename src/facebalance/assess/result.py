"""The session assessment's result types (pure dataclasses, no I/O).

A session is the photo protocol's views (``session/data/protocol_default.toml``: ``frontal_rest``,
``frontal_smile``, ``oblique_left``/``right``, ``profile_left``/``right``, ``brow_raise``, ``frown``,
``eye_closure``, ``pucker``). :func:`facebalance.assess.assess_session` gives every protocol view one
:class:`ViewResult` (analysed, refused with the reason, missing or skipped with the clinic's reason), one
:class:`CarriedScale` (the frontal ruler carried to the other views), five :class:`ZoneAssessment` and the
findings of every view plus the cross-view ones, each with the views it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from facebalance.findings import Finding

if TYPE_CHECKING:
    from facebalance.dynamics.results import DynamicsResult
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis

#: What became of one protocol view.
ViewStatus = Literal["analysed", "refused", "missing", "skipped"]
VIEW_STATUSES: tuple[ViewStatus, ...] = ("analysed", "refused", "missing", "skipped")
#: The five zones of the session assessment, in the order the report shows them.
AssessmentZone = Literal["upper_face", "midface", "lower_face", "profile", "symmetry_dynamics"]
ASSESSMENT_ZONES: tuple[AssessmentZone, ...] = ("upper_face", "midface", "lower_face", "profile", "symmetry_dynamics")
#: The frontal ruler the session's scale starts from (``none``: no frontal photo was analysed).
FrontalRuler = Literal["iris", "marker", "known_ipd", "none"]
#: How one view got its millimetre scale.
ScaleMethod = Literal[
    "frontal_ruler",  # the frontal photo itself
    "frontal_carry_over",  # carried from the frontal photo through distances visible in both
    "own_ruler",  # the view's own ruler only (the oblique's turned iris)
    "own_ruler_and_frontal_carry_over",  # both, combined by inverse variance
    "none",  # no scale: millimetre values not measured
]
SCALE_METHODS: tuple[ScaleMethod, ...] = (
    "frontal_ruler",
    "frontal_carry_over",
    "own_ruler",
    "own_ruler_and_frontal_carry_over",
    "none",
)


@dataclass(frozen=True)
class SessionPhoto:
    """One photo of the session.

    Attributes
    ----------
    view_id : str or None
        The protocol view it was taken for (``"oblique_left"`` ...); ``None``: identified from the photo
        (the protocol's view identification, :func:`facebalance.session.photo_check.check_photo`, and failing
        that a view id in the file name, e.g. ``oblique_left.jpg``).
    source : Path or bytes
        The photo file, or its bytes.
    name : str
        The name shown in the results and documents (a file name, never a full path).
    """

    view_id: str | None
    source: Path | bytes
    name: str


@dataclass(frozen=True)
class ViewResult:
    """What became of one protocol view.

    Attributes
    ----------
    view_id : str
        The protocol view.
    status : {"analysed", "refused", "missing", "skipped"}
    reason : str
        ``refused``: the domain error's message and hint; ``skipped``: the clinic's reason; ``missing``:
        why no photo was used (none given, or only an unidentified one); ``analysed``: ``""`` or a note.
    name : str
        The photo's name (``""`` when missing or skipped without a photo).
    analysis : PhotoAnalysis, ObliqueAnalysis, ProfileAnalysis or None
        The view's own analysis when ``analysed`` (expression views other than the frontal smile are read by
        the dynamic assessment and keep ``None``).
    """

    view_id: str
    status: ViewStatus
    reason: str
    name: str
    analysis: PhotoAnalysis | ObliqueAnalysis | ProfileAnalysis | None = None

    @property
    def usable(self) -> bool:
        """Analysed with a result (or analysed as a photo of the dynamic series)."""
        return self.status == "analysed"


@dataclass(frozen=True)
class ViewScale:
    """One view's millimetre scale.

    Attributes
    ----------
    view_id : str
    mm_per_px : float or None
        Millimetres per pixel of that view's photo as taken (full resolution, upright); ``None`` when the view
        has no scale.
    relative_uncertainty : float or None
        One sigma, as a fraction of ``mm_per_px``; for a carried scale it includes the frontal ruler's.
    method : ScaleMethod
    detail : str
        How it was obtained, for the report.
    """

    view_id: str
    mm_per_px: float | None
    relative_uncertainty: float | None
    method: ScaleMethod
    detail: str


@dataclass(frozen=True)
class CarriedScale:
    """The session's one scale: the frontal ruler, and every analysed view's scale and how it was carried.

    Attributes
    ----------
    ruler : {"iris", "marker", "known_ipd", "none"}
        The frontal photo's ruler (its ``calibration.ruler``); ``none`` without an analysed frontal photo.
    frontal_mm_per_px, frontal_relative_uncertainty : float or None
        The frontal ruler's scale (per pixel of the frontal photo as taken) and its one-sigma relative
        uncertainty.
    views : tuple of ViewScale
        One per analysed view with a photo analysis, in protocol order.
    """

    ruler: FrontalRuler
    frontal_mm_per_px: float | None
    frontal_relative_uncertainty: float | None
    views: tuple[ViewScale, ...]

    def of(self, view_id: str) -> ViewScale | None:
        """The scale of one view, if it was analysed."""
        return next((v for v in self.views if v.view_id == view_id), None)


@dataclass(frozen=True)
class SessionFinding:
    """A proposed finding and the views it came from.

    Attributes
    ----------
    finding : Finding
        As the view's engine (or the cross-view relations, ids ``session.*``) wrote it.
    views : tuple of str
        The protocol views whose measurements it reads (``("profile_left", "oblique_right")`` ...).
    intervention : str
        The intervention order a relationship rule proposes (``""`` for none).
    """

    finding: Finding
    views: tuple[str, ...]
    intervention: str = ""


@dataclass(frozen=True)
class ZoneAssessment:
    """One of the five zones: its findings with their views, and what could not be assessed.

    Attributes
    ----------
    zone : {"upper_face", "midface", "lower_face", "profile", "symmetry_dynamics"}
    label : str
        The zone's name for the report.
    views : tuple of str
        The protocol views that inform it (``data/zones.toml``) and were analysed.
    findings : tuple of SessionFinding
    not_assessed : tuple of str
        One line per view the zone needs that was not usable, e.g. ``"not assessed: no usable left oblique
        photo (skipped: patient declined)"``.
    """

    zone: AssessmentZone
    label: str
    views: tuple[str, ...]
    findings: tuple[SessionFinding, ...]
    not_assessed: tuple[str, ...]


@dataclass(frozen=True)
class SessionAssessment:
    """The whole session's assessment.

    Attributes
    ----------
    views : tuple of ViewResult
        One per protocol view, in protocol order (then any photo whose view is not in the protocol).
    scale : CarriedScale
    zones : tuple of ZoneAssessment
        The five zones, in :data:`ASSESSMENT_ZONES` order.
    findings : tuple of SessionFinding
        Every view's findings plus the cross-view ones (``session.*``), each with its views.
    dynamics : DynamicsResult or None
        The dynamic assessment of the rest and expression photos, when the session has any.
    dynamics_reason : str
        Why there is no dynamic assessment (``""`` when there is one).
    protocol : str
        The protocol's name and version.
    relations_version : str
        The version of the cross-view relation rules.
    warnings : tuple of str
        Session-level notes (a photo whose view could not be identified, a second photo of one view ...).
    """

    views: tuple[ViewResult, ...]
    scale: CarriedScale
    zones: tuple[ZoneAssessment, ...]
    findings: tuple[SessionFinding, ...]
    dynamics: DynamicsResult | None
    dynamics_reason: str = ""
    protocol: str = ""
    relations_version: str = ""
    warnings: tuple[str, ...] = ()

    def view(self, view_id: str) -> ViewResult:
        """The result of one view.

        Raises
        ------
        KeyError
            The view is not in the session.
        """
        for v in self.views:
            if v.view_id == view_id:
                return v
        raise KeyError(view_id)

    def zone(self, zone: str) -> ZoneAssessment:
        """One zone's assessment.

        Raises
        ------
        KeyError
        """
        for z in self.zones:
            if z.zone == zone:
                return z
        raise KeyError(zone)

    @property
    def analysed(self) -> tuple[ViewResult, ...]:
        return tuple(v for v in self.views if v.status == "analysed")
