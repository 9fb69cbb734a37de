"""The profile edge of a photo without a plain backdrop: the best path over rays from inside the face (pure).

A studio profile is traced from the person mask (:mod:`facebalance.profile.contour`). Outside a studio the
mask is not enough: the selfie model sees a tight crop as all person, a cluttered room as part of the
head, and its 256-pixel grid rounds the subnasal and labiomental hollows. Here the outline is searched
instead, in a region where the face is known to be (:class:`FaceRegion`, from the face mesh, a profile-face
detector, the mask or the frame; see :mod:`facebalance.profile.facefinder`):

1. **Rays.** From a centre inside the face, behind the nose at the height of the upper lip, rays sweep
   from above the nasion over the nose, lips and chin to under the chin. Seen from there the profile is
   star-shaped: each ray leaves the face once (under the nose and the chin the rays meet the outline
   obliquely, which the path allows).
2. **Edge score** on every ray sample: the colour (CIELAB) difference across the sample along the ray,
   compressed (``d / (d + k)``, ``k`` the image's 90th percentile) so that a few very strong background
   edges do not outweigh a long, continuous face edge.
3. **Priors.** The person mask's fall along the ray adds to the score; where the face mesh holds, its
   midline (nasion, nose tip, subnasale, lips, chin) projected into the photo bounds where the edge may
   lie on each ray (:attr:`FaceRegion.band_px`).
4. **Best path** (dynamic programming): one radius per ray, maximising the summed score less a cost per
   pixel of radial jump between neighbouring rays; the image border is allowed with a small score where
   the face leaves the photo.
5. **Colour model.** The colours just inside and just outside the first path give a face / background
   likelihood ratio (smoothed 3-D histograms); its step across each ray sample is added and the path is
   searched again. This separates skin from a background of similar brightness and keeps the path off
   edges inside the face (a beard line, the vermilion border, glasses) that have face colours on both
   sides.

Every length is a fraction of the region's nasion-to-chin length, so the search is scale-free; it runs on a
copy reduced to :data:`WORK_FACE_PX` and the result is refined on the full photo by
:func:`facebalance.profile.contour.refine_outline`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from facebalance.profile.geometry import gaussian_smooth, resample_polyline

#: The search runs on a copy where the nasion-to-chin length is at most this many pixels.
WORK_FACE_PX = 400.0
#: Radial sampling step, pixels of the working copy.
RADIAL_STEP_PX = 0.5
#: Ray centre: behind the nose tip by this fraction of the face length, at this fraction of the way down
#: from the nasion to the chin.
CENTRE_BEHIND = 0.85
CENTRE_DOWN = 0.45
#: Rays run from this far above the nasion to this far below (and behind) the chin (fractions of the face).
ABOVE_NASION = 0.6
BELOW_CHIN = 0.3
BEHIND_CHIN = 0.3
#: Radii searched, fractions of the face length.
MIN_RADIUS = 0.25
MAX_RADIUS = 1.5
#: Cost of a radial jump between neighbouring rays, per working pixel (the edge score is in [0, 1)).
JUMP_COST_PER_PX = 0.04
#: Score of the image border (the face leaves the photo there).
FRAME_EDGE_SCORE = 0.15
#: Weight of the person mask's fall along a ray; of the colour model's step (in [-1, 1]).
MASK_WEIGHT = 0.6
COLOUR_WEIGHT = 0.5
#: Width of the colour model's sampling bands each side of the path, and of its step, fractions of the face.
COLOUR_BAND = 0.12
COLOUR_STEP = 0.05

#: Bins per CIELAB axis of the colour histograms.
COLOUR_BINS = 12
#: Forbidden cells (outside the mesh band) score this.
FORBIDDEN = -5.0


@dataclass(frozen=True)
class FaceRegion:
    """Where the face is in a canonical photo (face toward +x), and how sure that is.

    Attributes
    ----------
    nasion_xy, pronasale_xy, chin_xy : ndarray of shape (2,)
        Approximate soft-tissue nasion, nose tip and lowest chin point, canonical pixels of the photo.
    source : str
        What gave the region: ``"face mesh"``, ``"profile detector"``, ``"person mask"`` or ``"frame"``.
    midline_xy : ndarray of shape (M, 2) or None
        The face mesh's midline from the nasion to the chin, projected into the photo (canonical pixels):
        the profile edge lies near it (:attr:`band_px`). ``None`` without a mesh.
    band_px : (float, float)
        How far inside and outside the midline the edge may lie, pixels of the photo.
    """

    nasion_xy: np.ndarray
    pronasale_xy: np.ndarray
    chin_xy: np.ndarray
    source: str
    midline_xy: np.ndarray | None = None
    band_px: tuple[float, float] = (0.0, 0.0)

    @property
    def face_px(self) -> float:
        """The nasion-to-chin length, pixels: the region's scale."""
        return float(np.hypot(*(np.asarray(self.chin_xy) - np.asarray(self.nasion_xy))))

    def scaled(self, factor: float) -> FaceRegion:
        """The same region on a copy of the photo resized by ``factor`` (pixel centres kept)."""

        def s(xy: np.ndarray) -> np.ndarray:
            return (np.asarray(xy, dtype=np.float64) + 0.5) * factor - 0.5

        return FaceRegion(
            nasion_xy=s(self.nasion_xy),
            pronasale_xy=s(self.pronasale_xy),
            chin_xy=s(self.chin_xy),
            source=self.source,
            midline_xy=None if self.midline_xy is None else s(self.midline_xy),
            band_px=(self.band_px[0] * factor, self.band_px[1] * factor),
        )


