"""Metamorphic: a horizontal flip swaps the patient's left and right and negates signed deviations."""

from __future__ import annotations

from PIL import Image, ImageOps

from facebalance.analysis import PhotoAnalysis
from tests.engine.photo_variants import Analyse, sigma, values

# MediaPipe is not exactly mirror-equivariant: on the bundled photos its left/right disagreement with
# itself is up to about 1.2 mm, within one landmark's localisation noise; tolerances are each
# measurement's own reported one-sigma uncertainty.
PAIRS = [
    ("brow_height_left_mm", "brow_height_right_mm"),
    ("brow_height_medial_left_mm", "brow_height_medial_right_mm"),
    ("palpebral_fissure_width_left_mm", "palpebral_fissure_width_right_mm"),
    ("palpebral_fissure_height_left_mm", "palpebral_fissure_height_right_mm"),
]
SIGNED = [
    "brow_height_asymmetry_mm",
    "commissure_height_asymmetry_mm",
    "alar_asymmetry_mm",
    "nasal_tip_deviation_mm",
    "chin_deviation_mm",
]


def test_it_swaps_left_and_right_measurements(analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis) -> None:
    flipped = values(analyse(ImageOps.mirror(ada_image)))
    original = values(ada)
    for left, right in PAIRS:
        # Equal within the measurement's own one-sigma uncertainty.
        assert abs(flipped[left] - original[right]) <= sigma(ada, right), (left, flipped[left], original[right])
        assert abs(flipped[right] - original[left]) <= sigma(ada, left), (right, flipped[right], original[left])


def test_it_negates_signed_asymmetries_and_deviations(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis
) -> None:
    flipped = values(analyse(ImageOps.mirror(ada_image)))
    original = values(ada)
    for key in SIGNED:
        # Exact negation up to the measurement's own uncertainty.
        assert abs(flipped[key] + original[key]) <= sigma(ada, key), (key, flipped[key], original[key])


def test_it_negates_yaw_and_roll(analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis) -> None:
    flipped = analyse(ImageOps.mirror(ada_image)).assessment.pose
    pose = ada.assessment.pose
    assert abs(flipped.yaw_deg + pose.yaw_deg) < 1.5
    assert abs(flipped.roll_deg + pose.roll_deg) < 1.0
    assert abs(flipped.pitch_deg - pose.pitch_deg) < 1.5
