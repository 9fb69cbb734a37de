"""Metamorphic: a mirrored photo gives exactly the mirrored analysis (left and right swapped, signed
left-minus-right and midline values negated, yaw and roll negated), on each bundled London photo.

The face is found in the photo and in its mirror and the two detections averaged, and every point read
from the image is read symmetrically, so this holds to floating-point rounding, not only within noise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageOps

from facebalance.analysis import PhotoAnalysis
from facebalance.zones.base import Zone
from tests.engine.photo_variants import Analyse

#: "Exactly": floating-point rounding of millimetre, degree and ratio values.
EXACT = 1e-6


def swap_sides(name: str) -> str:
    return name.replace("right", "#").replace("left", "right").replace("#", "left")


@pytest.fixture(scope="module", params=["ada", "ben", "chloe"])
def pair(
    request: pytest.FixtureRequest,
    analyse: Analyse,
    patient_ada_photo: Path,
    patient_ben_photo: Path,
    patient_chloe_photo: Path,
) -> tuple[PhotoAnalysis, PhotoAnalysis]:
    photo = {"ada": patient_ada_photo, "ben": patient_ben_photo, "chloe": patient_chloe_photo}[request.param]
    image = Image.open(photo).convert("RGB")
    return analyse(image), analyse(ImageOps.mirror(image))


def test_it_swaps_left_and_right_and_negates_signed_values(pair: tuple[PhotoAnalysis, PhotoAnalysis]) -> None:
    original, mirrored = (p.assessment.measurements for p in pair)
    assert set(map(swap_sides, original)) == set(mirrored)
    for mid, m in original.items():
        other = mirrored[swap_sides(mid)]
        assert (m.value is None) == (other.value is None), mid
        if m.value is None or other.value is None:
            continue
        expected = -m.value if m.zone is Zone.SYMMETRY else m.value
        assert abs(other.value - expected) <= EXACT, (mid, m.value, other.value)
        assert abs((other.uncertainty or 0.0) - (m.uncertainty or 0.0)) <= EXACT, mid


def test_it_proposes_the_mirrored_findings(pair: tuple[PhotoAnalysis, PhotoAnalysis]) -> None:
    original, mirrored = (p.assessment.findings for p in pair)
    assert sorted(swap_sides(f.id) for f in original) == sorted(f.id for f in mirrored)


def test_it_negates_yaw_and_roll(pair: tuple[PhotoAnalysis, PhotoAnalysis]) -> None:
    pose, flipped = (p.assessment.pose for p in pair)
    assert abs(flipped.yaw_deg + pose.yaw_deg) <= EXACT
    assert abs(flipped.roll_deg + pose.roll_deg) <= EXACT
    assert abs(flipped.pitch_deg - pose.pitch_deg) <= EXACT
