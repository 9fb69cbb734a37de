"""The left/right partner of every mesh point is read from the vendored model's canonical face."""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.landmarks import BROW_UPPER_LEFT, BROW_UPPER_RIGHT, MIDLINE, Landmark
from facebalance.dynamics.tracker import BLENDSHAPE_NAMES
from facebalance.vision.mirror import mesh_mirror_map, mirror_blendshape_names, mirror_landmarks


def test_it_is_an_involution_over_all_478_points() -> None:
    m = mesh_mirror_map()
    assert m.shape == (478,)
    assert np.array_equal(m[m], np.arange(478))


def test_named_points_pair_with_their_other_side() -> None:
    m = mesh_mirror_map()
    pairs = [
        (Landmark.CHEILION_RIGHT, Landmark.CHEILION_LEFT),
        (Landmark.PUPIL_RIGHT, Landmark.PUPIL_LEFT),
        (Landmark.LATERAL_CANTHUS_RIGHT, Landmark.LATERAL_CANTHUS_LEFT),
        (Landmark.IRIS_RIGHT_LATERAL, Landmark.IRIS_LEFT_LATERAL),
        *zip(BROW_UPPER_RIGHT, BROW_UPPER_LEFT, strict=True),
    ]
    for right, left in pairs:
        assert m[right] == left and m[left] == right
    assert all(m[i] == i for i in MIDLINE)


def test_mirroring_twice_gives_the_points_back() -> None:
    pts = np.random.default_rng(0).uniform(0, 640, size=(478, 3))
    assert np.allclose(mirror_landmarks(mirror_landmarks(pts, 640), 640), pts, atol=1e-9)


def test_blendshapes_swap_left_and_right_names() -> None:
    partner = mirror_blendshape_names(BLENDSHAPE_NAMES)
    for i, name in enumerate(BLENDSHAPE_NAMES):
        other = BLENDSHAPE_NAMES[partner[i]]
        assert other == name.replace("Left", "#").replace("Right", "Left").replace("#", "Right")
