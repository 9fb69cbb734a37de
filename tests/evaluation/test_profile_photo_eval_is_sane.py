"""The real-profile-photo evaluation reads the annotation as documented and reports every photo once."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from facebalance.evaluation.common import replace_section
from facebalance.evaluation.profile_photos import (
    EVALUATED,
    SECTION,
    PhotoResult,
    annotated_facing,
    markdown_section,
    read_annotation,
    run_profile_photo_eval,
)
from facebalance.profile.landmarks import ProfilePoint
from tests.shared_data import shared_path

PHOTOS = 3


def annotation_facing_right() -> np.ndarray:
    """A made-up annotation: nasion at (100, 100), chin at (100, 300), eye behind, nose tip in front."""
    pts = np.zeros((30, 2))
    pts[18] = (100.0, 100.0)  # point 19, nasion
    pts[8] = (100.0, 300.0)  # point 9, chin
    pts[12:18] = (60.0, 110.0)  # points 13-18, the eye
    pts[21] = (140.0, 160.0)  # point 22, nose tip
    return pts


def test_it_normalises_by_nasion_to_chin_and_signs_offsets_toward_the_face() -> None:
    pts = annotation_facing_right()
    assert annotated_facing(pts) == "right"
    # The located tip 4 px further forward and 2 px lower than annotated, on a 200 px face.
    result = PhotoResult("made_up", pts, {ProfilePoint.PRONASALE: pts[21] + (4.0, 2.0)}, view="profile_right")
    assert result.errors()[ProfilePoint.PRONASALE] == pytest.approx(np.hypot(4.0, 2.0) / 200.0)
    along, across = result.offsets()[ProfilePoint.PRONASALE]
    assert (along, across) == (pytest.approx(0.01), pytest.approx(0.02))
    mirrored = pts.copy()
    mirrored[:, 0] = 500.0 - mirrored[:, 0]
    left = PhotoResult("made_up", mirrored, {ProfilePoint.PRONASALE: mirrored[21] + (-4.0, 2.0)}, view="profile_left")
    assert left.offsets()[ProfilePoint.PRONASALE] == (pytest.approx(0.01), pytest.approx(0.02))


def test_it_refuses_an_annotation_without_30_points(tmp_path: Path) -> None:
    bad = tmp_path / "x.txt"
    bad.write_text("1,2\n3,4\n")
    with pytest.raises(ValueError, match="30"):
        read_annotation(bad)


@pytest.fixture(scope="module")
def small_run() -> tuple[dict, list[PhotoResult]]:
    return run_profile_photo_eval(
        shared_path("cfp_profile_dev"), limit=PHOTOS, console=Console(file=io.StringIO(), width=200)
    )


def test_it_accounts_for_every_photo(small_run: tuple[dict, list[PhotoResult]]) -> None:
    summary, results = small_run
    assert summary["photos"] == len(results) == PHOTOS
    assert summary["read"] + sum(summary["refused"].values()) == PHOTOS
    for name, entry in summary["landmarks"].items():
        assert entry["n"] + entry["not_located"] == summary["read"], name


def test_its_section_names_the_command_and_every_point(small_run: tuple[dict, list[PhotoResult]]) -> None:
    summary, _ = small_run
    section = markdown_section(summary, "- command: `facebalance eval profile-photos --dataset D`")
    assert "facebalance eval profile-photos" in section and "read:" in section
    for p in EVALUATED:
        assert f"| {p.value} |" in section
    assert SECTION in replace_section("", SECTION, section)
