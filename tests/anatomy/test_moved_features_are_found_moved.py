"""Metamorphic: a lip border, a mouth corner, an eye corner or an ala moved in the photo by N pixels is
found N pixels away, with the mesh (the search's prior) left where it was, and the points that were not
moved stay put."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.anatomy.frame import HeadFrame
from tests.anatomy.refine_faces import Face, image_points, move_patch, refine

#: An edge (lip border, ala) is found to within this of where the edit moved it, pixels (0.15 mm here).
EDGE_TOLERANCE_PX = 0.5
#: A corner (the end of a dark line) to within this: it is read against the lightness around it, which the
#: edit itself shifts a little (0.3 mm here).
CORNER_TOLERANCE_PX = 1.0
#: Points outside the edit and its searches stay within this, pixels.
STAY_PUT_PX = 0.1


def _found(face: Face, frame: HeadFrame, rgb: np.ndarray) -> dict[str, np.ndarray]:
    points = refine(rgb, frame, face.iris_px)
    return {n: xy for n, xy in image_points(frame, points).items() if points[n].refined}


def _check(
    face: Face,
    name: str,
    box: tuple[np.ndarray, tuple[float, float]],
    shift: tuple[int, int],
    tolerance_px: float = EDGE_TOLERANCE_PX,
) -> None:
    frame = face.frame()
    before = _found(face, frame, face.rgb)
    assert name in before, f"{name} is not read from the unedited photo"
    after = _found(face, frame, move_patch(face.rgb, box[0], box[1], shift))
    assert np.allclose(after[name], before[name] + shift, atol=tolerance_px), (name, after[name] - before[name])
    centre, (half_x, half_y) = box
    reach = face.iris_px * 0.4  # beyond the edit and any search that could see it
    for other, xy in before.items():
        if abs(xy[0] - centre[0]) > half_x + reach or abs(xy[1] - centre[1]) > half_y + reach:
            # A tenth of a pixel: a border searched from a moved stomion samples a shifted profile grid.
            assert np.allclose(after[other], xy, atol=STAY_PUT_PX), (other, after[other] - xy)


@pytest.mark.parametrize("n_px", [3, 6])
def test_a_lowered_lower_lip_border_is_found_lowered(ada_face: Face, n_px: int) -> None:
    frame = ada_face.frame()
    points = image_points(frame, refine(ada_face.rgb, frame, ada_face.iris_px))
    d = ada_face.iris_px
    # The lower border with the lip above it and the skin below; stomion and the mouth corners stay outside.
    centre = points["labrale_inferius"]
    _check(ada_face, "labrale_inferius", (centre, (0.6 * d, 0.35 * d)), (0, n_px))


@pytest.mark.parametrize("n_px", [3, 6])
def test_a_raised_upper_lip_border_is_found_raised(ada_face: Face, n_px: int) -> None:
    frame = ada_face.frame()
    points = image_points(frame, refine(ada_face.rgb, frame, ada_face.iris_px))
    d = ada_face.iris_px
    _check(ada_face, "labrale_superius", (points["labrale_superius"], (0.6 * d, 0.3 * d)), (0, -n_px))


@pytest.mark.parametrize("n_px", [2, 4])
def test_a_widened_mouth_corner_is_found_widened(ada_face: Face, n_px: int) -> None:
    frame = ada_face.frame()
    points = image_points(frame, refine(ada_face.rgb, frame, ada_face.iris_px))
    d = ada_face.iris_px
    # The patient's left corner is on the image's right: moving it outward is +x.
    box = (points["cheilion_left"], (0.45 * d, 0.35 * d))
    _check(ada_face, "cheilion_left", box, (n_px, 0), CORNER_TOLERANCE_PX)


@pytest.mark.parametrize("n_px", [2, 4])
def test_a_medial_canthus_moved_toward_the_nose_is_found_moved(ada_face: Face, n_px: int) -> None:
    frame = ada_face.frame()
    points = image_points(frame, refine(ada_face.rgb, frame, ada_face.iris_px))
    d = ada_face.iris_px
    # The patient's right eye is on the image's left; its medial corner moves toward the nose: +x.
    box = (points["medial_canthus_right"], (0.45 * d, 0.35 * d))
    _check(ada_face, "medial_canthus_right", box, (n_px, 0), CORNER_TOLERANCE_PX)


@pytest.mark.parametrize("n_px", [3, 6])
def test_a_wider_ala_is_found_wider(ada_face: Face, n_px: int) -> None:
    frame = ada_face.frame()
    points = image_points(frame, refine(ada_face.rgb, frame, ada_face.iris_px))
    d = ada_face.iris_px
    _check(ada_face, "alare_right", (points["alare_right"], (0.45 * d, 0.4 * d)), (-n_px, 0))


@pytest.mark.parametrize("n_px", [2, 4])
def test_a_lowered_lip_contact_is_found_lowered(ada_face: Face, n_px: int) -> None:
    frame = ada_face.frame()
    points = image_points(frame, refine(ada_face.rgb, frame, ada_face.iris_px))
    d = ada_face.iris_px
    # The closed lips' fissure with a little of each lip around it; the vermilion borders stay outside.
    _check(ada_face, "stomion", (points["stomion"], (0.6 * d, 0.2 * d)), (0, n_px))


@pytest.mark.parametrize("n_px", [3, 6])
def test_a_lowered_chin_contour_is_found_lowered(ada_face: Face, n_px: int) -> None:
    frame = ada_face.frame()
    points = image_points(frame, refine(ada_face.rgb, frame, ada_face.iris_px))
    d = ada_face.iris_px
    _check(ada_face, "menton", (points["menton"], (0.8 * d, 0.5 * d)), (0, n_px))
