"""Two oblique results compared (pure): left against right, and a later session against an earlier one.

A single oblique photo has no population norm for the depths and convexities of its far-side silhouette
(``norms/data/oblique_default.toml`` says why), so its contours are judged against the patient's own:

* :func:`compare_sides`: the patient's left cheek (read on the ``oblique_right`` photo) against the right
  cheek (read on the ``oblique_left`` photo): **midface asymmetry** (ogee convexity, submalar depth, cheek
  apex height) and **jawline asymmetry** (prejowl sulcus depth), and the temple. Each difference is left minus
  right, in millimetres, with the two measurements' uncertainties combined in quadrature.
* :func:`compare_sessions`: the same side in two sessions: each measurement's change, later minus earlier.

Findings are conservative: a difference is proposed as a finding only when it is at least the norm set's
threshold (``[[threshold]]`` rows, by asymmetry id) **and** beyond twice its uncertainty. The far-side
silhouette is a different section of the face at a different turn, so two photos are compared only when
their heads are turned alike (``max_turn_difference_deg`` in ``data/oblique.toml``); otherwise the comparison
says why it was not made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from facebalance.findings import Finding, FindingRules, compare_to_norm, derive_findings
from facebalance.norms import NormSet
from facebalance.oblique.assessment import ObliqueAssessment
from facebalance.zones.base import Measurement, Unit, Zone

#: Single-photo measurement id -> the id of its left-minus-right difference (and of its noticed threshold).
ASYMMETRY_IDS: dict[str, str] = {
    "ogee_convexity_mm": "ogee_convexity_asymmetry_mm",
    "submalar_depth_mm": "submalar_depth_asymmetry_mm",
    "cheek_apex_below_lateral_canthus_mm": "cheek_apex_height_asymmetry_mm",
    "prejowl_sulcus_depth_mm": "prejowl_sulcus_depth_asymmetry_mm",
    "temple_concavity_mm": "temple_concavity_asymmetry_mm",
}
#: What each difference tells: midface or jawline asymmetry, or the temple.
ASYMMETRY_REGION: dict[str, str] = {
    "ogee_convexity_asymmetry_mm": "midface",
    "submalar_depth_asymmetry_mm": "midface",
    "cheek_apex_height_asymmetry_mm": "midface",
    "prejowl_sulcus_depth_asymmetry_mm": "jawline",
    "temple_concavity_asymmetry_mm": "temple",
}


@dataclass(frozen=True)
class ObliqueComparison:
    """Two oblique results compared.

    Attributes
    ----------
    kind : {"sides", "sessions"}
    compared : bool
        False when the two photos cannot be compared; ``reason`` says why and nothing else is filled.
    measurements : dict of str to Measurement
        Differences (left minus right, or later minus earlier), by id.
    findings : list of Finding
        Differences at or beyond their threshold and beyond twice their uncertainty.
    yaw_deg : tuple of float
        The two photos' turns as taken (left side's and right side's, or earlier and later).
    """

    kind: Literal["sides", "sessions"]
    compared: bool
    reason: str
    measurements: dict[str, Measurement]
    findings: list[Finding]
    yaw_deg: tuple[float, float]


def _difference(
    id_: str, label: str, first: Measurement, second: Measurement, zone: Zone, points: tuple[str, ...]
) -> Measurement:
    """``first - second`` with their uncertainties in quadrature."""
    if first.value is None or second.value is None:
        reason = first.reason or second.reason or "not measured"
        return Measurement(id_, zone, None, None, first.unit, label, (), reason)
    value = first.value - second.value
    sigma = math.hypot(first.uncertainty or 0.0, second.uncertainty or 0.0)
    return Measurement(id_, zone, value, sigma, first.unit, label, points)


def _turned_alike(a: float, b: float, max_difference_deg: float) -> str:
    if abs(abs(a) - abs(b)) > max_difference_deg:
        return (
            f"the heads are turned differently ({abs(a):.0f} and {abs(b):.0f} deg; at most "
            f"{max_difference_deg:g} deg apart): the silhouettes are different sections of the face"
        )
    return ""


def compare_sides(
    first: ObliqueAssessment,
    second: ObliqueAssessment,
    *,
    norms: NormSet,
    rules: FindingRules,
    max_turn_difference_deg: float,
) -> ObliqueComparison:
    """Midface and jawline asymmetry from the two obliques of one session (in either order).

    Parameters
    ----------
    first, second : ObliqueAssessment
        One ``oblique_right`` (the patient's left cheek read) and one ``oblique_left`` result.
    norms : NormSet
        Holds the noticed thresholds of the asymmetry ids (:data:`ASYMMETRY_IDS`).
    rules : FindingRules
        Severity bands.
    max_turn_difference_deg : float
        The two photos' absolute yaws may differ by at most this.

    Examples
    --------
    See ``tests/oblique/test_sides_compare_left_minus_right.py``.
    """
    yaws = (first.yaw_deg, second.yaw_deg)
    if {first.side, second.side} != {"left", "right"}:
        return ObliqueComparison(
            "sides",
            False,
            f"both photos show the {first.side} cheek; a left and a right oblique are needed",
            {},
            [],
            yaws,
        )
    left, right = (first, second) if first.side == "left" else (second, first)
    yaws = (left.yaw_deg, right.yaw_deg)
    reason = _turned_alike(left.yaw_deg, right.yaw_deg, max_turn_difference_deg)
    if reason:
        return ObliqueComparison("sides", False, reason, {}, [], yaws)
    out: dict[str, Measurement] = {}
    for base, aid in ASYMMETRY_IDS.items():
        m_left, m_right = left.measurements.get(base), right.measurements.get(base)
        if m_left is None or m_right is None:
            continue
        label = f"{m_left.label}: left minus right ({ASYMMETRY_REGION[aid]} asymmetry)"
        points = tuple(f"{p}_left" for p in m_left.points) + tuple(f"{p}_right" for p in m_right.points)
        out[aid] = _difference(aid, label, m_left, m_right, Zone.SYMMETRY, points)
    return ObliqueComparison("sides", True, "", out, _conservative(out, norms, rules), yaws)


def compare_sessions(
    earlier: ObliqueAssessment,
    later: ObliqueAssessment,
    *,
    norms: NormSet,
    rules: FindingRules,
    max_turn_difference_deg: float,
) -> ObliqueComparison:
    """Change of one side's oblique measurements between two sessions (later minus earlier).

    A change is a finding when it is at least the noticed threshold of the same measurement's side-to-side
    difference and beyond twice its uncertainty.
    """
    yaws = (earlier.yaw_deg, later.yaw_deg)
    if earlier.side != later.side:
        return ObliqueComparison(
            "sessions",
            False,
            f"the sessions show different cheeks ({earlier.side} and {later.side}); compare the same oblique view",
            {},
            [],
            yaws,
        )
    reason = _turned_alike(earlier.yaw_deg, later.yaw_deg, max_turn_difference_deg)
    if reason:
        return ObliqueComparison("sessions", False, reason, {}, [], yaws)
    out: dict[str, Measurement] = {}
    for base, m_later in later.measurements.items():
        m_earlier = earlier.measurements.get(base)
        if m_earlier is None or m_later.unit is not Unit.MM:
            continue
        cid = base.removesuffix("_mm") + "_change_mm"
        label = f"{m_later.label}: {later.side} side, change since the earlier session"
        out[cid] = _difference(cid, label, m_later, m_earlier, m_later.zone, m_later.points)
    findings = []
    for base, cid in ((b, b.removesuffix("_mm") + "_change_mm") for b in ASYMMETRY_IDS):
        m = out.get(cid)
        threshold = norms.thresholds.get(ASYMMETRY_IDS[base])
        if m is None or m.value is None or threshold is None:
            continue
        size = abs(m.value) / threshold.noticed_at
        severity = rules.asymmetry.grade(size)
        sigma = m.uncertainty or 0.0
        if severity is None or abs(m.value) - 2 * sigma < threshold.noticed_at:
            continue
        findings.append(
            Finding(
                id=f"{cid}_noticeable",
                kind="change",
                zones=(m.zone,),
                measurements=(cid,),
                value=m.value,
                uncertainty=m.uncertainty,
                unit="mm",
                norm=f"change noticed at {threshold.noticed_at:g} mm",
                source=threshold.source,
                deviation=size,
                severity=severity,
                beyond_uncertainty=True,
                sentence=(
                    f"{m.label}: {m.value:+.1f} ± {sigma:.1f} mm, beyond the {threshold.noticed_at:g} mm threshold "
                    "and twice its uncertainty."
                ),
                points=m.points,
            )
        )
    return ObliqueComparison("sessions", True, "", out, findings, yaws)


def _conservative(measurements: dict[str, Measurement], norms: NormSet, rules: FindingRules) -> list[Finding]:
    """Noticed-asymmetry findings of the engine, kept only when beyond twice their uncertainty."""
    bands_only = replace(rules, relations=())
    with_threshold = {k: m for k, m in measurements.items() if k in norms.thresholds}
    comparisons = {k: compare_to_norm(m, None) for k, m in with_threshold.items()}
    return [f for f in derive_findings(with_threshold, comparisons, norms, bands_only) if f.beyond_uncertainty]
