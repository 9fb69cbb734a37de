"""`facebalance check-photos` writes per file the identified view, the pose and the named checks, says
which way to turn a head, and compares photos of one session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.errors import FacebalanceError
from facebalance.geometry.pose import HeadPose
from facebalance.session.photo_check import check_photo, check_session
from facebalance.session.protocol import load_protocol, parse_protocol
from facebalance.session.quality import pose_check
from facebalance.vision import FaceLandmarker
from tests.shared_data import shared_path

PROTOCOL = load_protocol()
LONDON = Path(__file__).parents[1] / "data" / "london"


def test_it_writes_the_view_pose_and_named_checks_per_file(tmp_path: Path) -> None:
    out = tmp_path / "checks.json"
    result = CliRunner().invoke(
        app, ["check-photos", str(LONDON / "001_03.jpg"), str(LONDON / "001_08.jpg"), "--json", str(out)]
    )
    # The smiling photo has the head turned 8 degrees: one photo fails, so the exit code is 1.
    assert result.exit_code == 1, result.output
    doc = json.loads(out.read_text())
    first, second = doc["photos"]
    pose = next(c for c in second["checks"] if c["name"] == "pose")
    assert "turn the head 8 degrees to the patient's left" in pose["message"]
    assert (first["view"], second["view"]) == ("frontal_rest", "frontal_smile")
    assert set(first["pose"]) == {"yaw_deg", "pitch_deg", "roll_deg"}
    names = {c["name"] for c in first["checks"]}
    assert {"pose", "face_size", "focus", "exposure", "expression", "eyes_open"} <= names
    for c in first["checks"]:
        assert c["status"] in ("pass", "warn", "fail", "skip")
        assert set(c) == {"name", "status", "value", "threshold", "message"}


@pytest.mark.parametrize(
    ("pose", "words"),
    [
        (HeadPose(-8.0, 0.0, 0.0), "turn the head 8 degrees to the patient's left"),
        (HeadPose(9.0, 0.0, 0.0), "turn the head 9 degrees to the patient's right"),
        (HeadPose(0.0, 14.0, 0.0), "lower the chin 14 degrees"),
        (HeadPose(0.0, -14.0, 0.0), "raise the chin 14 degrees"),
        (HeadPose(0.0, 0.0, 6.0), "toward the patient's right shoulder"),
    ],
)
def test_it_says_which_way_to_move_the_head(pose: HeadPose, words: str) -> None:
    check = pose_check(pose, PROTOCOL.view("frontal_rest"))
    assert check.status == "fail"
    assert words in check.message


def test_it_reads_a_real_turned_head_as_turned(landmarker: FaceLandmarker) -> None:
    # AFLW2000-3D image00081: the subject has turned about 18 deg to their right (AFLW yaw +17.9).
    turned = shared_path("aflw2000_pose", "image00081.jpg")
    result = check_photo(turned, protocol=PROTOCOL, landmarker=landmarker, view_id="frontal_rest")
    pose = next(c for c in result.checks if c.name == "pose")
    assert pose.status == "fail"
    assert "to the patient's left" in pose.message


def test_it_identifies_an_oblique_view(landmarker: FaceLandmarker) -> None:
    # image00516: turned about 36 deg (AFLW yaw -35.7): the patient's right side toward the camera.
    oblique = shared_path("aflw2000_pose", "image00516.jpg")
    result = check_photo(oblique, protocol=PROTOCOL, landmarker=landmarker)
    assert result.view_identified == "oblique_right"


def test_it_flags_a_photo_taken_from_another_distance(tmp_path: Path, landmarker: FaceLandmarker) -> None:
    base = Image.open(LONDON / "001_03.jpg").convert("RGB")
    near = tmp_path / "a.png"
    base.save(near)
    far = tmp_path / "b.png"
    small = base.resize((900, 900), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", base.size, (200, 200, 200))
    canvas.paste(small, (225, 225))
    canvas.save(far)
    third = tmp_path / "c.png"
    base.save(third)
    results = check_session([near, far, third], protocol=PROTOCOL, landmarker=landmarker)
    consistency = [next(c for c in r.checks if c.name == "consistency") for r in results]
    assert [c.status for c in consistency] == ["pass", "fail", "pass"]
    assert "smaller" in consistency[1].message


def test_it_refuses_a_protocol_without_sources() -> None:
    with pytest.raises(FacebalanceError, match="no source"):
        parse_protocol('[checks.focus]\nfail_below = 1\n[[view]]\nid = "x"\nyaw_deg = 0\nyaw_tolerance_deg = 5\n')


def test_it_refuses_an_unknown_view_on_the_command_line() -> None:
    result = CliRunner().invoke(app, ["check-photos", str(LONDON / "001_03.jpg"), "--view", "sideways"])
    assert result.exit_code == 2
    assert "no view 'sideways'" in result.output


def test_it_reads_a_profile_from_the_silhouette(landmarker: FaceLandmarker) -> None:
    # A lateral cephalogram (faces point right): no face mesh, so the view comes from the silhouette.
    lateral = shared_path("cephalograms", "images", "001.jpg")
    result = check_photo(lateral, protocol=PROTOCOL, landmarker=landmarker)
    assert result.view_identified == "profile_right"
    assert "silhouette" in result.view_reason
    names = {c.name: c.status for c in result.checks}
    assert names["face"] == "skip" and names["backdrop"] in ("pass", "warn", "fail")
