"""Reading the image along head-frame lines and grids, the way every refined point does.

Every refinement samples the photo at head-frame points (x toward the patient's left, y down, pixels of the
analysed image), mapped into the image through the head frame at the depth of the mesh vertex it refines.
Sampling is bilinear on pixel-centred coordinates (pixel column ``c`` is at ``x = c``, like the face mesh's
coordinates; see :mod:`facebalance.vision.mirror`), so that reading a mirrored photo at mirrored points gives
the same values: with a mirror-symmetric sampling pattern a refinement is exactly mirror-equivariant.

Only the pixels read are converted (a refinement reads a few thousand of the photo's millions).
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.frame import HeadFrame

#: sRGB luma weights (ITU-R BT.601), for the quick luminance the brow margin uses.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of sRGB values in 0-255, any leading shape."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def bilinear(image: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Bilinear samples of an (H, W) or (H, W, C) image at pixel-centred points ``xy`` (..., 2).

    Points are clamped to the image; the result has shape ``xy.shape[:-1]`` (+ ``(C,)``), float64.

    Examples
    --------
    >>> img = np.array([[0.0, 10.0], [20.0, 30.0]])
    >>> float(bilinear(img, np.array([0.5, 0.5])))
    15.0
    """
    h, w = image.shape[:2]
    x = np.clip(np.asarray(xy[..., 0], dtype=np.float64), 0.0, w - 1.0)
    y = np.clip(np.asarray(xy[..., 1], dtype=np.float64), 0.0, h - 1.0)
    x0 = np.minimum(np.floor(x).astype(np.intp), max(w - 2, 0))
    y0 = np.minimum(np.floor(y).astype(np.intp), max(h - 2, 0))
    fx, fy = x - x0, y - y0
    if image.ndim == 3:
        fx, fy = fx[..., None], fy[..., None]
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    img = np.asarray(image)
    top = img[y0, x0] * (1 - fx) + img[y0, x1] * fx
    bottom = img[y1, x0] * (1 - fx) + img[y1, x1] * fx
    return np.asarray(top * (1 - fy) + bottom * fy, dtype=np.float64)


class FaceImage:
    """The analysed photo read at head-frame points of one face.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image.
    frame : HeadFrame
        The face's head frame in that image.
    """

    def __init__(self, rgb: np.ndarray, frame: HeadFrame) -> None:
        self.rgb = np.asarray(rgb)
        self.frame = frame

    def to_image(self, xy: np.ndarray, depth_px: float) -> np.ndarray:
        """Head-frame points (..., 2) at head-frame depth ``depth_px`` -> image pixels (..., 2)."""
        pts = np.asarray(xy, dtype=np.float64)
        flat = pts.reshape(-1, 2)
        head = np.column_stack([flat, np.full(len(flat), float(depth_px))])
        image = head @ self.frame.rotation.T + self.frame.origin_px
        return np.asarray(image[:, :2].reshape(pts.shape), dtype=np.float64)

    def rgb_at(self, xy: np.ndarray, depth_px: float) -> np.ndarray:
        """Bilinear RGB (0-255, float) at head-frame points (..., 2); shape (..., 3)."""
        return bilinear(self.rgb, self.to_image(xy, depth_px))

    def lab_at(self, xy: np.ndarray, depth_px: float) -> np.ndarray:
        """CIE L*a*b* at head-frame points (..., 2); shape (..., 3)."""
        return srgb_to_lab(self.rgb_at(xy, depth_px))

    def luma_at(self, xy: np.ndarray, depth_px: float) -> np.ndarray:
        """sRGB luma (0-255) at head-frame points (..., 2)."""
        return np.asarray(self.rgb_at(xy, depth_px) @ LUMA_WEIGHTS, dtype=np.float64)


def symmetric_offsets(half_width: float, step: float) -> np.ndarray:
    """Offsets from ``-half_width`` to ``+half_width`` about 0, spaced about ``step``, mirror-symmetric.

    >>> symmetric_offsets(1.0, 0.5).tolist()
    [-1.0, -0.5, 0.0, 0.5, 1.0]
    """
    n = max(1, int(np.ceil(half_width / step)))
    return np.linspace(-half_width, half_width, 2 * n + 1)


