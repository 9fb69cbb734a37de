"""The lower lip's vermilion border is read from the redness just inside the outline: a red lip ending 20 px
below the mesh's lower-lip point moves that point down 20 px; a grey photo leaves it where it was."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.profile.facefinder import midline_prior_table
from facebalance.profile.landmarks import MidlinePoint, MidlinePrior, ProfilePoint
from facebalance.profile.vermilion import lower_vermilion_border

SKIN = (200, 150, 130)
VERMILION = (170, 60, 70)
BACKDROP = (240, 240, 240)
#: The face's front edge (the outline) is the column x = 150; the tissue lies left of it.
EDGE_X = 150
#: The lower lip's vermilion ends here; the mesh put its lower-lip point 20 px higher.
BORDER_Y = 120
MESH_LI_Y = 100
#: Smoothing and the halfway threshold place the border within this many pixels.
BORDER_PX = 2.0


def photo(lip: tuple[int, int, int]) -> np.ndarray:
    rgb = np.zeros((240, 240, 3), dtype=np.uint8)
    rgb[:] = BACKDROP
    rgb[:, :EDGE_X] = SKIN
    rgb[80:BORDER_Y, :EDGE_X] = lip
    return rgb


def prior() -> MidlinePrior:
    def at(y: float) -> MidlinePoint:
        return MidlinePoint(xy=np.array([EDGE_X - 5.0, y]), silhouette_xy=np.array([float(EDGE_X), y]))

    points = {ProfilePoint.LABRALE_SUPERIUS: at(60.0), ProfilePoint.LABRALE_INFERIUS: at(MESH_LI_Y)}
    return MidlinePrior(points=points, reach_px=16.0, sigma_px=5.0, face_px=300.0, down=np.array([0.0, 1.0]))


def outline() -> np.ndarray:
    return np.column_stack([np.full(240, float(EDGE_X)), np.arange(240.0)])


def test_it_moves_the_lower_lip_to_the_vermilion_border() -> None:
    moved = lower_vermilion_border(photo(VERMILION), outline(), prior(), midline_prior_table()["vermilion"])
    li = moved.points[ProfilePoint.LABRALE_INFERIUS]
    assert li.xy[1] == pytest.approx(BORDER_Y, abs=BORDER_PX)
    assert li.xy[0] == pytest.approx(EDGE_X - 5.0)
    assert li.silhouette_xy[1] == pytest.approx(li.xy[1])
    assert moved.points[ProfilePoint.LABRALE_SUPERIUS].xy[1] == 60.0


def test_it_leaves_a_grey_photo_alone() -> None:
    grey = photo(VERMILION).mean(axis=2, keepdims=True).repeat(3, axis=2).astype(np.uint8)
    same = lower_vermilion_border(grey, outline(), prior(), midline_prior_table()["vermilion"])
    assert same.points[ProfilePoint.LABRALE_INFERIUS].xy[1] == MESH_LI_Y
