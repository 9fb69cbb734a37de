"""Sub-pixel fit of the limbus (the iris-sclera border) in the image, aware of the eyelids.

The face mesh's iris contour is a learned shape: against hand-placed irises it finds the visible iris
with about 5 % face-to-face SD (docs/validation.md), which alone moves a 50 mm width by 2.5 mm. The
limbus itself is one of the sharpest edges of the face, dark iris to white sclera, so it is read from the
pixels:

1. The eye's aperture is the polygon of the mesh's lid margins, shrunk by a small margin; an edge
   outside it belongs to a lid (lid occlusion).
2. Only rays within :data:`SECTOR_HALF_ANGLE_DEG` of the eye's horizontal are searched, on both sides of
   the iris. The upper and lower arcs of the limbus are covered by the lids in most eyes, and where they
   are not, the lid margin is itself a dark-to-light, circle-like edge that would pass for the limbus.
3. A coarse circle comes from Daugman's integro-differential operator [1]_ restricted to those arcs: the
   centre (around the mesh's iris centre, corrected for its measured offset) and radius (around the mesh's
   iris) with the largest mean radial brightness step, scored on the weaker of the two sides, so that both
   sides must show a border, and weighted by how likely the centre is given the mesh's: where the lids leave
   only the side arcs, the step does not say where the centre is vertically, and the mesh does.
4. Along each ray from that centre the step is located to a fraction of a pixel (the peak of the
   radial derivative of the luminance, a parabola through the three samples around it). A step whose
   2-D gradient does not point along the ray (lid margin, lashes, a reflection) is rejected.
5. An ellipse of known aspect (the visible limbus is wider than tall), aligned with the eye, is fitted
   to the edge points by Gauss-Newton with Huber weights and the mesh's centre as a prior
   (:class:`LimbusLimits`): the horizontal diameter comes from the two lateral arcs whichever part of
   them the lids leave, and where the arcs are short their curvature does not pull the centre away. The
   fit's covariance (prior included) gives the diameter's uncertainty; a side whose visible arc is
   shorter than ``LimbusLimits.min_arc_deg`` rejects the fit.

The patient looks into the lens in a clinical frontal photo, so the limbus is seen face-on whatever the
head's small yaw: its shape is the cornea's, slightly wider than tall, and its aspect is a measured
constant rather than fitted (two side arcs cannot determine a second axis). When the border is not found
on both sides, or the fit is too uncertain, the mesh's estimate is returned with its own, larger
uncertainty, and the reason.

Everything here is pure: an image array and the mesh's points in, a :class:`LimbusFit` out.

References
----------
.. [1] Daugman J. How iris recognition works. IEEE Trans Circuits Syst Video Technol. 2004;14(1):21-30.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np

from facebalance.anatomy.landmarks import (
    LOWER_LID_MARGIN_LEFT,
    LOWER_LID_MARGIN_RIGHT,
    UPPER_LID_MARGIN_LEFT,
    UPPER_LID_MARGIN_RIGHT,
    Landmark,
)

#: Rays are searched within this angle of the eye's horizontal, on the lateral and the medial side.
SECTOR_HALF_ANGLE_DEG = 55.0
#: Rays per side: about 3 degrees apart.
RAYS_PER_SIDE = 37
#: Radii searched by the coarse step, as fractions of the mesh's visible-iris radius (the mesh's own
#: face-to-face SD is about 5 %, so this is several SDs either way).
COARSE_RADIUS_RANGE = (0.7, 1.35)
#: Centres searched by the coarse step: a square grid this far (fraction of the radius) around the mesh's
#: iris centre, which can sit a third of a radius off on narrow eyes.
COARSE_CENTRE_RANGE = 0.45
COARSE_CENTRE_STEPS = 9
#: The coarse search uses every n-th ray (the fine step uses them all).
COARSE_RAY_STEP = 2
#: Width of the brightness bands compared on either side of a coarse radius, fraction of the radius.
COARSE_BAND_FRACTION = 0.12
#: Radial sampling step of the coarse and of the fine search, pixels.
COARSE_STEP_PX = 0.5
FINE_STEP_PX = 0.2
#: Half-width of the fine search around the coarse radius, fraction of the radius.
FINE_WINDOW = 0.15
#: Gaussian smoothing before differentiating: this fraction of the radius, at least the pixel floor
#: (JPEG blocks and sensor noise would otherwise make single pixels into edges).
SMOOTHING_FRACTION = 1 / 25
SMOOTHING_MIN_PX = 0.6
#: Edges closer than this (fraction of the radius, at least one pixel) to a lid margin are not used.
LID_MARGIN_FRACTION = 0.06
#: Largest angle between an edge's image gradient and its ray.
MAX_GRADIENT_ANGLE_DEG = 30.0
#: Fewest edge points, per side, for a fit.
MIN_EDGES_PER_SIDE = 5
#: A fit less certain than this (one-sigma diameter, fraction of it) is not used.
MAX_RELATIVE_SIGMA = 0.05
#: Huber threshold in robust SDs of the residuals, and the smallest residual SD assumed (pixels).
HUBER_K = 1.345
MIN_RESIDUAL_SD_PX = 0.1
GAUSS_NEWTON_ITERATIONS = 25

TOO_SMALL = "the iris is too small in the image for a limbus fit"

#: Rec. 601 luma weights: the limbus is an edge of brightness for every iris colour, and luma has the
#: full resolution of a chroma-subsampled JPEG.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


class LimbusSource(StrEnum):
    """Where an iris diameter came from."""

    IMAGE = "limbus_fit"
    MESH = "mesh"


@dataclass(frozen=True)
class LimbusLimits:
    """The limbus fit's measured constants and limits (the norm set's ``limbus_*`` references, each with its
    source; :func:`facebalance.assessment.iris_reference` reads them).

    Attributes
    ----------
    centre_offset_radii : float
        Mean offset of the iris centre from the face mesh's iris centre along the eye's vertical (the
        perpendicular to right-to-left pupil, pointing down the face), in iris radii.
    centre_sd_radii : float
        Face-to-face SD of the mesh's iris centre about that, per axis, in iris radii: the prior on the
        fitted circle's centre.
    min_arc_deg : float
        Fewest degrees of limbus arc, on each side, that the fit's edge points must span.
    aspect : float
        Height of the visible limbus over its width (the ellipse fitted, aligned with the eye).
    """

    centre_offset_radii: float
    centre_sd_radii: float
    min_arc_deg: float
    aspect: float


@dataclass(frozen=True)
class EyeOutline:
    """What the mesh says about one eye, in image pixels.

    Attributes
    ----------
    centre_px : ndarray of shape (2,)
        The mesh's iris centre.
    upper_lid_px, lower_lid_px : ndarray of shape (n, 2)
        Lid margins from one canthus to the other.
    horizontal : ndarray of shape (2,)
        Unit vector along the eyes' line (right pupil to left pupil), image axes.
    """

    centre_px: np.ndarray
    upper_lid_px: np.ndarray
    lower_lid_px: np.ndarray
    horizontal: np.ndarray


@dataclass(frozen=True)
class LimbusFit:
    """The visible iris diameter of one eye and how it was found.

    Attributes
    ----------
    diameter_px : float
        Horizontal visible iris diameter in pixels of the analysed image.
    sigma_px : float
        Its one-sigma uncertainty: the circle fit's (image) or the mesh's face-to-face spread (mesh).
    source : LimbusSource
    centre_px : tuple of float
        Centre of the fitted circle (image) or the mesh's iris centre (mesh).
    edge_points : int
        Edge points the circle was fitted to (0 for the mesh).
    note : str
        Why the mesh was used; empty for a fit.
    edges_px : ndarray of shape (k, 2)
        The edge points (for drawing).
    """

    diameter_px: float
    sigma_px: float
    source: LimbusSource
    centre_px: tuple[float, float]
    edge_points: int = 0
    note: str = ""
    edges_px: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)

    @property
    def relative_sigma(self) -> float:
        return self.sigma_px / self.diameter_px


def eye_outline(landmarks_px: np.ndarray, side: str) -> EyeOutline:
    """The mesh's iris centre and lid margins of the patient's ``side`` eye.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Mesh points in image pixels.
    side : {"right", "left"}
        The patient's side.
    """
    if side == "right":
        centre = Landmark.PUPIL_RIGHT
        upper, lower = UPPER_LID_MARGIN_RIGHT, LOWER_LID_MARGIN_RIGHT
    elif side == "left":
        centre = Landmark.PUPIL_LEFT
        upper, lower = UPPER_LID_MARGIN_LEFT, LOWER_LID_MARGIN_LEFT
    else:
        raise ValueError(f"side must be 'right' or 'left', not {side!r}")
    pts = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    eye_line = pts[Landmark.PUPIL_LEFT] - pts[Landmark.PUPIL_RIGHT]
    return EyeOutline(
        centre_px=pts[centre].copy(),
        upper_lid_px=pts[list(upper)].copy(),
        lower_lid_px=pts[list(lower)].copy(),
        horizontal=eye_line / max(float(np.linalg.norm(eye_line)), 1e-9),
    )


def _ray_directions(horizontal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit ray directions (2 * RAYS_PER_SIDE, 2) and which side each is on (True = along ``horizontal``)."""
    base = math.atan2(float(horizontal[1]), float(horizontal[0]))
    sector = np.linspace(-math.radians(SECTOR_HALF_ANGLE_DEG), math.radians(SECTOR_HALF_ANGLE_DEG), RAYS_PER_SIDE)
    angles = base + np.concatenate([sector, math.pi + sector])
    side = np.arange(2 * RAYS_PER_SIDE) < RAYS_PER_SIDE
    return np.column_stack([np.cos(angles), np.sin(angles)]), side


