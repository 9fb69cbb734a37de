"""Cross-view relations on synthetic measurements (pure): a rule of ``assess/data/session_relations.toml``
fires only when every condition holds on the views' pooled measurements, names the views it read, and pools
the same quantity read on both profiles."""

from __future__ import annotations

from facebalance.assess.relations import ViewMeasurements, cross_view_findings, load_session_relations, pooled
from facebalance.findings import NormComparison, compare_to_norm, load_finding_rules
from facebalance.norms import Norm, load_norm_set
from facebalance.zones.base import Measurement, Unit, Zone

NORMS = load_norm_set()
RULES = load_finding_rules()


def _view(view_id: str, zone: Zone, **values: float) -> ViewMeasurements:
    measurements = {mid: Measurement(mid, zone, v, 0.3, Unit.MM, mid, ()) for mid, v in values.items()}
    comparisons: dict[str, NormComparison] = {
        mid: compare_to_norm(m, NORMS.select(mid, sex="female")) for mid, m in measurements.items()
    }
    return ViewMeasurements(view_id, measurements, comparisons)


def _norm(mid: str) -> Norm:
    norm = NORMS.select(mid, sex="female")
    assert norm is not None and norm.mean is not None and norm.sd is not None, mid
    return norm


def _below(mid: str) -> float:
    n = _norm(mid)
    return float(n.mean - 4 * n.sd)  # type: ignore[operator]


def _above(mid: str) -> float:
    n = _norm(mid)
    return float(n.mean + 4 * n.sd)  # type: ignore[operator]


def _within(mid: str) -> float:
    return float(_norm(mid).mean)  # type: ignore[arg-type]


def test_a_short_lower_face_from_the_front_and_a_recessed_chin_from_the_side_put_the_chin_first() -> None:
    front = _view("frontal_rest", Zone.LOWER_FACE, lower_face_ratio=_above("lower_face_ratio"))
    side = _view(
        "profile_left",
        Zone.PROFILE,
        chin_projection_nasion_perpendicular_mm=_below("chin_projection_nasion_perpendicular_mm"),
    )
    found = {f.finding.id: f for f in cross_view_findings([front, side], RULES, sex="female")}
    chin = found["session.chin_before_lips"]
    assert chin.views == ("frontal_rest", "profile_left")
    assert chin.intervention.startswith("Chin projection before lip volume")
    assert chin.finding.kind == "relationship"


def test_it_does_not_fire_when_the_chin_is_within_its_norm() -> None:
    front = _view("frontal_rest", Zone.LOWER_FACE, lower_face_ratio=_above("lower_face_ratio"))
    side = _view(
        "profile_left",
        Zone.PROFILE,
        chin_projection_nasion_perpendicular_mm=_within("chin_projection_nasion_perpendicular_mm"),
    )
    assert "session.chin_before_lips" not in {f.finding.id for f in cross_view_findings([front, side], RULES)}


def test_the_oblique_depths_are_judged_against_the_rule_files_working_limits() -> None:
    limits = load_session_relations().limits
    deep = {
        "submalar_depth_mm": limits.select("submalar_depth_mm", sex=None).high + 2.0,  # type: ignore[union-attr,operator]
        "prejowl_sulcus_depth_mm": limits.select("prejowl_sulcus_depth_mm", sex=None).high + 2.0,  # type: ignore[union-attr,operator]
    }
    oblique = ViewMeasurements(
        "oblique_right",
        {m: Measurement(m, Zone.MIDFACE, v, 0.3, Unit.MM, m, ()) for m, v in deep.items()},
        {m: NormComparison("no_norm", None, False, None) for m in deep},
    )
    (found,) = [f for f in cross_view_findings([oblique], RULES) if f.finding.id == "session.midface_before_jawline"]
    assert found.views == ("oblique_right",)


def test_both_profiles_pool_by_inverse_variance() -> None:
    a = Measurement("x_mm", Zone.PROFILE, 10.0, 1.0, Unit.MM, "x", ())
    b = Measurement("x_mm", Zone.PROFILE, 13.0, 2.0, Unit.MM, "x", ())
    m = pooled([a, b])
    assert m.value is not None and m.uncertainty is not None
    assert abs(m.value - (10.0 / 1 + 13.0 / 4) / (1 + 1 / 4)) < 1e-9
    assert m.uncertainty >= (1 / (1 + 1 / 4)) ** 0.5
