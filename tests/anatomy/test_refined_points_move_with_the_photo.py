"""Metamorphic: points read from the photo follow the photo. Shifted by whole pixels they shift by exactly
as much; mirrored they are exactly the mirrored points with left and right swapped; enlarged twice they
land on the enlarged points to within a fraction of a pixel."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from facebalance.vision.mirror import mirror_landmarks, mirror_rotation, mirror_x
from tests.anatomy.refine_faces import Face, image_points, refine

#: Floating-point rounding, pixels.
EXACT_PX = 1e-6


def swap_sides(name: str) -> str:
    return name.replace("right", "#").replace("left", "right").replace("#", "left")


@pytest.mark.parametrize("shift", [(7, 0), (0, -5), (11, 13)])
def test_a_shifted_photo_shifts_every_point_by_the_shift(ada_face: Face, shift: tuple[int, int]) -> None:
    dx, dy = shift
    h, w = ada_face.rgb.shape[:2]
    shifted = np.zeros((h + 20, w + 20, 3), dtype=np.uint8)
    shifted[dy + 7 : dy + 7 + h, dx + 7 : dx + 7 + w] = ada_face.rgb
    moved = ada_face.landmarks_px + np.array([dx + 7, dy + 7, 0.0])
    before_frame, after_frame = ada_face.frame(), ada_face.frame(moved)
    before = image_points(before_frame, refine(ada_face.rgb, before_frame, ada_face.iris_px))
    after_refined = refine(shifted, after_frame, ada_face.iris_px)
    after = image_points(after_frame, after_refined)
    assert sum(p.refined for p in after_refined.values()) >= 8
    for name, xy in before.items():
        assert np.allclose(after[name], xy + np.array([dx + 7, dy + 7]), atol=EXACT_PX), name


def test_a_mirrored_photo_gives_the_mirrored_points(ada_face: Face, ben_face: Face) -> None:
    for face in (ada_face, ben_face):
        width = face.rgb.shape[1]
        frame = face.frame()
        mirrored_frame = face.frame(mirror_landmarks(face.landmarks_px, width), mirror_rotation(face.rotation))
        original = refine(face.rgb, frame, face.iris_px)
        mirrored = refine(np.ascontiguousarray(face.rgb[:, ::-1]), mirrored_frame, face.iris_px)
        assert {swap_sides(n) for n in original} == set(mirrored)
        for name, point in original.items():
            other = mirrored[swap_sides(name)]
            assert other.refined == point.refined and other.method == point.method, name
            # The head frame's x points to the patient's left in both photos: mirrored points negate x.
            assert np.allclose(other.xy, point.xy * (-1.0, 1.0), atol=EXACT_PX), name
        original_px, mirrored_px = image_points(frame, original), image_points(mirrored_frame, mirrored)
        for name, xy in original_px.items():
            assert np.allclose(mirrored_px[swap_sides(name)], (mirror_x(xy[0], width), xy[1]), atol=EXACT_PX), name


def test_a_photo_enlarged_twice_gives_the_enlarged_points(ada_face: Face) -> None:
    h, w = ada_face.rgb.shape[:2]
    big = np.asarray(Image.fromarray(ada_face.rgb).resize((2 * w, 2 * h), Image.Resampling.BICUBIC))
    # Pixel-centred coordinates: pixel c of the photo covers pixels 2c and 2c + 1 of the enlarged one.
    scaled = ada_face.landmarks_px * np.array([2.0, 2.0, 2.0]) + np.array([0.5, 0.5, 0.0])
    frame, big_frame = ada_face.frame(), ada_face.frame(scaled)
    small = refine(ada_face.rgb, frame, ada_face.iris_px)
    large = refine(big, big_frame, 2 * ada_face.iris_px)
    small_px, large_px = image_points(frame, small), image_points(big_frame, large)
    for name, xy in small_px.items():
        assert large[name].refined == small[name].refined, name
        # Within half a pixel of the photo (a quarter of a millimetre here): the enlarged photo is smoother.
        assert np.linalg.norm((large_px[name] - 0.5) / 2 - xy) <= 0.5, (name, (large_px[name] - 0.5) / 2, xy)
