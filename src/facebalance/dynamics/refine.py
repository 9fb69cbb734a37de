"""Reading point movement from the image where the tissue keeps its look.

The face mesh is a global shape model: when one mouth corner moves alone it follows only 60-85 % of the
movement and drags the other corner 10-20 % along (measured on warped copies of the London photos, see
docs/dynamics.md); the same holds for the brows (``tests/engine/test_moved_brow_is_measured.py``). An
asymmetry measured from the mesh alone is therefore too small. At the frames that matter (the rest frame
and each expression's peak) each followed point is registered in the image:

1. the head-motion fit (:func:`facebalance.dynamics.stabilise.align`) is corrected by registering
   patches on rigid, textured points (nasal bridge and dorsum, medial canthi) and refitting a 2-D
   similarity on them, so that the mesh's own leakage does not move the reference;
2. a patch around each followed point in the rest frame (half-size :data:`PATCH_HALF_IRIS` visible-iris
   diameters) is searched for in the peak frame, around where the mesh puts it, by normalised
   cross-correlation (NCC), coarse to fine with a sub-pixel parabola at the end;
3. where the best NCC reaches :data:`MIN_NCC` and the patch has texture, the image position is used;
   otherwise (the tissue changed its look: a corner stretched into a broad smile, teeth appeared) the
   mesh's position is kept and the point is marked ``"mesh"``.

Pixel coordinates follow MediaPipe's convention (pixel ``i`` covers ``[i, i + 1)``, its centre at
``i + 0.5``), so that sampling a mirrored image at the mirrored coordinate reads the same value.
:func:`refine_points` runs on the frame pair and on its mirror image and averages the two, like the
tracker, so the refinement keeps the assessment exactly mirror-equivariant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image

from facebalance.anatomy.landmarks import ANCHOR_POINTS
from facebalance.dynamics.stabilise import align
from facebalance.geometry.pose import nearest_rotation
from facebalance.geometry.similarity import Similarity
from facebalance.vision.mirror import mesh_mirror_map, mirror_landmarks, mirror_x

#: Half-size of the registered patch, in visible-iris diameters (about 6 mm): enough texture, small
#: enough that a point moving differently from its neighbours is still followed.
PATCH_HALF_IRIS = 0.5
#: Search radius around the mesh's prediction: this fraction of the mesh's own displacement, plus
#: :data:`SEARCH_MARGIN_IRIS` visible-iris diameters.
SEARCH_GAIN = 0.6
SEARCH_MARGIN_IRIS = 0.3
#: Iris size the coarse search works at, pixels (finer levels only refine).
COARSE_IRIS_PX = 14.0
#: Lowest NCC at which the image position replaces the mesh's (facebalance working default: warped
#: photos, where the tissue keeps its look, score above 0.97; broad real smiles fall to 0.7-0.9 at the
#: corners).
MIN_NCC = 0.93
#: Lowest NCC at which an anchor patch corrects the head-motion fit.
ANCHOR_MIN_NCC = 0.90
#: Largest correction of the mesh fit accepted from the anchors: rotation (radians, about 1.5 degrees) and
#: relative scale. The mesh's own mis-fit on warped photos is a few tenths of a degree.
MAX_CORRECTION_RAD = 0.026
MAX_CORRECTION_SCALE = 0.015
#: Below this visible-iris size (pixels) nothing is read from the image: a patch of half an iris is then too
#: small to register reliably, and the mesh alone is used.
MIN_IRIS_PX = 18.0
#: Passes of the anchor correction.
ANCHOR_PASSES = 3
#: Lowest grey-level SD of a patch (0-255 scale) for it to be registered at all.
MIN_TEXTURE_SD = 3.0

Source = Literal["image", "mesh"]


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of an (H, W, 3) uint8 image as float32 (H, W)."""
    return (rgb[..., 0] * np.float32(0.299) + rgb[..., 1] * np.float32(0.587) + rgb[..., 2] * np.float32(0.114)).astype(
        np.float32
    )


