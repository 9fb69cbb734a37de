"""The mesh-to-iBUG table has one row per iBUG point, in order, and agrees with the named landmarks."""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.landmarks import Landmark
from facebalance.evaluation.lfpw import IBUG68_FROM_MESH, IBUG_POINT_COUNT, REGIONS, mesh_to_ibug68
from facebalance.vision.landmarker import MESH_POINT_COUNT


def test_it_has_one_row_per_ibug_point_in_order() -> None:
    assert [row.index for row in IBUG68_FROM_MESH] == list(range(IBUG_POINT_COUNT))
    assert all(1 <= len(row.mesh) <= 2 and all(0 <= v < MESH_POINT_COUNT for v in row.mesh) for row in IBUG68_FROM_MESH)


def test_its_regions_cover_every_point_once() -> None:
    covered = sorted(i for points in REGIONS.values() for i in points)

    assert covered == list(range(IBUG_POINT_COUNT))


def test_it_uses_the_engines_canthi_and_mouth_corners() -> None:
    by_index = {row.index: row.mesh for row in IBUG68_FROM_MESH}

    # iBUG "left" is image-left, the subject's right.
    assert by_index[36] == (Landmark.LATERAL_CANTHUS_RIGHT,)
    assert by_index[39] == (Landmark.MEDIAL_CANTHUS_RIGHT,)
    assert by_index[42] == (Landmark.MEDIAL_CANTHUS_LEFT,)
    assert by_index[45] == (Landmark.LATERAL_CANTHUS_LEFT,)
    assert by_index[48] == (Landmark.CHEILION_RIGHT,)
    assert by_index[54] == (Landmark.CHEILION_LEFT,)
    assert by_index[8] == (Landmark.MENTON,)


def test_it_averages_two_vertices_where_two_are_given() -> None:
    mesh = np.zeros((MESH_POINT_COUNT, 3))
    mesh[168] = (10.0, 20.0, 0.0)
    mesh[6] = (30.0, 40.0, 0.0)

    assert mesh_to_ibug68(mesh)[27].tolist() == [20.0, 30.0]
