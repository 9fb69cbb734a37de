"""At capture, a three-quarter photo gets a far-side check: whether the oblique analysis reads its silhouette,
and what to do when it cannot."""

from __future__ import annotations

from facebalance.session.photo_check import check_photo
from facebalance.session.protocol import load_protocol
from facebalance.vision import FaceLandmarker
from tests.shared_data import shared_path


def test_a_readable_oblique_passes(landmarker: FaceLandmarker) -> None:
    result = check_photo(
        shared_path("w300_oblique_dev", "10406776_1.jpg"), protocol=load_protocol(), landmarker=landmarker
    )
    assert result.view_identified == "oblique_left"
    far = next(c for c in result.checks if c.name == "far_side")
    assert far.status == "pass" and "right cheek" in far.message


def test_a_profile_taken_for_an_oblique_warns_saying_why(landmarker: FaceLandmarker) -> None:
    result = check_photo(
        shared_path("cfp_profile_dev", "002_profile_01.jpg"),
        protocol=load_protocol(),
        landmarker=landmarker,
        view_id="oblique_right",
    )
    far = next(c for c in result.checks if c.name == "far_side")
    assert far.status == "warn" and "hidden behind the nose" in far.message and "45 degrees" in far.message
