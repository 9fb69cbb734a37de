"""The session assessment's entry point: every photo of a session in, one :class:`SessionAssessment` out.

:func:`assess_session` identifies each photo's view (the given one, else the protocol's view identification,
else a view id in the file name), analyses the frontal photo first (its ruler is the session's scale), then
the profiles (the frontal scale carried over, :mod:`facebalance.profile.calibration`) and the obliques (their
turned-iris ruler combined with the frontal carry-over, :mod:`facebalance.oblique.calibration`), runs the
dynamic assessment on the rest and expression photos, the cross-view relations, and sorts every finding into
the five zones (:mod:`facebalance.assess.zones`). One photo that cannot be read never stops the session: its
view is ``refused`` with the domain error's message and hint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from facebalance.assess.relations import ViewMeasurements, cross_view_findings, load_session_relations
from facebalance.assess.result import (
    SCALE_METHODS,
    CarriedScale,
    FrontalRuler,
    ScaleMethod,
    SessionAssessment,
    SessionFinding,
    SessionPhoto,
    ViewResult,
    ViewScale,
)
from facebalance.assess.series import REST_VIEW, expression_series
from facebalance.assess.zones import ZoneMap, assemble_zones, load_zone_map
from facebalance.errors import FacebalanceError
from facebalance.findings import Finding, FindingRules, load_finding_rules
from facebalance.norms import NormSet, load_norm_set
from facebalance.session.protocol import Protocol, load_protocol
from facebalance.vision import FaceLandmarker

if TYPE_CHECKING:
    from facebalance.dynamics.results import DynamicsResult
    from facebalance.photo import PhotoAnalysis

_NO_SKIPS: Mapping[str, str] = MappingProxyType({})
#: The frontal analysis's views (the rest photo is the session's ruler).
FRONTAL_VIEWS = ("frontal_rest", "frontal_smile")
OBLIQUE_VIEWS = ("oblique_left", "oblique_right")
PROFILE_VIEWS = ("profile_left", "profile_right")


def refusal(exc: FacebalanceError) -> str:
    """A domain error as a view's reason: its message and its hint.

    >>> refusal(FacebalanceError("No face was found.", hint="Retake it."))
    'No face was found. Retake it.'
    """
    return f"{exc.message} {exc.hint}".strip()


def _assigned_views(
    photos: Sequence[SessionPhoto],
    protocol: Protocol,
    landmarker: FaceLandmarker,
    progress: Callable[[str], None],
) -> tuple[dict[str, SessionPhoto], list[str]]:
    """Each photo's protocol view: the given one, else the identified one, else a view id in its name."""
    from facebalance.session.photo_check import _target_from_name, check_photo

    known = [v.id for v in protocol.views]
    assigned: dict[str, SessionPhoto] = {}
    notes: list[str] = []
    for photo in photos:
        view = photo.view_id
        if view is None:
            progress(f"identifying the view of {photo.name}")
            check = check_photo(photo.source, protocol=protocol, landmarker=landmarker, name=photo.name)
            by_name = _target_from_name(photo.name, protocol)
            identified = check.view_identified if check.view_identified in known else None
            view = identified or by_name
            if identified and by_name and identified != by_name:
                notes.append(
                    f"{photo.name}: the photo looks like {identified} ({check.view_reason}), its name says "
                    f"{by_name}; it was read as {identified}."
                )
            if view is None:
                notes.append(
                    f"{photo.name}: its view could not be identified ({check.view_reason}); it was not used. "
                    "Give it with --view VIEW=PATH, or name the file after its view (e.g. oblique_left.jpg)."
                )
                continue
        if view in assigned:
            notes.append(f"{photo.name}: a second photo of {view} (after {assigned[view].name}); it was not used.")
            continue
        assigned[view] = photo
    return assigned, notes


@dataclass
class _Models:
    """The models a session needs, opened once on first use and closed with the session."""

    stack: contextlib.ExitStack
    landmarker: FaceLandmarker
    _segmenter: Any = None
    _detector: Any = None

    def segmenter(self) -> Any:
        if self._segmenter is None:
            from facebalance.profile.segmentation import PersonSegmenter

            self._segmenter = self.stack.enter_context(PersonSegmenter())
        return self._segmenter

    def detector(self) -> Any:
        if self._detector is None:
            from facebalance.profile.facefinder import ProfileFaceDetector

            self._detector = self.stack.enter_context(ProfileFaceDetector())
        return self._detector


