"""A cross-view finding of the session assessment reaches the planner through the session document and
proposes its answer: "chin before lips" is answered by chin support."""

from __future__ import annotations

from facebalance.assess.result import CarriedScale, SessionAssessment, SessionFinding, ViewResult
from facebalance.assess.zones import assemble_zones, load_zone_map
from facebalance.findings import Finding
from facebalance.planning import findings_from_session
from facebalance.report.session import session_document
from facebalance.zones.base import Zone
from tests.planning.planning_personas import intake, plan_for


def _session_with(finding_id: str) -> SessionAssessment:
    f = Finding(
        finding_id,
        "relationship",
        (Zone.LOWER_FACE, Zone.PROFILE),
        ("lower_face_ratio", "chin_projection_nasion_perpendicular_mm"),
        3.1,
        0.4,
        "mm",
        "",
        "facebalance working rule",
        None,
        "moderate",
        True,
        "From the front the lower lip and chin are short; from the side the chin lies back.",
        (),
    )
    found = (SessionFinding(f, ("frontal_rest", "profile_left"), "Chin projection before lip volume."),)
    views = (
        ViewResult("frontal_rest", "analysed", "", "front.jpg"),
        ViewResult("profile_left", "analysed", "", "side.jpg"),
    )
    return SessionAssessment(
        views=views,
        scale=CarriedScale("iris", 0.3, 0.04, ()),
        zones=assemble_zones(views, found, load_zone_map()),
        findings=found,
        dynamics=None,
    )


def test_chin_before_lips_is_answered_by_chin_support() -> None:
    findings, _ = findings_from_session(session_document(_session_with("session.chin_before_lips")))
    (finding,) = findings
    assert (finding.id, finding.source, finding.severity) == ("session.chin_before_lips", "session", "moderate")
    plan = plan_for(intake(), findings)
    assert "ha_chin" in plan.treatments
    assert "session finding session.chin_before_lips (moderate)" in plan.item("ha_chin").evidence


def test_flat_cheeks_against_a_dominant_nose_are_answered_by_cheek_support() -> None:
    findings, _ = findings_from_session(session_document(_session_with("session.nose_dominant_flat_cheeks")))
    plan = plan_for(intake(), findings)
    assert "ha_cheek" in plan.treatments