def _sample(image: np.ndarray, x: np.ndarray, y: np.ndarray, *, border: float | None = None) -> np.ndarray:
    """Bilinear samples of a float32 image at float coordinates of any (2-D) shape."""
    mode = cv2.BORDER_REPLICATE if border is None else cv2.BORDER_CONSTANT
    return cv2.remap(
        image, x.astype(np.float32), y.astype(np.float32), cv2.INTER_LINEAR, borderMode=mode, borderValue=border or 0
    )


def _aperture_mask(shape: tuple[int, int], eye: EyeOutline, offset: np.ndarray, margin_px: float) -> np.ndarray:
    """1.0 inside the lid polygon shrunk by ``margin_px`` (a disc, the same in every direction), 0.0
    outside (float32, the crop's shape)."""
    polygon = np.vstack([eye.upper_lid_px, eye.lower_lid_px[::-1]]) - offset
    filled = np.zeros(shape, np.uint8)
    cv2.fillPoly(filled, [np.round(polygon * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    size = 2 * max(1, round(margin_px)) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return (np.asarray(cv2.erode(filled, kernel)) >= 255).astype(np.float32)


@dataclass(frozen=True)
class _EyeCrop:
    """One eye's smoothed luminance crop and aperture mask, and the search's starting point in it: the
    mesh's iris centre moved by its measured offset (``centre``, the prior on the circle's centre, with
    ``centre_sd`` pixels per axis)."""

    luma: np.ndarray
    whiteness: np.ndarray
    mask: np.ndarray
    offset: np.ndarray
    centre: np.ndarray
    radius: float
    dirs: np.ndarray
    side: np.ndarray
    centre_sd: float
    min_arc_deg: float
    aspect: float


def _crop_eye(rgb: np.ndarray, eye: EyeOutline, radius: float, limits: LimbusLimits) -> _EyeCrop | None:
    h, w = rgb.shape[:2]
    vertical = np.array([-eye.horizontal[1], eye.horizontal[0]])
    prior_centre = eye.centre_px + limits.centre_offset_radii * radius * vertical
    half = math.ceil((COARSE_RADIUS_RANGE[1] + COARSE_CENTRE_RANGE) * radius) + 3
    cx, cy = round(float(prior_centre[0])), round(float(prior_centre[1]))
    x0, y0, x1, y1 = max(cx - half, 0), max(cy - half, 0), min(cx + half + 1, w), min(cy + half + 1, h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    offset = np.array([x0, y0], dtype=np.float64)
    pixels = np.asarray(rgb[y0:y1, x0:x1], dtype=np.float32)
    sigma = max(SMOOTHING_MIN_PX, SMOOTHING_FRACTION * radius)
    luma = cv2.GaussianBlur(pixels @ _LUMA, (0, 0), sigma)
    whiteness = cv2.GaussianBlur(pixels.min(axis=2), (0, 0), sigma)
    mask = _aperture_mask(luma.shape, eye, offset, max(1.0, LID_MARGIN_FRACTION * radius))
    dirs, side = _ray_directions(eye.horizontal)
    return _EyeCrop(
        luma,
        whiteness,
        mask,
        offset,
        prior_centre - offset,
        radius,
        dirs,
        side,
        max(limits.centre_sd_radii * radius, 0.5),
        limits.min_arc_deg,
        limits.aspect,
    )


def _coarse_scores(crop: _EyeCrop, radii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integro-differential scores ``(centres, radii)`` and the candidate centres ``(centres, 2)``.

    A score is the mean radial step over the rays of the weaker side, discounted where few rays of that
    side reach the radius inside the aperture: both sides of the iris must show the border.
    """
    grid = np.linspace(-COARSE_CENTRE_RANGE * crop.radius, COARSE_CENTRE_RANGE * crop.radius, COARSE_CENTRE_STEPS)
    along, across = (g.ravel() for g in np.meshgrid(grid, grid))
    horizontal = crop.dirs[crop.side].mean(axis=0)
    horizontal = horizontal / np.linalg.norm(horizontal)
    vertical = np.array([-horizontal[1], horizontal[0]])
    centres = crop.centre + along[:, None] * horizontal + across[:, None] * vertical
    # The step is the difference of the mean brightness just outside and just inside each radius, over a
    # band of COARSE_BAND_FRACTION of the radius: the iris-to-sclera step is wide and large, the rings
    # and crypts inside the iris are narrow.
    band = max(1, round(COARSE_BAND_FRACTION * crop.radius / COARSE_STEP_PX))
    sampled = np.concatenate(
        [radii[0] - COARSE_STEP_PX * np.arange(band, 0, -1), radii, radii[-1] + COARSE_STEP_PX * np.arange(1, band + 1)]
    )
    dirs, sides = crop.dirs[::COARSE_RAY_STEP], crop.side[::COARSE_RAY_STEP]
    # (centres, rays, radii) sample grid, flattened to one remap.
    x = centres[:, None, None, 0] + dirs[None, :, None, 0] * sampled[None, None, :]
    y = centres[:, None, None, 1] + dirs[None, :, None, 1] * sampled[None, None, :]
    n_c, n_r, n_s = x.shape
    flat_x, flat_y = x.reshape(n_c * n_r, n_s), y.reshape(n_c * n_r, n_s)
    values = _sample(crop.whiteness, flat_x, flat_y).reshape(n_c, n_r, n_s)
    inside = (_sample(crop.mask, flat_x, flat_y, border=0.0).reshape(n_c, n_r, n_s) > 0.99).astype(np.float32)
    total = np.concatenate([np.zeros((n_c, n_r, 1), np.float32), np.cumsum(values, axis=-1)], axis=-1)
    count = np.concatenate([np.zeros((n_c, n_r, 1), np.float32), np.cumsum(inside, axis=-1)], axis=-1)
    i = np.arange(band, band + len(radii))
    outside_mean = (total[..., i + band + 1] - total[..., i + 1]) / band
    inside_mean = (total[..., i] - total[..., i - band]) / band
    step = (outside_mean - inside_mean) / (band * COARSE_STEP_PX)
    valid = ((count[..., i + band + 1] - count[..., i - band]) >= 2 * band + 1).astype(np.float32)
    means, coverages = [], []
    for on_side in (sides, ~sides):
        v = valid[:, on_side]
        count = v.sum(axis=1)
        means.append((step[:, on_side] * v).sum(axis=1) / np.maximum(count, 1))
        coverages.append(count / on_side.sum())
    score = np.minimum(means[0], means[1]) * np.minimum(1.0, 3.0 * np.minimum(coverages[0], coverages[1]))
    # The mesh's centre as a prior: where the lids leave only the side arcs, the step is the same for every
    # centre height, and the likeliest of those is taken.
    prior = np.exp(-0.5 * (along**2 + across**2) / crop.centre_sd**2)
    score = np.where(score > 0, score * prior[:, None], score)
    return score, centres


def _limbus_residuals(points: np.ndarray, c: np.ndarray, axes: np.ndarray, aspect: float) -> np.ndarray:
    """Distance of each point from the limbus ellipse ``c = (cx, cy, a)`` along the point's ray from the
    centre: horizontal semi-axis ``a`` along ``axes[0]`` (the eye's horizontal), ``aspect * a`` across."""
    d = points - c[:2]
    dist = np.maximum(np.linalg.norm(d, axis=1), 1e-9)
    scaled = np.hypot(d @ axes[0], (d @ axes[1]) / aspect)
    return np.asarray(dist * (1.0 - c[2] / np.maximum(scaled, 1e-9)))


def _fit_limbus_ellipse(
    points: np.ndarray,
    start: np.ndarray,
    *,
    horizontal: np.ndarray,
    aspect: float,
    prior_centre: np.ndarray,
    prior_sd_px: float,
    correlation: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geometric fit of the limbus, an ellipse of known aspect aligned with the eye, with Huber weights
    and a Gaussian prior on the centre: ``(cx, cy, a)`` (``a`` the horizontal semi-axis), its covariance
    and the final weights.

    The visible limbus is wider than tall; a circle fitted to it would give a radius between its
    two semi-axes that depends on how much of the upper and lower arcs the lids leave, so a smile would
    change the ruler. With the aspect fixed, the horizontal diameter is the same whichever arcs are seen.
    ``correlation`` (at least 1) is how many neighbouring edge points see the same smoothed pixels: each
    point's variance is multiplied by it, so that the data are not counted more often than they were seen.
    The prior then weighs against the data as it should: strongly where the arcs are short.
    """
    c = start.astype(np.float64).copy()
    axes = np.array([horizontal, [-horizontal[1], horizontal[0]]], dtype=np.float64)
    weights = np.ones(len(points))
    prior_precision = np.diag([1.0 / prior_sd_px**2, 1.0 / prior_sd_px**2, 0.0])
    prior_at = np.array([prior_centre[0], prior_centre[1], 0.0])
    step = 1e-4 * max(float(start[2]), 1.0)

    def solve(residual: np.ndarray, variance: float) -> tuple[np.ndarray, np.ndarray]:
        jac = np.column_stack(
            [(_limbus_residuals(points, c + step * e, axes, aspect) - residual) / step for e in np.eye(3)]
        )
        normal = jac.T @ (jac * weights[:, None]) / variance + prior_precision + 1e-9 * np.eye(3)
        gradient = (jac * weights[:, None]).T @ residual / variance + prior_precision @ (c - prior_at)
        return normal, gradient

    for _ in range(GAUSS_NEWTON_ITERATIONS):
        residual = _limbus_residuals(points, c, axes, aspect)
        scale = max(1.4826 * float(np.median(np.abs(residual - np.median(residual)))), MIN_RESIDUAL_SD_PX)
        k = HUBER_K * scale
        weights = np.where(np.abs(residual) <= k, 1.0, k / np.maximum(np.abs(residual), 1e-12))
        normal, gradient = solve(residual, scale**2 * correlation)
        delta = np.linalg.solve(normal, -gradient)
        c += delta
        if float(np.abs(delta).max()) < 1e-5:
            break
    residual = _limbus_residuals(points, c, axes, aspect)
    dof = max(float(weights.sum()) - 3.0, 1.0)
    variance = max(float((weights * residual**2).sum()) / dof, MIN_RESIDUAL_SD_PX**2)
    normal, _ = solve(residual, variance * correlation)
    return c, np.linalg.inv(normal), weights


def _arc_deg(points: np.ndarray, centre: np.ndarray, direction: np.ndarray) -> float:
    """Angle spanned by ``points`` seen from ``centre``, measured about ``direction`` (degrees)."""
    d = points - centre
    angle = np.degrees(np.arctan2(d[:, 1] * direction[0] - d[:, 0] * direction[1], d @ direction))
    return float(angle.max() - angle.min()) if len(angle) else 0.0


def _fine_fit(crop: _EyeCrop, centre: np.ndarray, coarse_r: float) -> tuple[LimbusFit | None, str]:
    """Sub-pixel edges along every ray near the coarse circle, and the robust circle through them."""
    radius, dirs, side = crop.radius, crop.dirs, crop.side
    radii = np.arange(coarse_r - FINE_WINDOW * radius, coarse_r + FINE_WINDOW * radius, FINE_STEP_PX)
    x = centre[0] + dirs[:, 0:1] * radii[None, :]
    y = centre[1] + dirs[:, 1:2] * radii[None, :]
    derivative = np.gradient(_sample(crop.luma, x, y), FINE_STEP_PX, axis=1)
    derivative = np.where(_sample(crop.mask, x, y, border=0.0) > 0.99, derivative, -np.inf)
    rows = np.arange(len(dirs))
    peak = np.argmax(derivative, axis=1)
    before = derivative[rows, np.clip(peak - 1, 0, None)]
    at = derivative[rows, peak]
    after = derivative[rows, np.clip(peak + 1, None, len(radii) - 1)]
    found = (peak > 0) & (peak < len(radii) - 1) & (at > 0) & np.isfinite(before) & np.isfinite(after)
    with np.errstate(invalid="ignore", divide="ignore"):
        curvature = before - 2 * at + after
        shift = np.where(found & (curvature < 0), 0.5 * (before - after) / curvature, 0.0)
    edge_r = radii[peak] + np.clip(np.nan_to_num(shift), -0.5, 0.5) * FINE_STEP_PX
    edges = centre + dirs * edge_r[:, None]
    # The 2-D gradient at an edge must point along its ray: lid margins and lashes run across it.
    gx = cv2.Sobel(crop.luma, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(crop.luma, cv2.CV_32F, 0, 1, ksize=3)
    ex, ey = edges[:, 0:1], edges[:, 1:2]
    gradient = np.column_stack([_sample(gx, ex, ey)[:, 0], _sample(gy, ex, ey)[:, 0]])
    along = (gradient * dirs).sum(axis=1) / np.maximum(np.linalg.norm(gradient, axis=1), 1e-6)
    keep = found & (along >= math.cos(math.radians(MAX_GRADIENT_ANGLE_DEG)))
    if min(int((keep & side).sum()), int((keep & ~side).sum())) < MIN_EDGES_PER_SIDE:
        return None, "the iris border was visible on one side only (lids or reflections)"

    points, on_side = edges[keep], side[keep]
    # Neighbouring rays see overlapping, smoothed pixels: count them as fewer independent points.
    spacing = coarse_r * math.radians(2 * SECTOR_HALF_ANGLE_DEG) / (RAYS_PER_SIDE - 1)
    smoothing = max(SMOOTHING_MIN_PX, SMOOTHING_FRACTION * radius)
    correlation = max(1.0, 2.0 * smoothing / spacing)
    circle, covariance, weights = _fit_limbus_ellipse(
        points,
        np.array([centre[0], centre[1], coarse_r]),
        horizontal=dirs[side].mean(axis=0) / np.linalg.norm(dirs[side].mean(axis=0)),
        aspect=crop.aspect,
        prior_centre=crop.centre,
        prior_sd_px=crop.centre_sd,
        correlation=correlation,
    )
    used = weights > 0.5
    if min(int((used & on_side).sum()), int((used & ~on_side).sum())) < MIN_EDGES_PER_SIDE:
        return None, "too few edge points agree with one circle"
    arcs = [
        _arc_deg(points[used & s], circle[:2], d)
        for s, d in ((on_side, dirs[side].mean(axis=0)), (~on_side, dirs[~side].mean(axis=0)))
    ]
    if min(arcs) < crop.min_arc_deg:
        return None, (
            f"the limbus shows too short an arc between the lids ({min(arcs):.0f} deg, at least "
            f"{crop.min_arc_deg:.0f} needed)"
        )
    # The peak of a blurred circular edge's derivative lies inside the circle by sigma^2 / (2 r) (the
    # blur averages more of the dark inside than of the light outside). Sigma, the blur of the image and
    # of the smoothing together, is read from the derivative's own width at its peak: -g / g''.
    with np.errstate(invalid="ignore", divide="ignore"):
        blur_sq = -at / (curvature / FINE_STEP_PX**2)
    blur_sq = blur_sq[keep][used]
    blur_sq = float(np.median(blur_sq[np.isfinite(blur_sq) & (blur_sq > 0)])) if np.any(blur_sq > 0) else 0.0
    circle[2] += min(blur_sq, (FINE_WINDOW * radius) ** 2) / (2.0 * float(circle[2]))
    diameter = 2.0 * float(circle[2])
    sigma = 2.0 * math.sqrt(max(float(covariance[2, 2]), 0.0))
    if not (COARSE_RADIUS_RANGE[0] * radius <= circle[2] <= COARSE_RADIUS_RANGE[1] * radius):
        return None, "the fitted circle is far from the mesh's iris size"
    if float(np.linalg.norm(circle[:2] - crop.centre)) > (COARSE_CENTRE_RANGE + FINE_WINDOW) * radius * math.sqrt(2):
        return None, "the fitted circle is far from the mesh's iris centre"
    if sigma / diameter > MAX_RELATIVE_SIGMA:
        return None, f"the limbus fit is too uncertain ({sigma / diameter:.1%})"
    fit = LimbusFit(
        diameter_px=diameter,
        sigma_px=sigma,
        source=LimbusSource.IMAGE,
        centre_px=(float(circle[0] + crop.offset[0]), float(circle[1] + crop.offset[1])),
        edge_points=int(used.sum()),
        edges_px=points[used] + crop.offset,
    )
    return fit, ""


def fit_limbi(
    rgb: np.ndarray,
    eyes: tuple[EyeOutline, EyeOutline],
    *,
    prior_diameters_px: tuple[float, float],
    prior_sigmas_px: tuple[float, float],
    limits: LimbusLimits,
) -> tuple[LimbusFit, LimbusFit]:
    """Find the limbus of both eyes in the image; an eye where it is not found keeps the mesh's estimate.

    The two irises of one person have the same size (their white-to-white diameters differ by a few
    tenths of a millimetre at most), so the coarse radius is searched for both eyes at once: a lid
    margin that passes for a border in one eye rarely does so at the same radius in the other. Each
    eye's circle is then fitted on its own edges, so the two results stay independent measurements.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image.
    eyes : tuple of EyeOutline
        The patient's right and left eye (:func:`eye_outline`), in pixels of ``rgb``.
    prior_diameters_px : tuple of float
        The mesh's visible-iris diameter of each eye (contour times the contour-to-visible ratio): the
        search's scale, and the answer when the image gives none.
    prior_sigmas_px : tuple of float
        One-sigma uncertainty of those estimates (the mesh's face-to-face spread).
    limits : LimbusLimits
        The prior on the centre and the shortest visible arc accepted (from the norm set).

    Returns
    -------
    tuple of LimbusFit
        Right, left; ``source`` says whether the image or the mesh gave each diameter.

    Examples
    --------
    Two dark discs of diameter 40 px on a light ground, lids far away:

    >>> yy, xx = np.mgrid[0:120, 0:240]
    >>> inside = (np.hypot(xx - 60.3, yy - 59.8) < 20.0) | (np.hypot(xx - 180.2, yy - 60.1) < 20.0)
    >>> rgb = np.repeat(np.where(inside, 60, 220).astype(np.uint8)[..., None], 3, axis=2)
    >>> lids = np.array([[-50.0, 0.0], [0.0, -50.0], [50.0, 0.0]])
    >>> def eye(x):
    ...     return EyeOutline(np.array([x, 61.0]), lids + [x, 60], lids * [1, -1] + [x, 60], np.array([1.0, 0.0]))
    >>> limits = LimbusLimits(centre_offset_radii=0.0, centre_sd_radii=0.1, min_arc_deg=12.0, aspect=1.0)
    >>> right, left = fit_limbi(
    ...     rgb, (eye(61.0), eye(179.0)), prior_diameters_px=(42, 42), prior_sigmas_px=(2, 2), limits=limits
    ... )
    >>> right.source.value, round(right.diameter_px), round(left.diameter_px)
    ('limbus_fit', 40, 40)
    """
    fallbacks = [
        LimbusFit(
            diameter_px=float(d),
            sigma_px=float(s),
            source=LimbusSource.MESH,
            centre_px=(float(e.centre_px[0]), float(e.centre_px[1])),
        )
        for e, d, s in zip(eyes, prior_diameters_px, prior_sigmas_px, strict=True)
    ]

    def fallback(i: int, reason: str) -> LimbusFit:
        return LimbusFit(**{**fallbacks[i].__dict__, "note": reason})

    radius = float(np.mean(prior_diameters_px)) / 2.0
    if not (radius > 2.0 and math.isfinite(radius)):
        return fallback(0, TOO_SMALL), fallback(1, TOO_SMALL)
    crops = [_crop_eye(rgb, e, float(d) / 2.0, limits) for e, d in zip(eyes, prior_diameters_px, strict=True)]
    radii = np.arange(COARSE_RADIUS_RANGE[0] * radius, COARSE_RADIUS_RANGE[1] * radius, COARSE_STEP_PX)
    scored = [None if c is None else _coarse_scores(c, radii) for c in crops]
    # Shared radius: the best sum of the two eyes' best scores at each radius.
    per_radius = [np.zeros(len(radii)) if s is None else np.maximum(s[0].max(axis=0), 0.0) for s in scored]
    shared = int(np.argmax(per_radius[0] + per_radius[1]))
    results = []
    for i, (crop, sc) in enumerate(zip(crops, scored, strict=True)):
        if crop is None or sc is None:
            results.append(fallback(i, "the eye is outside the image"))
            continue
        score, centres = sc
        best_centre = int(np.argmax(score[:, shared]))
        if not score[best_centre, shared] > 0:
            results.append(fallback(i, "no dark-to-light border around the iris on both sides"))
            continue
        fit, reason = _fine_fit(crop, centres[best_centre], float(radii[shared]))
        results.append(fit if fit is not None else fallback(i, reason))
    return results[0], results[1]


def mirror_fit(fit: LimbusFit, width_px: float) -> LimbusFit:
    """A fit made on the horizontally mirrored image, in the original image's pixels (pixel-centred x:
    ``width - 1 - x``). The caller swaps the eyes: the mirror's right eye is the original's left."""
    edges = fit.edges_px.copy()
    if len(edges):
        edges[:, 0] = width_px - 1.0 - edges[:, 0]
    return LimbusFit(
        diameter_px=fit.diameter_px,
        sigma_px=fit.sigma_px,
        source=fit.source,
        centre_px=(width_px - 1.0 - fit.centre_px[0], fit.centre_px[1]),
        edge_points=fit.edge_points,
        note=fit.note,
        edges_px=edges,
    )


def average_fits(a: LimbusFit, b: LimbusFit) -> LimbusFit:
    """One eye's fit on the image and on its mirror image (mapped back), combined symmetrically.

    Both read from the image: their mean (diameter, centre and uncertainty), edges of both. Otherwise the
    mesh's estimate, so that a limbus found in only one of the two orientations is not used at all: the
    result does not depend on which of the two was the original photo.
    """
    if a.source is LimbusSource.IMAGE and b.source is LimbusSource.IMAGE:
        return LimbusFit(
            diameter_px=(a.diameter_px + b.diameter_px) / 2.0,
            sigma_px=(a.sigma_px + b.sigma_px) / 2.0,
            source=LimbusSource.IMAGE,
            centre_px=((a.centre_px[0] + b.centre_px[0]) / 2.0, (a.centre_px[1] + b.centre_px[1]) / 2.0),
            edge_points=min(a.edge_points, b.edge_points),
            edges_px=np.concatenate([a.edges_px, b.edges_px]),
        )
    meshes = [f for f in (a, b) if f.source is LimbusSource.MESH]
    if len(meshes) == 1:
        note = f"the limbus was found in only one of the photo and its mirror image ({meshes[0].note})"
    else:
        note = "; ".join(sorted({a.note, b.note} - {""}))
    first, last = meshes[0], meshes[-1]
    return LimbusFit(
        diameter_px=(first.diameter_px + last.diameter_px) / 2.0,
        sigma_px=(first.sigma_px + last.sigma_px) / 2.0,
        source=LimbusSource.MESH,
        centre_px=((first.centre_px[0] + last.centre_px[0]) / 2.0, (first.centre_px[1] + last.centre_px[1]) / 2.0),
        note=note,
    )