def band_profile(
    image: FaceImage,
    feature: str,
    centre_xy: np.ndarray,
    along_xy: np.ndarray,
    offsets: np.ndarray,
    half_width: float,
    depth_px: float,
) -> np.ndarray:
    """A feature profile along a head-frame line, averaged across a band perpendicular to it.

    Parameters
    ----------
    image : FaceImage
    feature : {"lab", "luma"}
        What is read: L*a*b* (profile of shape (N, 3)) or luma (shape (N,)).
    centre_xy : ndarray of shape (2,)
        The line's origin (offset 0), head frame.
    along_xy : ndarray of shape (2,)
        Unit direction of increasing offset.
    offsets : ndarray of shape (N,)
        Positions along the line, pixels.
    half_width : float
        Half-width of the band across the line, pixels (sampled at 7 mirror-symmetric points).
    depth_px : float
        Head-frame depth at which the line is mapped into the image.
    """
    along = np.asarray(along_xy, dtype=np.float64)
    across = np.array([-along[1], along[0]])
    cross = np.linspace(-half_width, half_width, 7)
    pts = (
        np.asarray(centre_xy, dtype=np.float64)[None, None, :]
        + offsets[:, None, None] * along[None, None, :]
        + cross[None, :, None] * across[None, None, :]
    )
    values = image.lab_at(pts, depth_px) if feature == "lab" else image.luma_at(pts, depth_px)
    return np.asarray(values.mean(axis=1), dtype=np.float64)


def smooth(profile: np.ndarray, width: int) -> np.ndarray:
    """Moving average of a 1-D profile (``width`` samples, same length; the ends average what exists)."""
    kernel = np.ones(width)
    total = np.convolve(profile, kernel, mode="same")
    count = np.convolve(np.ones(len(profile)), kernel, mode="same")
    return np.asarray(total / count, dtype=np.float64)


def parabolic_peak(values: np.ndarray, index: int) -> float:
    """Sub-sample position of the extremum at ``index`` from a parabola through it and its neighbours.

    >>> round(parabolic_peak(np.array([0.0, 1.0, 0.5]), 1), 4)
    1.1667
    """
    if 0 < index < len(values) - 1:
        a, b, c = float(values[index - 1]), float(values[index]), float(values[index + 1])
        den = a - 2.0 * b + c
        if den != 0.0:
            return index + float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))
    return float(index)


def strongest_step(
    profile: np.ndarray, offsets: np.ndarray, *, prior: float, proximity: float, guard: int
) -> tuple[float, float]:
    """Where a profile rises most steeply, preferring steps near ``prior``.

    Parameters
    ----------
    profile : ndarray of shape (N,)
        Already smoothed and oriented so that the wanted edge is a rise with increasing offset.
    offsets : ndarray of shape (N,)
        Evenly spaced positions of the samples.
    prior : float
        The expected position (the mesh's), same unit as ``offsets``.
    proximity : float
        Scale of the Gaussian preference for steps near ``prior``.
    guard : int
        Samples at each end that cannot hold the edge (the smoothing's reach).

    Returns
    -------
    (position, slope)
        The edge's sub-sample position and the profile's rise per unit offset there.

    Notes
    -----
    The preference only chooses *which* rise: the edge is then placed at the steepest point of that rise
    (the run of samples around the chosen one rising at least half as steeply), so a soft edge is not
    pulled toward the prior.
    """
    step = float(offsets[1] - offsets[0])
    slope = np.gradient(profile, step)
    score = slope * np.exp(-(((offsets - prior) / proximity) ** 2))
    score[:guard] = -np.inf
    score[len(score) - guard :] = -np.inf
    j = int(np.argmax(score))
    lo, hi = j, j
    while lo - 1 >= guard and slope[lo - 1] >= 0.5 * slope[j]:
        lo -= 1
    while hi + 1 < len(slope) - guard and slope[hi + 1] >= 0.5 * slope[j]:
        hi += 1
    j = lo + int(np.argmax(slope[lo : hi + 1]))
    return float(offsets[0] + parabolic_peak(slope, j) * step), float(slope[j])