def sample(gray: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Bilinear samples of ``gray`` at MediaPipe pixel coordinates ``xy`` (..., 2); edges are clamped."""
    h, w = gray.shape
    x = np.clip(xy[..., 0] - 0.5, 0.0, w - 1.000001)
    y = np.clip(xy[..., 1] - 0.5, 0.0, h - 1.000001)
    x0 = np.minimum(np.floor(x).astype(np.intp), w - 2)
    y0 = np.minimum(np.floor(y).astype(np.intp), h - 2)
    fx, fy = x - x0, y - y0
    top = gray[y0, x0] * (1 - fx) + gray[y0, x0 + 1] * fx
    bottom = gray[y0 + 1, x0] * (1 - fx) + gray[y0 + 1, x0 + 1] * fx
    return np.asarray(top * (1 - fy) + bottom * fy)


@dataclass(frozen=True)
class Affine3:
    """``target = linear @ source + shift`` for column vectors in 3-D pixel space (x, y, depth)."""

    linear: np.ndarray
    shift: np.ndarray

    @classmethod
    def from_similarity(cls, t: Similarity) -> Affine3:
        return cls(t.scale * t.rotation, np.asarray(t.translation, dtype=np.float64))

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Map points of shape (..., 3)."""
        return np.asarray(np.asarray(points, dtype=np.float64) @ self.linear.T + self.shift)

    def inverse(self) -> Affine3:
        inv = np.linalg.inv(self.linear)
        return Affine3(inv, -(inv @ self.shift))


@dataclass(frozen=True)
class _Level:
    """One resolution of a frame pair: grey images and the factor from full-resolution pixels."""

    reference: np.ndarray
    frame: np.ndarray
    factor: float


def _levels(reference: np.ndarray, frame: np.ndarray, iris_px: float) -> list[_Level]:
    levels = [_Level(reference, frame, 1.0)]
    factor = COARSE_IRIS_PX / iris_px
    if factor < 0.7:

        def shrink(g: np.ndarray) -> np.ndarray:
            size = (max(8, round(g.shape[1] * factor)), max(8, round(g.shape[0] * factor)))
            return np.asarray(Image.fromarray(g).resize(size, Image.Resampling.BOX), dtype=np.float32)

        coarse_ref, coarse_frame = shrink(reference), shrink(frame)
        # The exact factors of the resized grids (rounding of the sizes).
        fx = coarse_ref.shape[1] / reference.shape[1]
        levels.insert(0, _Level(coarse_ref, coarse_frame, fx))
    return levels


def _ncc_search(
    level: _Level, centre: np.ndarray, depth: float, to_frame: Affine3, start: np.ndarray, half: int, radius: int
) -> tuple[np.ndarray, float, bool, float]:
    """Best integer offset (full-res px) around ``start`` at one level; returns (offset, ncc, interior, texture)."""
    f = level.factor
    steps_px = np.stack(np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1)), -1).reshape(-1, 2)
    grid = steps_px.astype(np.float64) / f  # patch offsets in full-res px, sampled one level-pixel apart
    template = sample(level.reference, (centre + grid) * f)
    texture = float(template.std())
    template = (template - template.mean()) / (texture + 1e-9)
    steps = np.stack(np.meshgrid(np.arange(-radius, radius + 1), np.arange(-radius, radius + 1)), -1).reshape(-1, 2)
    candidates = start + steps.astype(np.float64) / f
    ref_pts = centre + candidates[:, None, :] + grid[None, :, :]
    ref3 = np.concatenate([ref_pts, np.full((*ref_pts.shape[:2], 1), depth)], axis=-1)
    frame_xy = to_frame.apply(ref3)[..., :2]
    values = sample(level.frame, frame_xy * f)
    values = values - values.mean(axis=1, keepdims=True)
    norms = np.sqrt((values**2).mean(axis=1)) + 1e-9
    ncc = (values @ template) / len(template) / norms
    best = int(np.argmax(ncc))
    side = 2 * radius + 1
    row, col = divmod(best, side)
    offset = candidates[best].copy()
    interior = 0 < row < side - 1 and 0 < col < side - 1
    if interior:
        scores = ncc.reshape(side, side)
        for axis, (lo, mid, hi) in enumerate(
            (
                (scores[row, col - 1], scores[row, col], scores[row, col + 1]),
                (scores[row - 1, col], scores[row, col], scores[row + 1, col]),
            )
        ):
            curvature = lo - 2 * mid + hi
            if curvature < 0:
                offset[axis] += float(np.clip(0.5 * (lo - hi) / curvature, -0.5, 0.5)) / f
    return offset, float(ncc[best]), interior, texture