@dataclass(frozen=True)
class EdgePath:
    """The searched profile edge.

    Attributes
    ----------
    points_px : ndarray of shape (K, 2)
        One point per ray, canonical pixels of the photo given, from above the nasion to under the chin.
    on_frame_edge : ndarray of shape (K,), bool
        The path runs along the image border there (the face leaves the photo, or nothing was found).
    support : ndarray of shape (K,)
        The edge score at each point, in [0, 1).
    """

    points_px: np.ndarray
    on_frame_edge: np.ndarray
    support: np.ndarray


def best_path(score: np.ndarray, jump_cost: float) -> np.ndarray:
    """One index per row of ``score`` maximising the summed score less ``jump_cost`` per index of jump.

    Parameters
    ----------
    score : ndarray of shape (K, N)
        Score of each of N positions on each of K rays.
    jump_cost : float
        Cost per position of change between consecutive rays (an L1 smoothness prior, any jump allowed).

    Returns
    -------
    ndarray of shape (K,), int

    Examples
    --------
    >>> s = np.zeros((4, 5)); s[:, 1] = 1.0; s[2, 4] = 1.5
    >>> best_path(s, 0.5).tolist()
    [1, 1, 1, 1]
    >>> best_path(s, 0.05).tolist()
    [1, 1, 4, 1]
    """
    k_rays, n = score.shape
    idx = np.arange(n)
    acc = score[0].astype(np.float64).copy()
    back = np.zeros((k_rays, n), dtype=np.int32)
    for k in range(1, k_rays):
        best, arg = _max_l1_convolution(acc, jump_cost, idx)
        back[k] = arg
        acc = best + score[k]
    path = np.zeros(k_rays, dtype=np.int32)
    path[-1] = int(np.argmax(acc))
    for k in range(k_rays - 1, 0, -1):
        path[k - 1] = back[k, path[k]]
    return path


def _running_argmax(a: np.ndarray) -> np.ndarray:
    """Index of the running maximum of ``a`` (the first one on ties)."""
    running = np.maximum.accumulate(a)
    new = np.concatenate([[True], a[1:] > running[:-1]])
    return np.maximum.accumulate(np.where(new, np.arange(len(a)), 0))