def _analyse(run: Callable[[], Any], view_id: str, photo: SessionPhoto) -> ViewResult:
    """One view's analysis; a refusal (or any failure) becomes the view's reason, never an exception."""
    try:
        analysis = run()
    except FacebalanceError as exc:
        return ViewResult(view_id, "refused", refusal(exc), photo.name)
    except Exception as exc:  # one photo never stops the session: the reason says what went wrong
        return ViewResult(
            view_id, "refused", f"The analysis failed unexpectedly ({type(exc).__name__}: {exc}).", photo.name
        )
    return ViewResult(view_id, "analysed", "", photo.name, analysis)


def _frontal_ruler(analysis: PhotoAnalysis | None) -> FrontalRuler:
    if analysis is None:
        return "none"
    ruler = analysis.assessment.calibration.ruler.value
    return "marker" if ruler == "marker" else "known_ipd" if ruler == "known_ipd" else "iris"


def carried_scale(views: Sequence[ViewResult]) -> CarriedScale:
    """The session's one scale: the frontal ruler and each analysed view's scale (per pixel of the photo as
    taken) with how it was obtained."""
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis

    by_id = {v.view_id: v for v in views}
    rest = by_id.get(REST_VIEW)
    frontal = rest.analysis if rest is not None and isinstance(rest.analysis, PhotoAnalysis) else None
    scales = []
    for v in views:
        a = v.analysis
        if isinstance(a, PhotoAnalysis):
            cal = a.assessment.calibration
            method: ScaleMethod = "frontal_ruler" if v.view_id == REST_VIEW else "own_ruler"
            scales.append(
                ViewScale(
                    v.view_id, cal.mm_per_px / a.image.scale_to_full, cal.relative_uncertainty, method, cal.detail
                )
            )
        elif isinstance(a, ObliqueAnalysis):
            oc = a.assessment.calibration
            if oc is None:
                scales.append(ViewScale(v.view_id, None, None, "none", "no scale: millimetre values not measured"))
            else:
                scales.append(
                    ViewScale(
                        v.view_id,
                        oc.mm_per_px / a.image.scale_to_full,
                        oc.relative_uncertainty,
                        _scale_method(a.scale_method),
                        oc.detail,
                    )
                )
        elif isinstance(a, ProfileAnalysis):
            ps = a.assessment.scale
            if ps is None:
                scales.append(ViewScale(v.view_id, None, None, "none", "no scale: millimetre values not measured"))
            else:
                carried: ScaleMethod = "frontal_carry_over" if ps.method.value == "frontal_carry_over" else "own_ruler"
                scales.append(
                    ViewScale(
                        v.view_id,
                        ps.calibration.mm_per_px / a.image.scale_to_full,
                        ps.calibration.relative_uncertainty,
                        carried,
                        ps.detail,
                    )
                )
    if frontal is None:
        return CarriedScale("none", None, None, tuple(scales))
    ruler = frontal.assessment.calibration
    return CarriedScale(
        ruler=_frontal_ruler(frontal),
        frontal_mm_per_px=ruler.mm_per_px / frontal.image.scale_to_full,
        frontal_relative_uncertainty=ruler.relative_uncertainty,
        views=tuple(scales),
    )


def _scale_method(method: str) -> ScaleMethod:
    for known in SCALE_METHODS:
        if method == known:
            return known
    return "own_ruler"


def view_findings(views: Sequence[ViewResult], zone_map: ZoneMap) -> list[SessionFinding]:
    """The analysed views' own findings, each with its view; one finding read on two views (both profiles, say)
    is listed once with both."""
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis

    merged: dict[str, tuple[Finding, list[str], str]] = {}
    for v in views:
        if v.view_id not in zone_map.finding_views:
            continue
        a = v.analysis
        found: list[tuple[Finding, str]] = []
        if isinstance(a, PhotoAnalysis | ObliqueAnalysis):
            found = [(f, "") for f in a.assessment.findings]
        elif isinstance(a, ProfileAnalysis):
            found = [(pf.finding, pf.intervention) for pf in a.assessment.findings]
        for f, intervention in found:
            if f.id in merged:
                merged[f.id][1].append(v.view_id)
            else:
                merged[f.id] = (f, [v.view_id], intervention)
    return [SessionFinding(f, tuple(vs), iv) for f, vs, iv in merged.values()]


def _measurements(views: Sequence[ViewResult], zone_map: ZoneMap) -> list[ViewMeasurements]:
    out = []
    for v in views:
        a = v.analysis
        if a is None or v.view_id not in zone_map.finding_views:
            continue
        out.append(ViewMeasurements(v.view_id, a.assessment.measurements, a.assessment.comparisons))
    return out