def register_point(
    reference: np.ndarray,
    frame: np.ndarray,
    centre_px: np.ndarray,
    to_frame: Affine3,
    predicted_offset_px: np.ndarray,
    *,
    iris_px: float,
) -> tuple[np.ndarray, float, float]:
    """Find where the tissue around a reference-frame point went in another frame.

    Parameters
    ----------
    reference, frame : ndarray of shape (H, W), float32
        Grey images (:func:`luminance`) of the reference (rest) frame and of the frame searched.
    centre_px : ndarray of shape (3,)
        The point in reference-frame pixels (x, y, and its mesh depth on the x scale).
    to_frame : Affine3
        Reference-frame pixels (3-D) -> frame pixels: the inverse of the head-motion fit.
    predicted_offset_px : ndarray of shape (2,)
        Where the mesh says the point moved, reference-frame pixels (the search centre).
    iris_px : float
        Visible iris diameter in reference-frame pixels (sets the patch and search sizes).

    Returns
    -------
    offset_px : ndarray of shape (2,)
        Displacement of the tissue in reference-frame pixels (head motion removed).
    ncc : float
        Normalised cross-correlation at that displacement (1 = the patch kept its look exactly).
    texture : float
        Grey-level SD of the reference patch.
    """
    levels = _levels(reference, frame, iris_px)
    centre = np.asarray(centre_px[:2], dtype=np.float64)
    depth = float(centre_px[2])
    offset = np.asarray(predicted_offset_px, dtype=np.float64)
    ncc, texture = -1.0, 0.0
    for i, level in enumerate(levels):
        half = max(3, round(PATCH_HALF_IRIS * iris_px * level.factor))
        if i == 0:
            search = SEARCH_GAIN * float(np.hypot(*offset)) + SEARCH_MARGIN_IRIS * iris_px
            radius = max(2, int(np.ceil(search * level.factor)))
        else:
            radius = max(2, int(np.ceil(levels[i - 1].factor ** -1 * level.factor)) + 1)
        offset, ncc, interior, texture = _ncc_search(
            level, centre, depth, to_frame, np.round(offset * level.factor) / level.factor, half, radius
        )
        if not interior:
            # The best match is on the search border: the true position is outside the window.
            return offset, -1.0, texture
    return offset, ncc, texture


@dataclass(frozen=True)
class RefinedPoints:
    """Followed points of one frame, placed in the reference (rest) frame's pixels.

    Attributes
    ----------
    positions_px : dict of int to ndarray of shape (3,)
        Mesh vertex -> its position in reference-frame pixels, head motion removed: from the image (x, y; the
        depth kept at its rest value) or from the mesh (x, y, z).
    sources : dict of int to {"image", "mesh"}
    ncc : dict of int to float
    anchors_used : int
        Anchor patches that corrected the head-motion fit (0: the mesh fit was kept).
    """

    positions_px: dict[int, np.ndarray]
    sources: dict[int, Source]
    ncc: dict[int, float]
    anchors_used: int


def _corrected_alignment(
    reference: np.ndarray, frame: np.ndarray, reference_landmarks: np.ndarray, fit: Affine3, iris_px: float
) -> tuple[Affine3, int]:
    """The head-motion fit (frame -> reference) corrected by registering rigid anchor patches.

    Where each anchor's tissue is found (an image offset from where the fit puts it) is explained by a small
    correcting motion of the head: a rotation about three axes, a scale and an in-plane shift, solved by
    linear least squares with the anchors' mesh depths (a turn of the head moves points at different depths
    by different amounts, which a 2-D correction cannot undo). Repeated :data:`ANCHOR_PASSES` times, each
    pass sampling the patches through the previous pass's fit.
    """
    used = 0
    for _ in range(ANCHOR_PASSES):
        to_frame = fit.inverse()
        found: list[tuple[np.ndarray, np.ndarray]] = []
        for vertex in ANCHOR_POINTS:
            centre = reference_landmarks[vertex]
            offset, ncc, texture = register_point(reference, frame, centre, to_frame, np.zeros(2), iris_px=iris_px)
            if ncc >= ANCHOR_MIN_NCC and texture >= MIN_TEXTURE_SD:
                found.append((centre, offset))
        if len(found) < 3:
            return fit, used
        used = len(found)
        middle = np.mean([c for c, _ in found], axis=0)
        rows, rhs = [], []
        for centre, offset in found:
            q = centre - middle
            # Linearised: (w x q + s q + t)_xy = -offset, unknowns (wx, wy, wz, s, tx, ty).
            rows += [[0.0, q[2], -q[1], q[0], 1.0, 0.0], [-q[2], 0.0, q[0], q[1], 0.0, 1.0]]
            rhs += [-offset[0], -offset[1]]
        (wx, wy, wz, s, tx, ty), *_ = np.linalg.lstsq(np.asarray(rows), np.asarray(rhs), rcond=None)
        if max(abs(wx), abs(wy), abs(wz)) > MAX_CORRECTION_RAD or abs(s) > MAX_CORRECTION_SCALE:
            # The anchors disagree with the mesh by more than a mis-fit: they are the ones not to trust (the
            # expression changed their look, or the image is too coarse). Keep the mesh fit.
            return fit, 0
        skew = np.array([[0.0, -wz, wy], [wz, 0.0, -wx], [-wy, wx, 0.0]])
        linear = (1.0 + s) * nearest_rotation(np.eye(3) + skew)
        shift = middle - linear @ middle + np.array([tx, ty, 0.0])
        fit = Affine3(linear @ fit.linear, linear @ fit.shift + shift)
    return fit, used


@dataclass(frozen=True)
class _OneRun:
    mesh: dict[int, np.ndarray]
    image: dict[int, np.ndarray | None]
    ncc: dict[int, float]
    anchors_used: int


