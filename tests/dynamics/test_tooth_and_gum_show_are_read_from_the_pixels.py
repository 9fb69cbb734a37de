"""Tooth and gum show on the smile are read from the peak frame: exact on a drawn mouth, present on a real
toothy smile, absent on a closed-lip smile."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from facebalance.anatomy.calibration import Calibration, CalibrationMethod
from facebalance.anatomy.landmarks import SIDES
from facebalance.dynamics.metrics import MovementScale
from facebalance.dynamics.teeth import tooth_and_gum_show
from facebalance.vision import FaceLandmarker
from tests.shared_data import shared_path

SCALE = MovementScale(Calibration(0.1, 0.03, CalibrationMethod.KNOWN_DISTANCE, "test"), noise_px=0.5)
SKIN, LIP, GUM, TOOTH, CAVITY = (205, 160, 140), (150, 70, 80), (235, 130, 150), (240, 238, 228), (40, 20, 25)


def drawn_mouth(gum_px: int, tooth_px: int) -> tuple[np.ndarray, np.ndarray]:
    """A mouth drawn in rows: skin, upper lip, gum band, teeth, cavity, lower lip; and a mesh pointing at it."""
    rgb = np.zeros((300, 300, 3), np.uint8)
    rgb[:] = SKIN
    rows = [
        (100, 130, LIP),
        (130, 130 + gum_px, GUM),
        (130 + gum_px, 130 + gum_px + tooth_px, TOOTH),
        (130 + gum_px + tooth_px, 190, CAVITY),
        (190, 215, LIP),
    ]
    for top, bottom, colour in rows:
        rgb[top:bottom, 60:240] = colour
    mesh = np.zeros((478, 3))
    mesh[0] = (150, 100, 0)  # labrale superius
    mesh[17] = (150, 215, 0)  # labrale inferius
    mesh[13] = (150, 130, 0)  # inner upper lip, midline
    mesh[14] = (150, 190, 0)  # inner lower lip, midline
    for side, x in (("right", 110), ("left", 190)):
        pts = SIDES[side]
        mesh[pts.cupids_bow_peak] = (x, 102, 0)
        mesh[pts.upper_lip_inner_canine] = (x, 130, 0)
        mesh[pts.lower_lip_inner_canine] = (x, 190, 0)
    return rgb, mesh


@pytest.mark.parametrize(("gum_px", "tooth_px"), [(0, 40), (25, 35), (30, 20)])
def test_it_measures_drawn_tooth_and_gum_bands_exactly(gum_px: int, tooth_px: int) -> None:
    rgb, mesh = drawn_mouth(gum_px, tooth_px)
    tooth, gum = tooth_and_gum_show(rgb, mesh, SCALE)
    for side in ("right", "left"):
        assert tooth.side(side) is not None and gum.side(side) is not None
        assert tooth.side(side).value == pytest.approx(tooth_px * 0.1, abs=0.11)  # type: ignore[union-attr]
        assert gum.side(side).value == pytest.approx(gum_px * 0.1, abs=0.11)  # type: ignore[union-attr]


def test_it_reads_no_show_with_the_lips_closed() -> None:
    rgb, mesh = drawn_mouth(0, 0)
    for side in ("right", "left"):
        mesh[SIDES[side].lower_lip_inner_canine] = mesh[SIDES[side].upper_lip_inner_canine]
    tooth, gum = tooth_and_gum_show(rgb, mesh, SCALE)
    assert tooth.side("right").value == 0.0 and gum.side("left").value == 0.0  # type: ignore[union-attr]


@pytest.mark.parametrize(("photo", "teeth_shown"), [("096_08.jpg", True), ("001_08.jpg", False)])
def test_it_sees_teeth_only_on_a_toothy_smile(photo: str, teeth_shown: bool, landmarker: FaceLandmarker) -> None:
    rgb = np.asarray(Image.open(shared_path("london_frontal", "smiling", photo)).convert("RGB"))
    (face,) = landmarker.detect(rgb)
    tooth, _ = tooth_and_gum_show(rgb, face.landmarks_px, SCALE)
    shown = [tooth.side(s).value > 0.5 for s in ("right", "left")]  # type: ignore[union-attr]
    assert all(shown) if teeth_shown else not any(shown)
