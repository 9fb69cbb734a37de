"""Each expression's key-frame picture holds the rest frame and its peak side by side, and the movement of each
followed point is drawn from where it was at rest to where it is at the peak, in the peak's panel."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from facebalance.report.dynamics_keyframes import (
    PANEL_HEIGHT_PX,
    crop_box,
    keyframe_picture,
    keyframe_pictures,
    panel_xy,
)

#: The drawn movement's colours (report/dynamics_keyframes.py): read from the image, from the mesh.
LINE_COLOURS = (np.array([40, 170, 60]), np.array([235, 140, 30]))


def test_every_expression_has_its_picture(pexels_result: Any) -> None:
    pictures = keyframe_pictures(pexels_result)
    assert set(pictures) == {-1, *range(len(pexels_result.expressions))}
    rest = Image.open(io.BytesIO(pictures[-1]))
    pair = Image.open(io.BytesIO(pictures[0]))
    assert rest.format == pair.format == "JPEG" and rest.height == pair.height == PANEL_HEIGHT_PX
    assert pair.width > 1.8 * rest.width  # the rest panel and the peak panel


def test_the_drawn_movement_ends_on_the_followed_points(pexels_result: Any) -> None:
    smile = next(e for e in pexels_result.expressions if e.name == "smile" and e.primary)
    picture = np.asarray(Image.open(io.BytesIO(keyframe_picture(pexels_result, smile) or b"")).convert("RGB"))
    rest = pexels_result.rest.peak_index
    left, top, right, bottom = crop_box(pexels_result.frames[rest], pexels_result.frame_points_px[rest])
    rest_panel_width = round((right - left) * PANEL_HEIGHT_PX / (bottom - top))
    peak = smile.peak_index
    vectors = pexels_result.peak_vectors_px[peak]
    assert vectors
    for ends in vectors.values():
        xy = panel_xy(pexels_result.frames[peak], pexels_result.frame_points_px[peak], ends)
        for x, y in xy:  # both ends of the drawn line carry its colour (orange: mesh, green: image)
            col, row = round(x) + rest_panel_width + 6, round(y)
            patch = picture[max(0, row - 2) : row + 3, max(0, col - 2) : col + 3].reshape(-1, 3).astype(float)
            distance = np.min([np.linalg.norm(patch - colour, axis=1) for colour in LINE_COLOURS], axis=0)
            assert distance.min() < 70, (x, y)  # the line's colour, through JPEG and over the lips