def _oblique_sides(
    views: Mapping[str, ViewResult], norms: NormSet, rules: FindingRules
) -> tuple[list[SessionFinding], list[str]]:
    """Left against right oblique: midface and jawline asymmetry findings, or why they were not compared."""
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.oblique.compare import compare_sides
    from facebalance.oblique.constants import load_oblique_constants

    left, right = views.get("oblique_left"), views.get("oblique_right")
    if left is None or right is None:
        return [], []
    a, b = left.analysis, right.analysis
    if not (isinstance(a, ObliqueAnalysis) and isinstance(b, ObliqueAnalysis)):
        return [], ["not assessed: midface and jawline asymmetry (needs both obliques analysed)"]
    comparison = compare_sides(
        a.assessment,
        b.assessment,
        norms=norms,
        rules=rules,
        max_turn_difference_deg=load_oblique_constants()["max_turn_difference_deg"].value,
    )
    if not comparison.compared:
        return [], [f"not assessed: midface and jawline asymmetry ({comparison.reason})"]
    return [SessionFinding(f, OBLIQUE_VIEWS) for f in comparison.findings], []


def _dynamics(
    assigned: Mapping[str, SessionPhoto],
    results: dict[str, ViewResult],
    protocol: Protocol,
    skipped: Mapping[str, str],
    norms: NormSet,
    progress: Callable[[str], None],
) -> tuple[DynamicsResult | None, str]:
    """The dynamic assessment of the rest and expression photos; each expression view gets its status."""
    from facebalance.dynamics import DynamicsOptions, assess_photos

    usable = {
        view: photo
        for view, photo in assigned.items()
        if view not in results or results[view].status == "analysed" or view not in FRONTAL_VIEWS
    }
    series = expression_series(usable, protocol, skipped=set(skipped))
    if not series:
        return None, "no rest and expression photos in the session"
    progress("dynamics: " + ", ".join(label for label, _ in series))
    view_of = {v.expression: v.id for v in protocol.views}
    try:
        result = assess_photos(
            [p.source for _, p in series],
            labels=[label for label, _ in series],
            options=DynamicsOptions(norms=norms),
        )
    except FacebalanceError as exc:
        reason = refusal(exc)
        for label, photo in series[1:]:
            view = view_of.get(label, label)
            if view not in results:
                results[view] = ViewResult(
                    view, "refused", f"The dynamic assessment refused the series: {reason}", photo.name
                )
        return None, reason
    for label, photo in series[1:]:
        view = view_of.get(label, label)
        if view not in results:
            results[view] = ViewResult(view, "analysed", "read by the dynamic assessment", photo.name)
    # The series named by its views, never by the photos' paths.
    source = ", ".join(REST_VIEW if label == "rest" else view_of.get(label, label) for label, _ in series)
    return replace(result, source=source), ""


def _dynamic_findings(result: DynamicsResult | None, protocol: Protocol) -> list[SessionFinding]:
    if result is None:
        return []
    view_of = {v.expression: v.id for v in protocol.views}
    out = []
    for f in result.findings:
        seen = (REST_VIEW,) if f.expression == "rest" else (REST_VIEW, view_of.get(f.expression, f.expression))
        out.append(SessionFinding(f, seen, f.action))
    return out


