"""The profile outline of a lateral photo: from a person mask to an ordered, edge-refined polyline.

Three steps, each testable on its own:

1. :func:`outline_from_mask` - the largest person region of a (coarse) mask, its outer boundary, and of
   that boundary the **front run**: from the crown (the topmost point) forward and down over the face
   and neck to where the person leaves the frame at the bottom. Refuses a head that runs off the top of
   the photo (:class:`~facebalance.profile.errors.HeadCutOff`).
2. :func:`backdrop_texture` - how plain the backdrop is (robust spread of the fine detail of the pixels
   the mask calls backdrop); a busy backdrop is refused
   (:class:`~facebalance.profile.errors.BusyBackdrop`), since the outline's edge cannot be trusted there.
3. :func:`refine_outline` - the segmentation model sees the photo at 256 x 256, so its edge is a few
   full-resolution pixels off. Each outline point is moved along its normal to where the full-resolution
   photo changes from backdrop to person: along the normal, colour distance (CIELAB) from the local
   backdrop (sampled just outside), and the edge is where that distance first reaches half of the
   person's (sampled just inside), interpolated to sub-pixel. Points without a clear edge keep the
   model's position and are counted.

All coordinates are in the **canonical orientation** (face toward +x, see :mod:`facebalance.profile.frame`)
and in pixels of the image given; the caller mirrors a left profile first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from facebalance.profile.errors import HeadCutOff, NoPersonFound
from facebalance.profile.geometry import gaussian_smooth, resample_polyline

#: A person region smaller than this fraction of the frame is not a head-and-shoulders photo.
MIN_PERSON_FRACTION = 0.03
#: The head may come this close (fraction of the image height) to the top edge before it counts as cut off.
TOP_MARGIN = 0.005
#: ... and this close (fraction of the width) to the edge the face looks at.
FRONT_MARGIN = 0.005


@dataclass(frozen=True)
class TracedOutline:
    """A traced profile outline, ready for :func:`~facebalance.profile.landmarks.locate_landmarks`.

    Attributes
    ----------
    points_px : ndarray of shape (N, 2)
        Canonical image pixels (face toward +x, y down), ordered from the top of the head to the neck.
    noise_px : float
        Estimated one-sigma noise of the outline across itself, pixels.
    source : {"photo", "xray"}
        What was traced.
    edge_found_fraction : float
        Fraction of the outline placed on an image edge (the rest is the segmentation's or interpolated).
    """

    points_px: np.ndarray
    noise_px: float
    source: Literal["photo", "xray"]
    edge_found_fraction: float


def _largest_region(mask: np.ndarray) -> np.ndarray:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros_like(mask, dtype=bool)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return np.asarray(labels == biggest)


def outline_from_mask(mask: np.ndarray, *, scale: float = 1.0, allow_top_cut: bool = False) -> np.ndarray:
    """The front run of the person's outline in a canonical (face toward +x) mask.

    Parameters
    ----------
    mask : ndarray of shape (h, w), bool
        Person pixels, canonical orientation; may be a reduced grid.
    scale : float
        Pixels of the target image per mask pixel: the result is in target-image pixels (pixel centres).
    allow_top_cut : bool
        Accept a head that runs off the top of the photo (the run then starts at the top edge).

    Returns
    -------
    ndarray of shape (N, 2)
        From the crown to where the outline reaches the bottom of the frame (or its lowest point).

    Raises
    ------
    NoPersonFound
        No person region, or one too small for a head-and-shoulders photo.
    HeadCutOff
        The head touches the top of the frame (the face touching the front edge is checked on the located
        landmarks, :func:`touches_front_edge`: shoulders may fill the frame below).

    Examples
    --------
    A square "head" standing on the bottom edge: the run goes from its top, over its front, down.

    >>> m = np.zeros((20, 20), dtype=bool)
    >>> m[5:, 5:15] = True
    >>> run = outline_from_mask(m)
    >>> run[0].tolist(), run[-1].tolist()
    ([10.0, 5.0], [14.0, 19.0])
    """
    region = _largest_region(np.asarray(mask, dtype=bool))
    h, w = region.shape
    if region.sum() < MIN_PERSON_FRACTION * h * w:
        raise NoPersonFound(
            "No person was found against the backdrop.",
            hint="Use a lateral photo of the patient's head and shoulders against a plain backdrop.",
        )
    contours, _ = cv2.findContours(region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    boundary = max(contours, key=len)[:, 0, :].astype(np.float64)
    ys = boundary[:, 1]
    top = ys.min()
    if top <= TOP_MARGIN * h and not allow_top_cut:
        raise HeadCutOff(
            "The top of the head is cut off at the top edge of the photo.",
            hint="Retake the profile with the whole head, crown to neck, in the frame.",
        )
    # The crown: the middle of the topmost run of boundary points.
    tops = np.flatnonzero(ys == top)
    crown = int(tops[len(tops) // 2])
    n = len(boundary)
    # Walk the way that goes forward (+x) from the crown.
    ahead = boundary[(crown + np.arange(1, max(2, n // 20))) % n, 0].mean()
    behind = boundary[(crown - np.arange(1, max(2, n // 20))) % n, 0].mean()
    step = 1 if ahead >= behind else -1
    order = (crown + step * np.arange(n)) % n
    run = boundary[order]
    at_bottom = np.flatnonzero(run[:, 1] >= h - 1)
    end = int(at_bottom[0]) + 1 if at_bottom.size else int(np.argmax(run[:, 1])) + 1
    run = run[:end]
    return (run + 0.5) * scale - 0.5


def touches_front_edge(points_px: np.ndarray, width: int) -> bool:
    """Whether canonical outline points (N, 2) reach the edge of the frame the face looks toward."""
    return bool(len(points_px)) and float(np.max(points_px[:, 0])) >= (width - 1) - max(1.0, FRONT_MARGIN * width)


def backdrop_texture(rgb: np.ndarray, person: np.ndarray) -> float:
    """How busy the backdrop is: robust spread (1.4826 MAD) of its fine luminance detail, 8-bit levels.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
    person : ndarray of shape (H, W), bool
        Person pixels on the same grid; the backdrop is what lies well away from them.

    Returns
    -------
    float
        About the camera noise (1-3) for a studio backdrop; tens for a room, a bookshelf, a pattern.
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = gray - cv2.GaussianBlur(gray, (0, 0), 3.0)
    margin = max(3, int(0.02 * max(gray.shape)))
    away = cv2.dilate(person.astype(np.uint8), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)) == 0
    values = detail[away]
    if values.size < 100:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def _normals(points: np.ndarray) -> np.ndarray:
    smooth = gaussian_smooth(points, 3.0)
    d = np.gradient(smooth, axis=0)
    n = np.column_stack([d[:, 1], -d[:, 0]])
    return np.asarray(n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9))