def _max_l1_convolution(g: np.ndarray, cost: float, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``f(j) = max_i g(i) - cost |i - j|`` and its argmax, in two linear passes."""
    n = len(g)
    fwd_src = g + cost * idx
    fwd = np.maximum.accumulate(fwd_src) - cost * idx
    fwd_arg = _running_argmax(fwd_src)
    bwd_src = (g - cost * idx)[::-1]
    bwd = (np.maximum.accumulate(bwd_src))[::-1] + cost * idx
    bwd_arg = (n - 1 - _running_argmax(bwd_src))[::-1]
    use_fwd = fwd >= bwd
    return np.where(use_fwd, fwd, bwd), np.where(use_fwd, fwd_arg, bwd_arg)


def _box_step(values: np.ndarray, width: int) -> np.ndarray:
    """Per ray sample ``j``: mean of the ``width`` samples before ``j`` less the mean of those from ``j`` on."""
    k_rays, n = values.shape
    cs = np.concatenate([np.zeros((k_rays, 1)), np.cumsum(values, axis=1)], axis=1)
    j = np.arange(n)
    a = np.clip(j - width, 0, n)
    b = np.clip(j + width, 0, n)
    inner = (cs[:, j] - cs[:, a]) / np.maximum(j - a, 1)
    outer = (cs[:, b] - cs[:, j]) / np.maximum(b - j, 1)
    return np.asarray(inner - outer, dtype=np.float64)


def _colour_bins(lab: np.ndarray) -> np.ndarray:
    """Histogram bin of each CIELAB pixel (L in [0, 100], a and b in [-100, 100])."""
    b = COLOUR_BINS
    q = np.stack(
        [
            np.clip(lab[..., 0] / 100.0 * b, 0, b - 1),
            np.clip((lab[..., 1] + 100.0) / 200.0 * b, 0, b - 1),
            np.clip((lab[..., 2] + 100.0) / 200.0 * b, 0, b - 1),
        ],
        axis=-1,
    ).astype(np.int32)
    return q[..., 0] * b * b + q[..., 1] * b + q[..., 2]


def colour_likelihood_ratio(bins: np.ndarray, inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Log ratio of face to background colour likelihood per pixel, clipped to [-3, 3].

    Parameters
    ----------
    bins : ndarray of int
        Colour bin per pixel (:func:`_colour_bins`).
    inside, outside : ndarray of bool, same shape
        Pixels known to be face, and background.
    """
    n = COLOUR_BINS**3
    hf = np.bincount(bins[inside], minlength=n).astype(np.float64)
    hb = np.bincount(bins[outside], minlength=n).astype(np.float64)
    # A little smoothing across neighbouring bins: a face's colours are a cloud, not a few bins.
    hf_smooth = np.asarray(cv2.GaussianBlur(hf.reshape(COLOUR_BINS, -1), (0, 0), 0.7), dtype=np.float64).ravel()
    hb_smooth = np.asarray(cv2.GaussianBlur(hb.reshape(COLOUR_BINS, -1), (0, 0), 0.7), dtype=np.float64).ravel()
    pf = (hf_smooth + 1.0) / (hf_smooth.sum() + n)
    pb = (hb_smooth + 1.0) / (hb_smooth.sum() + n)
    return np.asarray(np.clip(np.log(pf / pb)[bins], -3.0, 3.0), dtype=np.float32)


def _band_radii(midline: np.ndarray, centre: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Radius at which each ray from ``centre`` crosses the polyline ``midline`` (the outermost crossing),
    NaN where it does not."""
    r = np.full(len(theta), np.nan)
    d = np.column_stack([np.cos(theta), np.sin(theta)])
    for a, b in zip(midline[:-1] - centre, midline[1:] - centre, strict=True):
        e = b - a
        den = d[:, 1] * e[0] - d[:, 0] * e[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (a[1] * e[0] - a[0] * e[1]) / den
            s = (d[:, 1] * a[0] - d[:, 0] * a[1]) / den
        hit = (np.abs(den) > 1e-9) & (s >= 0) & (s <= 1) & (t > 0)
        r = np.where(hit, np.fmax(r, t), r)
    return r


def trace_profile_edge(
    rgb: np.ndarray,
    region: FaceRegion,
    *,
    person: np.ndarray | None = None,
    colour_passes: int = 1,
) -> EdgePath:
    """Search the profile edge of a canonical photo (face toward +x) in a face region.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The photo in the canonical orientation (a left profile mirrored).
    region : FaceRegion
        Where the face is, canonical pixels of ``rgb``.
    person : ndarray of shape (h, w), float, optional
        Person confidence in [0, 1] on any grid covering the photo (canonical orientation).
    colour_passes : int
        Searches with the colour model after the first (0 for the edge score and priors alone).

    Returns
    -------
    EdgePath
        In canonical pixels of ``rgb``.
    """
    h_full, w_full = rgb.shape[:2]
    factor = min(1.0, WORK_FACE_PX / max(region.face_px, 1.0))
    work = rgb
    if factor < 1.0:
        size = (max(1, round(w_full * factor)), max(1, round(h_full * factor)))
        work = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        factor = work.shape[1] / w_full
    reg = region.scaled(factor) if factor != 1.0 else region
    h, w = work.shape[:2]
    face = max(reg.face_px, 20.0)
    lab = cv2.cvtColor(
        cv2.GaussianBlur(work, (0, 0), max(0.7, face / 300.0)).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB
    )
    nasion, tip, chin = (np.asarray(p, dtype=np.float64) for p in (reg.nasion_xy, reg.pronasale_xy, reg.chin_xy))
    centre = np.array([tip[0] - CENTRE_BEHIND * face, nasion[1] + CENTRE_DOWN * (chin[1] - nasion[1])])
    top = nasion + np.array([0.0, -ABOVE_NASION * face])
    bottom = chin + np.array([-BEHIND_CHIN * face, BELOW_CHIN * face])
    th0 = math.atan2(top[1] - centre[1], top[0] - centre[0])
    th1 = math.atan2(bottom[1] - centre[1], bottom[0] - centre[0])
    if th1 <= th0:
        th1 += 2.0 * math.pi
    theta = np.arange(th0, th1, 1.0 / face)
    radii = np.arange(MIN_RADIUS * face, MAX_RADIUS * face, RADIAL_STEP_PX)
    xs = (centre[0] + np.cos(theta)[:, None] * radii[None, :]).astype(np.float32)
    ys = (centre[1] + np.sin(theta)[:, None] * radii[None, :]).astype(np.float32)
    inside = (xs >= 0) & (xs <= w - 1) & (ys >= 0) & (ys <= h - 1)
    samples = cv2.remap(lab, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    step = max(1, round(face / 250.0 / RADIAL_STEP_PX))
    diff = np.zeros(samples.shape[:2], dtype=np.float32)
    diff[:, step:-step] = np.linalg.norm(samples[:, 2 * step :] - samples[:, : -2 * step], axis=2)
    diff[~inside] = 0.0
    k = float(np.percentile(diff[inside], 90)) + 1e-3 if inside.any() else 1.0
    edge = diff / (diff + k)
    # The image border: the last sample of each ray inside the photo.
    rays = np.arange(len(theta))
    last = np.where(inside.any(axis=1), inside.shape[1] - 1 - np.argmax(inside[:, ::-1], axis=1), 0)
    frame = np.zeros_like(edge)
    frame[rays, last] = FRAME_EDGE_SCORE
    score = np.maximum(edge, frame)
    if person is not None:
        gy = (ys + 0.5) * person.shape[0] / h - 0.5
        gx = (xs + 0.5) * person.shape[1] / w - 0.5
        conf = cv2.remap(
            np.asarray(person, dtype=np.float32), gx, gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        score = score + MASK_WEIGHT * _box_step(conf, max(2, round(0.04 * face / RADIAL_STEP_PX)))
    # The path stays in the photo: samples beyond its edge (each ray's last one is the edge itself) are out.
    allowed = inside.copy()
    allowed[rays, last] = True
    if reg.midline_xy is not None and len(reg.midline_xy) >= 2:
        r_mid = _band_radii(np.asarray(reg.midline_xy, dtype=np.float64), centre, theta)
        lo = np.where(np.isfinite(r_mid), r_mid - reg.band_px[0], -np.inf)
        hi = np.where(np.isfinite(r_mid), r_mid + reg.band_px[1], np.inf)
        band = (radii[None, :] >= lo[:, None]) & (radii[None, :] <= hi[:, None])
        # A band that misses the photo altogether does not bind.
        band[~(band & allowed).any(axis=1)] = True
        allowed &= band
    jump = JUMP_COST_PER_PX * RADIAL_STEP_PX
    path = best_path(np.where(allowed, score, FORBIDDEN), jump)
    if colour_passes > 0:
        bins = _colour_bins(lab)
        xi = np.clip(np.round(xs).astype(np.int32), 0, w - 1)
        yi = np.clip(np.round(ys).astype(np.int32), 0, h - 1)
        width = max(2, round(COLOUR_BAND * face / RADIAL_STEP_PX))
        j = np.arange(len(radii))[None, :]
        for _ in range(colour_passes):
            near_in = (j < path[:, None]) & (j >= path[:, None] - width) & inside
            near_out = (j > path[:, None] + 2) & (j <= path[:, None] + width) & inside
            face_px = np.zeros((h, w), dtype=bool)
            back_px = np.zeros((h, w), dtype=bool)
            face_px[yi[near_in], xi[near_in]] = True
            back_px[yi[near_out], xi[near_out]] = True
            back_px &= ~face_px
            if face_px.sum() < 50 or back_px.sum() < 50:
                break
            llr = colour_likelihood_ratio(bins, face_px, back_px)
            ray_llr = cv2.remap(llr, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            region_step = np.clip(_box_step(ray_llr, max(2, round(COLOUR_STEP * face / RADIAL_STEP_PX))) / 3.0, -1, 1)
            combined = score + COLOUR_WEIGHT * region_step
            path = best_path(np.where(allowed, np.maximum(combined, frame), FORBIDDEN), jump)
    r = radii[path]
    pts = np.column_stack([centre[0] + np.cos(theta) * r, centre[1] + np.sin(theta) * r])
    pts = (pts + 0.5) / factor - 0.5
    return EdgePath(points_px=pts, on_frame_edge=path >= last - 1, support=edge[rays, path])


#: Ribbon refinement: samples per pixel across the path, the colour model's bands (pixels beyond the
#: search half-width on each side), the width of the colour step (pixels), and the cost of a jump between
#: neighbouring normals per pixel.
RIBBON_SAMPLES_PER_PX = 2
RIBBON_BAND_PX = 8.0
RIBBON_STEP_PX = 3.0
RIBBON_JUMP_COST_PER_PX = 0.15


def refine_on_ribbon(rgb: np.ndarray, path_px: np.ndarray, half_width_px: float) -> np.ndarray:
    """The searched path moved onto the face's edge in the full-resolution photo, within ``half_width_px``.

    Along the normals of the (working-resolution) path, on the full photo: the colour difference across
    each sample plus the step of a face / background colour model taken from just inside and just outside
    the band; the best smooth path across the normals (as in :func:`best_path`). Unlike a local edge
    crossing, this holds in front of clutter, where the backdrop's colour changes from one normal to the next.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The photo, canonical orientation.
    path_px : ndarray of shape (N, 2)
        The searched path in canonical pixels of ``rgb``, ordered down the face.
    half_width_px : float
        How far each way along the normals the edge is looked for.

    Returns
    -------
    ndarray of shape (M, 2)
        Resampled at about 1 px.
    """
    pts = resample_polyline(np.asarray(path_px, dtype=np.float64), 1.0)
    if len(pts) < 8:
        return pts
    smooth = gaussian_smooth(pts, 3.0)
    d = np.gradient(smooth, axis=0)
    normals = np.column_stack([d[:, 1], -d[:, 0]])
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-9)
    reach = half_width_px + RIBBON_BAND_PX
    t = np.arange(-reach, reach + 1e-9, 1.0 / RIBBON_SAMPLES_PER_PX)
    xs = (pts[:, 0:1] + normals[:, 0:1] * t[None, :]).astype(np.float32)
    ys = (pts[:, 1:2] + normals[:, 1:2] * t[None, :]).astype(np.float32)
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    samples = cv2.remap(lab, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    step = RIBBON_SAMPLES_PER_PX
    diff = np.zeros(samples.shape[:2], dtype=np.float32)
    diff[:, step:-step] = np.linalg.norm(samples[:, 2 * step :] - samples[:, : -2 * step], axis=2)
    k = float(np.percentile(diff, 90)) + 1e-3
    edge = diff / (diff + k)
    bins = _colour_bins(samples)
    inner = np.zeros(bins.shape, dtype=bool)
    outer = np.zeros(bins.shape, dtype=bool)
    inner[:, t < -half_width_px] = True
    outer[:, t > half_width_px] = True
    llr = colour_likelihood_ratio(bins, inner, outer)
    region = np.clip(_box_step(llr, round(RIBBON_STEP_PX * RIBBON_SAMPLES_PER_PX)) / 3.0, -1.0, 1.0)
    score = edge + COLOUR_WEIGHT * region
    within = np.abs(t) <= half_width_px
    score[:, ~within] = FORBIDDEN
    path = best_path(score, RIBBON_JUMP_COST_PER_PX / RIBBON_SAMPLES_PER_PX)
    return np.asarray(pts + normals * t[path][:, None], dtype=np.float64)