def assess_session(
    photos: Sequence[SessionPhoto],
    *,
    skipped: Mapping[str, str] = _NO_SKIPS,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms: NormSet | None = None,
    rules: FindingRules | None = None,
    protocol: Protocol | None = None,
    known_ipd_mm: float | None = None,
    landmarker: FaceLandmarker | None = None,
    progress: Callable[[str], None] | None = None,
) -> SessionAssessment:
    """Assess a whole photo session.

    Parameters
    ----------
    photos : sequence of SessionPhoto
        The session's photos, in any order; ``view_id=None`` photos are identified from the photo.
    skipped : mapping of str to str
        Views the clinic skipped, with the reason (``{"oblique_left": "patient declined"}``).
    sex : {"female", "male"}, optional
    ethnicity : str, optional
        Selects the norm population (``norms/data/populations.toml``).
    norms : NormSet, optional
        The norm set (a clinic's layered over the default); the default otherwise.
    rules : FindingRules, optional
        The frontal finding rules (a clinic's layered over the default); the default otherwise.
    protocol : Protocol, optional
        The photo protocol; the packaged default otherwise.
    known_ipd_mm : float, optional
        The clinic-measured interpupillary distance: the frontal ruler (replaces marker and iris).
    landmarker : FaceLandmarker, optional
        An open landmarker to reuse; one is opened and closed otherwise.
    progress : callable, optional
        Called with a short line before each step (``"oblique_left: oblique_left.jpg"``).

    Returns
    -------
    SessionAssessment

    Raises
    ------
    ValueError
        ``sex`` is not ``"female"``, ``"male"`` or ``None``, or a photo's or a skipped view is not in the
        protocol (the caller's mistake). A photo that cannot be read never raises: its view is ``refused`` with
        the reason.
    """
    from facebalance.analysis import analyze_photo
    from facebalance.oblique.analysis import analyze_oblique
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ViewLimits, analyze_profile

    if sex not in (None, "female", "male"):
        raise ValueError(f"sex must be 'female', 'male' or None, not {sex!r}")
    protocol = protocol or load_protocol()
    known = [v.id for v in protocol.views]
    for view in [*skipped, *(p.view_id for p in photos if p.view_id is not None)]:
        if view not in known:
            raise ValueError(f"{view!r} is not a view of the photo protocol; the views are: {', '.join(known)}.")
    norm_set = norms or load_norm_set()
    rules = rules or load_finding_rules()
    zone_map = load_zone_map()
    say = progress or (lambda _line: None)
    results: dict[str, ViewResult] = {}
    with contextlib.ExitStack() as stack:
        model = landmarker if landmarker is not None else stack.enter_context(FaceLandmarker())
        models = _Models(stack, model)
        assigned, notes = _assigned_views(photos, protocol, model, say)
        for view, reason in skipped.items():
            if view not in assigned:
                results[view] = ViewResult(view, "skipped", reason, "")
            else:
                notes.append(
                    f"{view} was marked skipped ({reason}) but has a photo ({assigned[view].name}): it was analysed."
                )
        common: dict[str, Any] = {"sex": sex, "ethnicity": ethnicity, "norms": norm_set, "landmarker": model}

        def run(views: tuple[str, ...], analyse: Callable[..., Any], **options: Any) -> None:
            for view in views:
                if view in assigned:
                    photo = assigned[view]
                    say(f"{view}: {photo.name}")
                    results[view] = _analyse(partial(analyse, photo.source, **common, **options), view, photo)

        run(FRONTAL_VIEWS, analyze_photo, rules=rules, known_ipd_mm=known_ipd_mm)
        rest = results.get(REST_VIEW)
        frontal = rest.analysis if rest is not None and isinstance(rest.analysis, PhotoAnalysis) else None
        run(OBLIQUE_VIEWS, analyze_oblique, rules=rules, frontal=frontal)
        if any(view in assigned for view in PROFILE_VIEWS):
            run(
                PROFILE_VIEWS,
                analyze_profile,
                frontal=frontal,
                segmenter=models.segmenter(),
                detector=models.detector(),
                limits=ViewLimits.of(protocol),
            )
        dynamics, dynamics_reason = _dynamics(assigned, results, protocol, skipped, norm_set, say)
    for view, photo in assigned.items():
        if view not in results:
            results[view] = ViewResult(
                view,
                "missing",
                "not read: an expression photo is read with the rest photo by the dynamic assessment",
                photo.name,
            )
    for view in known:
        results.setdefault(view, ViewResult(view, "missing", "no photo of this view", ""))
    for view, r in results.items():
        a = r.analysis
        facing = getattr(a, "view", view)
        if a is not None and view in (*OBLIQUE_VIEWS, *PROFILE_VIEWS) and facing != view:
            notes.append(f"{r.name} was given as {view} but reads as {facing}; check the photo's view.")
    views = tuple(results[v] for v in known)
    say("cross-view relations and zones")
    findings = view_findings(views, zone_map)
    side_findings, side_notes = _oblique_sides(results, norm_set, rules)
    findings += side_findings
    findings += cross_view_findings(_measurements(views, zone_map), rules, sex=sex, ethnicity=ethnicity)
    findings += _dynamic_findings(dynamics, protocol)
    extra = {"symmetry_dynamics": side_notes}
    if dynamics is None:
        extra["symmetry_dynamics"] = [*side_notes, f"not assessed: movement ({dynamics_reason})"]
    return SessionAssessment(
        views=views,
        scale=carried_scale(views),
        zones=assemble_zones(views, findings, zone_map, extra_not_assessed=extra),
        findings=tuple(findings),
        dynamics=dynamics,
        dynamics_reason=dynamics_reason,
        protocol=f"{protocol.name} {protocol.version}",
        relations_version=load_session_relations().version,
        warnings=tuple(notes),
    )