def refine_outline(
    rgb: np.ndarray,
    outline_px: np.ndarray,
    *,
    search_px: float,
    mirrored: bool = False,
    min_contrast: float = 8.0,
) -> TracedOutline:
    """Move each outline point along its normal onto the backdrop-to-person edge of the full-resolution photo.

    Two passes: the first along the normals of the coarse outline; the second, over a few pixels, along
    the normals of the first pass's result. The second pass restores corners (the nose tip, the lips) that
    the coarse outline cuts: there the first pass's offsets peak over a few points, and the agreement with
    the neighbours' median (which keeps the edge from jumping to stray texture) clips such a peak.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The full-resolution photo **as taken** (not mirrored).
    outline_px : ndarray of shape (N, 2)
        Coarse outline in canonical pixels of that photo.
    search_px : float
        How far (each way) along the normal the edge is looked for: the model's edge error.
    mirrored : bool
        True when the canonical orientation is the photo mirrored (a left profile): sample positions are
        mirrored back into the photo, so the photo itself is never copied.
    min_contrast : float
        Least CIELAB distance between person and backdrop for an edge to count.

    Returns
    -------
    TracedOutline
        Resampled at about 1 px; ``edge_found_fraction`` says how much of it sits on a found edge.
    """
    first, _, _ = _refine_once(rgb, outline_px, search_px, mirrored, min_contrast)
    refined, noise, fraction = _refine_once(rgb, first, min(search_px, SECOND_PASS_SEARCH_PX), mirrored, min_contrast)
    return TracedOutline(points_px=refined, noise_px=noise, source="photo", edge_found_fraction=fraction)


#: Search range (each way) of the second refinement pass, pixels.
SECOND_PASS_SEARCH_PX = 3.0


def _refine_once(
    rgb: np.ndarray, outline_px: np.ndarray, search_px: float, mirrored: bool, min_contrast: float
) -> tuple[np.ndarray, float, float]:
    """One refinement pass: the moved points, the outline noise and the fraction placed on an edge."""
    w = rgb.shape[1]
    pts = resample_polyline(outline_px, 1.0)
    normals = _normals(pts)
    t = np.arange(-search_px, search_px + 0.25, 0.5)
    sx = pts[:, 0:1] + normals[:, 0:1] * t[None, :]
    sy = pts[:, 1:2] + normals[:, 1:2] * t[None, :]
    if mirrored:
        sx = (w - 1) - sx
    samples = cv2.remap(
        rgb, sx.astype(np.float32), sy.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    lab = cv2.cvtColor(samples.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    quarter = max(1, len(t) // 4)
    backdrop = np.median(lab[:, -quarter:], axis=1)
    person = np.median(lab[:, :quarter], axis=1)
    distance = np.linalg.norm(lab - backdrop[:, None, :], axis=2)
    contrast = np.linalg.norm(person - backdrop, axis=1)
    half = 0.5 * contrast
    offsets = np.zeros(len(pts))
    found = np.zeros(len(pts), dtype=bool)
    for i in np.flatnonzero(contrast >= min_contrast):
        d = distance[i]
        # From the backdrop end inward, the first sample at or above half the person's distance.
        above = np.flatnonzero(d[::-1] >= half[i])
        if above.size == 0:
            continue
        j = len(t) - 1 - int(above[0])
        if j == len(t) - 1 or j == 0:
            continue
        d0, d1 = d[j + 1], d[j]  # outside, inside
        frac = (half[i] - d0) / (d1 - d0) if d1 != d0 else 0.0
        offsets[i] = t[j + 1] + frac * (t[j] - t[j + 1])
        found[i] = True
    # A point's edge is trusted when its neighbours agree: median of the offsets over 9 points.
    padded = np.pad(np.where(found, offsets, np.nan), 4, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows are expected: no edge there
        med = np.nanmedian(np.where(np.isfinite(windows), windows, np.nan), axis=1)
    agree = found & (np.abs(offsets - med) <= 2.0)
    final = np.where(agree, offsets, np.where(np.isfinite(med), med, 0.0))
    refined = pts + normals * final[:, None]
    residual = (offsets - med)[agree]
    noise = float(1.4826 * np.median(np.abs(residual))) if residual.size else 1.0
    return refined, max(0.3, noise), float(agree.mean()) if len(agree) else 0.0