def _refine_once(
    reference_rgb: np.ndarray,
    reference_landmarks: np.ndarray,
    frame_rgb: np.ndarray,
    frame_landmarks: np.ndarray,
    vertices: tuple[int, ...],
    iris_px: float,
) -> _OneRun:
    reference = luminance(reference_rgb)
    frame = luminance(frame_rgb)
    fit = Affine3.from_similarity(align(frame_landmarks, reference_landmarks).transform)
    fit, anchors = _corrected_alignment(reference, frame, reference_landmarks, fit, iris_px)
    to_frame = fit.inverse()
    mesh: dict[int, np.ndarray] = {}
    image: dict[int, np.ndarray | None] = {}
    scores: dict[int, float] = {}
    for vertex, mesh_position in zip(vertices, fit.apply(frame_landmarks[list(vertices)]), strict=True):
        centre = reference_landmarks[vertex]
        offset, ncc, texture = register_point(
            reference, frame, centre, to_frame, mesh_position[:2] - centre[:2], iris_px=iris_px
        )
        mesh[vertex] = mesh_position
        scores[vertex] = ncc
        # The image shows movement in the picture plane only; the depth is kept at rest rather than taken from
        # the mesh, whose depth change would leak into the frontal plane through the head-frame rotation.
        image[vertex] = (
            np.array([centre[0] + offset[0], centre[1] + offset[1], centre[2]])
            if ncc >= MIN_NCC and texture >= MIN_TEXTURE_SD
            else None
        )
    return _OneRun(mesh, image, scores, anchors)


def refine_points(
    reference_rgb: np.ndarray,
    reference_landmarks: np.ndarray,
    frame_rgb: np.ndarray,
    frame_landmarks: np.ndarray,
    vertices: tuple[int, ...],
    *,
    iris_px: float,
) -> RefinedPoints:
    """Place followed points of a frame in the reference frame, from the image where it can be trusted.

    Parameters
    ----------
    reference_rgb, frame_rgb : ndarray of shape (H, W, 3), uint8
        The rest frame and the frame whose points are wanted (e.g. an expression's peak).
    reference_landmarks, frame_landmarks : ndarray of shape (478, 3)
        Their meshes, pixels of each image.
    vertices : tuple of int
        Mesh vertices to place; the tuple must be closed under left-right mirroring.
    iris_px : float
        Visible iris diameter in reference-frame pixels.

    Returns
    -------
    RefinedPoints
        The same refinement is run on both images mirrored, and the two runs are averaged (mirrored back):
        image positions when both runs read the point and its mirror partner from the image, mesh positions
        otherwise. A mirrored recording therefore gives exactly mirrored positions, and both sides of a
        left/right comparison always come from the same source.
    """
    if iris_px < MIN_IRIS_PX:
        fit = Affine3.from_similarity(align(frame_landmarks, reference_landmarks).transform)
        placed = fit.apply(frame_landmarks[list(vertices)])
        return RefinedPoints(
            {v: p for v, p in zip(vertices, placed, strict=True)},
            dict.fromkeys(vertices, "mesh"),
            dict.fromkeys(vertices, float("nan")),
            0,
        )
    direct = _refine_once(reference_rgb, reference_landmarks, frame_rgb, frame_landmarks, vertices, iris_px)
    width_ref = reference_rgb.shape[1]
    mirrored = _refine_once(
        np.ascontiguousarray(reference_rgb[:, ::-1]),
        mirror_landmarks(reference_landmarks, width_ref),
        np.ascontiguousarray(frame_rgb[:, ::-1]),
        mirror_landmarks(frame_landmarks, frame_rgb.shape[1]),
        vertices,
        iris_px,
    )
    partner = mesh_mirror_map()

    def back(point: np.ndarray) -> np.ndarray:
        p = point.copy()
        p[0] = mirror_x(p[0], width_ref)
        return p

    positions: dict[int, np.ndarray] = {}
    sources: dict[int, Source] = {}
    scores: dict[int, float] = {}

    def readable(vertex: int) -> bool:
        return direct.image[vertex] is not None and mirrored.image[int(partner[vertex])] is not None

    for vertex in vertices:
        other = int(partner[vertex])
        a, b = direct.image[vertex], mirrored.image[other]
        # A point and its mirror partner come from the same source, so that a left/right difference is never
        # a difference between the image and the mesh.
        if a is not None and b is not None and readable(other):
            positions[vertex] = (a + back(b)) / 2.0
            sources[vertex] = "image"
        else:
            positions[vertex] = (direct.mesh[vertex] + back(mirrored.mesh[other])) / 2.0
            sources[vertex] = "mesh"
        scores[vertex] = min(direct.ncc[vertex], mirrored.ncc[other])
    return RefinedPoints(positions, sources, scores, min(direct.anchors_used, mirrored.anchors_used))
