"""The face mesh's midline prior moves subnasale, the lips and the nose tip from the silhouette to the midline
by the mesh's silhouette-to-midline offset, and falls back to the mesh's point where no outline is near."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.profile.geometry import resample_polyline
from facebalance.profile.landmarks import MidlinePoint, MidlinePrior, ProfilePoint, locate_landmarks

#: The stick-figure profile of locate_landmarks' example: forehead, nasion, nose, lips, chin.
XS = [0, 20, 14, 10, 60, 20, 24, 30, 24, 28, 24, 34, 28, -20, -25, -25]
YS = [0, 60, 95, 110, 170, 180, 200, 215, 225, 240, 255, 280, 300, 305, 340, 400]
#: How far in front of the midline the silhouette is formed (pixels, toward +x, the face's front).
OFFSET = np.array([5.0, 0.0])
#: The outline is resampled and lightly smoothed before the points are placed: within this many pixels.
PLACED_PX = 1.0


def outline() -> np.ndarray:
    return resample_polyline(np.column_stack([XS, YS]).astype(float), 1.0)


def prior_at(points: dict[ProfilePoint, MidlinePoint]) -> MidlinePrior:
    return MidlinePrior(points=points, reach_px=10.0, sigma_px=2.0, face_px=300.0)


def test_it_places_a_lip_on_the_midline() -> None:
    plain = locate_landmarks(outline())
    ls = plain.xy(ProfilePoint.LABRALE_SUPERIUS)
    prior = prior_at({ProfilePoint.LABRALE_SUPERIUS: MidlinePoint(xy=ls - OFFSET, silhouette_xy=ls)})
    placed = locate_landmarks(outline(), midline_prior=prior).points[ProfilePoint.LABRALE_SUPERIUS]
    assert placed.method.startswith("midline prior")
    assert np.hypot(*(placed.xy - (ls - OFFSET))) < PLACED_PX


def test_it_moves_the_nose_tip_back_by_the_offset_alone() -> None:
    plain = locate_landmarks(outline())
    prn = plain.xy(ProfilePoint.PRONASALE)
    # The mesh's own tip is far off (its weight is 0): only its offset counts.
    mesh_tip = prn + np.array([-30.0, 20.0])
    prior = prior_at({ProfilePoint.PRONASALE: MidlinePoint(mesh_tip, mesh_tip + OFFSET, mesh_weight=0.0)})
    moved = locate_landmarks(outline(), midline_prior=prior).xy(ProfilePoint.PRONASALE)
    assert moved == pytest.approx(prn - OFFSET, abs=1e-9)


def test_it_falls_back_to_the_mesh_point_where_no_outline_is_near() -> None:
    far = np.array([-200.0, 250.0])
    prior = prior_at({ProfilePoint.LABRALE_INFERIUS: MidlinePoint(xy=far, silhouette_xy=far + OFFSET)})
    placed = locate_landmarks(outline(), midline_prior=prior).points[ProfilePoint.LABRALE_INFERIUS]
    assert placed.method.startswith("fallback")
    assert placed.xy == pytest.approx(far)


def test_it_takes_the_columella_again_from_the_placed_subnasale() -> None:
    plain = locate_landmarks(outline())
    sn = plain.xy(ProfilePoint.SUBNASALE)
    behind = sn - np.array([6.0, -3.0])
    prior = prior_at({ProfilePoint.SUBNASALE: MidlinePoint(xy=behind, silhouette_xy=behind + OFFSET, mesh_weight=1.0)})
    lm = locate_landmarks(outline(), midline_prior=prior)
    placed, cm, prn = (lm.points[p] for p in (ProfilePoint.SUBNASALE, ProfilePoint.COLUMELLA, ProfilePoint.PRONASALE))
    assert placed.xy == pytest.approx(behind)
    # The tangent from the placed subnasale touches the nose's lower border at the columella point: every
    # point of that border lies on or above the line (the frame here is the image's: y down).
    border = lm.outline[prn.index : cm.index + 1] - placed.xy
    elevation = np.arctan2(-border[:, 1], border[:, 0])
    touch = np.arctan2(-(cm.xy - placed.xy)[1], (cm.xy - placed.xy)[0])
    assert elevation.min() >= touch - 1e-9
