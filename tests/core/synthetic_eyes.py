"""Rendered eyes with a known limbus: iris, pupil, sclera, lids with lashes, blur and noise.

Each eye is drawn at 8x resolution and averaged down (area), so edges are anti-aliased as a camera
would record them; the iris's visible border is then exactly the disc of the given radius.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from facebalance.anatomy.limbus import EyeOutline, LimbusLimits
from facebalance.assessment import iris_reference
from facebalance.norms import load_norm_set

SUPERSAMPLE = 8
SKIN = (196, 148, 126)
SCLERA = (232, 228, 222)
IRIS_BROWN = (92, 62, 40)
PUPIL = (18, 16, 16)
LASHES = (48, 34, 28)


def default_limbus_limits() -> LimbusLimits:
    """The limbus fit's limits of the default norm set (what the engine uses)."""
    limits = iris_reference(load_norm_set(None)).limbus_limits
    assert limits is not None
    return limits


@dataclass(frozen=True)
class EyeScene:
    rgb: np.ndarray
    outlines: tuple[EyeOutline, EyeOutline]
    diameter_px: float
    centres_px: tuple[tuple[float, float], tuple[float, float]]


def _lid_curves(cx: float, cy: float, half_width: float, upper: float, lower: float) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower lid margins (9 points each, lateral to medial) of an almond-shaped aperture."""
    x = np.linspace(-half_width, half_width, 9)
    shape = 1.0 - (x / half_width) ** 2
    return np.column_stack([cx + x, cy - upper * shape]), np.column_stack([cx + x, cy + lower * shape])


def render_eyes(
    *,
    size_px: tuple[int, int] = (260, 120),
    diameter_px: float = 40.0,
    centres_px: tuple[tuple[float, float], tuple[float, float]] = ((70.3, 60.4), (189.8, 59.7)),
    lid_opening: tuple[float, float] = (0.42, 0.4),
    blur_px: float = 0.8,
    noise_sd: float = 3.0,
    seed: int = 0,
    aspect: float | None = None,
) -> EyeScene:
    """Two eyes side by side (patient's right on the image's left).

    ``lid_opening`` is the upper and lower lid's distance from the iris centre, in iris diameters: 0.42
    covers the top and bottom of a 0.5-radius iris, as in most eyes. The iris is an ellipse
    ``diameter_px`` wide and ``aspect`` times that tall (by default the norm set's limbus aspect, as the
    fit assumes it).
    """
    aspect = default_limbus_limits().aspect if aspect is None else aspect
    w, h = size_px
    s = SUPERSAMPLE
    big = np.zeros((h * s, w * s, 3), np.uint8)
    big[:] = SKIN
    yy, xx = np.mgrid[0 : h * s, 0 : w * s]
    outlines = []
    rng = np.random.default_rng(seed)
    for cx, cy in centres_px:
        upper, lower = _lid_curves(
            cx, cy, 1.35 * diameter_px, lid_opening[0] * diameter_px, lid_opening[1] * diameter_px
        )
        aperture = np.vstack([upper, lower[::-1]])
        mask = np.zeros((h * s, w * s), np.uint8)
        cv2.fillPoly(mask, [np.round((aperture + 0.5) * s - 0.5).astype(np.int32)], 1)
        eye = np.zeros_like(big)
        eye[:] = SCLERA
        # Sub-pixel geometry: pixel centres of the big image are at ((i + 0.5) / s - 0.5) output pixels.
        px = (xx + 0.5) / s - 0.5
        py = (yy + 0.5) / s - 0.5
        r = np.hypot(px - cx, (py - cy) / aspect)
        angle = np.arctan2(py - cy, px - cx)
        iris = r < diameter_px / 2
        texture = 1.0 + 0.18 * np.sin(angle * 37 + rng.uniform(0, 6)) * np.clip(r / (diameter_px / 2), 0, 1)
        for c in range(3):
            eye[..., c] = np.where(iris, np.clip(IRIS_BROWN[c] * texture, 0, 255), eye[..., c])
            eye[..., c] = np.where(r < 0.17 * diameter_px, PUPIL[c], eye[..., c])
        highlight = np.hypot(px - (cx - 0.1 * diameter_px), py - (cy - 0.12 * diameter_px)) < 0.05 * diameter_px
        eye[highlight] = 250
        big = np.where(mask[..., None] > 0, eye, big)
        # Lashes: a dark band along the upper lid margin, a thinner one along the lower.
        cv2.polylines(
            big, [np.round((upper + 0.5) * s - 0.5).astype(np.int32)], False, LASHES, int(0.07 * diameter_px * s)
        )
        cv2.polylines(
            big, [np.round((lower + 0.5) * s - 0.5).astype(np.int32)], False, LASHES, int(0.03 * diameter_px * s)
        )
        outlines.append((upper, lower))
    small = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    if blur_px > 0:
        small = cv2.GaussianBlur(small, (0, 0), blur_px)
    small += np.random.default_rng(seed + 1).normal(0.0, noise_sd, small.shape).astype(np.float32)
    rgb = np.clip(np.round(small), 0, 255).astype(np.uint8)
    (r_c, l_c) = centres_px
    horizontal = np.subtract(l_c, r_c) / np.linalg.norm(np.subtract(l_c, r_c))
    # The face mesh puts the iris centre off the true one by a measured offset (the fit's prior corrects
    # it): the outline's centre carries it, as a real mesh's does.
    vertical = np.array([-horizontal[1], horizontal[0]])
    mesh_offset = -default_limbus_limits().centre_offset_radii * diameter_px / 2.0 * vertical
    eye_outlines = tuple(
        EyeOutline(np.asarray(c, dtype=np.float64) + mesh_offset, up, lo, horizontal)
        for c, (up, lo) in zip(centres_px, outlines, strict=True)
    )
    return EyeScene(rgb, eye_outlines, diameter_px, centres_px)  # type: ignore[arg-type]


def with_mesh_error(
    scene: EyeScene, *, centre_offset_px: tuple[float, float], lid_offset_px: float
) -> tuple[EyeOutline, EyeOutline]:
    """The scene's outlines as an imperfect face mesh would give them: centres off, lids pushed outward."""
    out = []
    for outline in scene.outlines:
        out.append(
            EyeOutline(
                outline.centre_px + centre_offset_px,
                outline.upper_lid_px + np.array([0.0, -lid_offset_px]),
                outline.lower_lid_px + np.array([0.0, lid_offset_px]),
                outline.horizontal,
            )
        )
    return out[0], out[1]
