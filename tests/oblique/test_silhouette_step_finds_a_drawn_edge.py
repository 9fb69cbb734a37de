"""The refinement moves a prior that is off by a few per cent of the face onto a drawn face's edge, to a
fraction of a pixel, whatever the photo's size (pure: arrays in, arrays out)."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.evaluation.obliques import distance_to_polyline
from facebalance.oblique.silhouette import refine_far_outline

#: A skin-coloured face on a blue-grey wall, with camera noise.
SKIN = (205, 160, 135)
WALL = (120, 135, 150)


def _drawn_face(size: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray, float]:
    """An ellipse 'face' (its right half is the far side), its exact right boundary, and its height."""
    h = w = size
    cy, cx, ry, rx = 0.5 * h, 0.45 * w, 0.35 * h, 0.22 * w
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    # Anti-aliased edge: the pixel's coverage from the signed distance to the ellipse.
    r = np.sqrt(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)
    coverage = np.clip(0.5 - (r - 1.0) * min(rx, ry), 0.0, 1.0)[..., None]
    rgb = coverage * np.array(SKIN) + (1 - coverage) * np.array(WALL)
    rgb += np.random.default_rng(seed).normal(0.0, 2.0, rgb.shape)
    t = np.linspace(-0.45 * np.pi, 0.45 * np.pi, 400)
    edge = np.column_stack([cx + rx * np.cos(t), cy + ry * np.sin(t)])
    return np.clip(rgb, 0, 255).astype(np.uint8), edge, 2 * ry


@pytest.mark.parametrize("size", [400, 1600])
def test_it_moves_an_inner_prior_onto_the_edge(size: int) -> None:
    rgb, edge, height = _drawn_face(size)
    centre = np.array([0.45 * size, 0.5 * size])
    prior = centre + (edge - centre) * 0.93  # 7 % inside
    refined = refine_far_outline(rgb, prior, scale_px=height)
    error = distance_to_polyline(refined.points_px[10:-10], edge)
    assert np.median(error) < 0.002 * height
    assert refined.edge_found_fraction > 0.95 and refined.in_frame.all()


def test_it_moves_an_outer_prior_onto_the_edge() -> None:
    rgb, edge, height = _drawn_face(800)
    centre = np.array([0.45 * 800, 0.5 * 800])
    prior = centre + (edge - centre) * 1.06  # 6 % outside
    refined = refine_far_outline(rgb, prior, scale_px=height)
    assert np.median(distance_to_polyline(refined.points_px[10:-10], edge)) < 0.002 * height
