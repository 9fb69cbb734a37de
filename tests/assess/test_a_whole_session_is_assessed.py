"""A session of real photos (frontal at rest and smiling, both obliques, both profiles) goes through
``assess_session``: every view is analysed or refused with its reason, the five zones are there with their
"not assessed" lines, the frontal ruler is carried to the obliques and the profiles, and the document holds to
its own schema's keys and names the photos by their names only."""

from __future__ import annotations

import json

import pytest

from facebalance.assess import SessionAssessment, assess_session
from facebalance.assess.result import ASSESSMENT_ZONES
from facebalance.oblique.frame import view_from_yaw
from facebalance.report.session import (
    DOCUMENT_KEYS,
    SCHEMA,
    SCHEMA_VERSION,
    VIEW_KEYS,
    ZONE_KEYS,
    session_document,
    session_images,
)
from facebalance.session.protocol import load_protocol
from facebalance.vision import FaceLandmarker
from tests.assess.session_photos import OBLIQUE_LEFT, OBLIQUE_RIGHT, real_session, yaw_proxy_deg
from tests.shared_data import BUNDLED_LONDON, SHARED_DATA

PHOTO_VIEWS = ("frontal_rest", "frontal_smile", "oblique_left", "oblique_right", "profile_left", "profile_right")
VIEW_SCHEMAS = {
    "frontal": "facebalance.frontal_analysis",
    "oblique": "facebalance.oblique_analysis",
    "profile": "facebalance.profile_analysis",
}


@pytest.fixture(scope="module")
def session(landmarker: FaceLandmarker) -> SessionAssessment:
    """Every real photo analysed once for this module; the brow raise skipped with the clinic's reason."""
    return assess_session(
        real_session(), skipped={"brow_raise": "patient declined"}, sex="female", landmarker=landmarker
    )


def test_the_obliques_were_picked_by_the_sign_of_their_yaw() -> None:
    assert view_from_yaw(yaw_proxy_deg(OBLIQUE_LEFT)) == "oblique_left"
    assert view_from_yaw(yaw_proxy_deg(OBLIQUE_RIGHT)) == "oblique_right"


def test_it_gives_every_protocol_view_a_status(session: SessionAssessment) -> None:
    assert [v.view_id for v in session.views] == [v.id for v in load_protocol().views]
    for view in PHOTO_VIEWS:
        result = session.view(view)
        assert result.status in ("analysed", "refused"), view
        assert result.status == "analysed" or result.reason, f"{view} refused without a reason"
        assert result.name and "/" not in result.name
    assert session.view("frontal_rest").status == "analysed"


def test_it_keeps_the_reason_of_a_skipped_view(session: SessionAssessment) -> None:
    skipped = session.view("brow_raise")
    assert (skipped.status, skipped.reason) == ("skipped", "patient declined")
    lines = session.zone("symmetry_dynamics").not_assessed
    assert "not assessed: no usable brow raise photo (skipped: patient declined)" in lines


def test_a_missing_view_gets_the_exact_not_assessed_line(session: SessionAssessment) -> None:
    assert session.view("frown").status == "missing"
    assert (
        "not assessed: no usable frown photo (no photo of this view)" in session.zone("symmetry_dynamics").not_assessed
    )


def test_it_assesses_the_five_zones_in_order(session: SessionAssessment) -> None:
    assert tuple(z.zone for z in session.zones) == ASSESSMENT_ZONES
    for z in session.zones:
        for f in z.findings:
            assert f.views, f"{z.zone}: {f.finding.id} names no view"


def test_it_carries_the_frontal_ruler_to_the_obliques_and_profiles(session: SessionAssessment) -> None:
    scale = session.scale
    assert scale.ruler in ("iris", "marker", "known_ipd")
    assert scale.frontal_relative_uncertainty is not None
    carried = 0
    for view in ("oblique_left", "oblique_right", "profile_left", "profile_right"):
        if session.view(view).status != "analysed":
            continue
        vs = scale.of(view)
        assert vs is not None and vs.mm_per_px is not None and vs.relative_uncertainty is not None, view
        assert "frontal_carry_over" in vs.method, (view, vs.method)
        assert vs.relative_uncertainty >= scale.frontal_relative_uncertainty, view
        carried += 1
    assert carried >= 3


def test_the_document_holds_to_its_schema_and_names_photos_only(session: SessionAssessment) -> None:
    doc = session_document(session)
    text = json.dumps(doc)
    assert tuple(doc) == DOCUMENT_KEYS
    assert (doc["schema"], doc["schema_version"]) == (SCHEMA, SCHEMA_VERSION)
    for entry in doc["views"]:
        assert tuple(entry) == VIEW_KEYS
        if entry["document"] is not None:
            assert entry["document"]["schema"] == VIEW_SCHEMAS[entry["view_id"].split("_")[0]]
            assert entry["document"]["input"]["name"] == entry["name"]
    assert [tuple(z) for z in doc["zones"]] == [ZONE_KEYS] * 5
    assert all("views" in f for f in doc["findings"])
    assert set(doc["scale"]["views"]) == {v.view_id for v in session.views if v.analysis is not None}
    for folder in (BUNDLED_LONDON, SHARED_DATA, SHARED_DATA.resolve()):
        assert str(folder) not in text
    assert "w300_oblique_dev/" not in text and "cfp_profile_dev/" not in text


def test_it_draws_one_picture_per_analysed_view(session: SessionAssessment) -> None:
    images = session_images(session)
    assert set(images) == {v.view_id for v in session.views if v.analysis is not None}
    assert all(png.startswith(b"\x89PNG") for png in images.values())
