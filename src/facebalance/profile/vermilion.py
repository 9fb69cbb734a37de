"""The lower lip's vermilion border on a lateral photo, from colour (pure: arrays in, a prior out).

The face mesh's lower-lip vertex (the lower vermilion line's midpoint, anthropometric labrale inferius)
sits too high on a head seen from the side, and stays near a closed mouth's place when the mouth is
open. The photo itself shows where the lower lip's vermilion ends: just inside the outline, going down
from the lower lip, the redness (CIELAB ``a*``) falls from the vermilion's to the skin's. Where that
fall is clear, the mesh's lower-lip point (:class:`~facebalance.profile.landmarks.MidlinePoint`) is moved
along the face to its height. On a grey photo, or lips no redder than the skin, nothing changes.

Constants (fractions of the mesh's face length, with their rationale) are in the ``[vermilion]`` table
of ``data/mesh_midline_prior.toml``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import cv2
import numpy as np

from facebalance.profile.geometry import gaussian_smooth, resample_polyline
from facebalance.profile.landmarks import MidlinePoint, MidlinePrior, ProfilePoint


def lower_vermilion_border(
    rgb: np.ndarray, outline_px: np.ndarray, prior: MidlinePrior, constants: dict[str, Any]
) -> MidlinePrior:
    """The prior with its labrale inferius moved to the lower vermilion border's height, where it shows.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The photo in the canonical orientation (face toward +x).
    outline_px : ndarray of shape (N, 2)
        The traced outline, canonical pixels, top to bottom.
    prior : MidlinePrior
        The face mesh's midline prior (with labrale superius and inferius).
    constants : dict
        The ``[vermilion]`` table of ``data/mesh_midline_prior.toml``.

    Returns
    -------
    MidlinePrior
        ``prior`` itself when the border is not read (no lips in the prior, too little outline, too little
        colour contrast, or a border implausibly far from the mesh's).
    """
    li = prior.points.get(ProfilePoint.LABRALE_INFERIUS)
    ls = prior.points.get(ProfilePoint.LABRALE_SUPERIUS)
    face = prior.face_px
    if li is None or ls is None or len(outline_px) < 8 or face < 20.0:
        return prior
    pts = gaussian_smooth(resample_polyline(np.asarray(outline_px, dtype=np.float64), 1.0), 2.0)
    step = np.gradient(pts, axis=0)
    step /= np.maximum(np.linalg.norm(step, axis=1, keepdims=True), 1e-9)
    # Walking down the outline (face toward +x) the tissue lies on the left of the walking direction.
    inward = np.column_stack([-step[:, 1], step[:, 0]])
    i_ls = int(np.argmin(np.hypot(*(pts - ls.silhouette_xy).T)))
    i_li = int(np.argmin(np.hypot(*(pts - li.silhouette_xy).T)))
    stop = min(len(pts) - 1, i_li + round(float(constants["search_face"]) * face))
    window = max(1, round(float(constants["lip_window_face"]) * face))
    skin_n = max(2, round(float(constants["skin_face"]) * face))
    if i_li <= i_ls or stop - i_li < skin_n + window:
        return prior
    idx = np.arange(i_ls, stop + 1)
    lo, hi = (float(d) * face for d in constants["depth_face"])
    depths = np.linspace(lo, hi, 5)
    xy = (pts[idx, None, :] + inward[idx, None, :] * depths[None, :, None]).astype(np.float32)
    lab = cv2.cvtColor(np.asarray(rgb, dtype=np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    redness = cv2.remap(lab, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[..., 1]
    a = gaussian_smooth(redness.mean(axis=1), max(1.0, 0.005 * face))
    k = i_li - i_ls
    w_lo = max(0, k - window)
    k_lip = w_lo + int(np.argmax(a[w_lo : k + window + 1]))
    lip, skin = float(a[k_lip]), float(np.median(a[-skin_n:]))
    if lip - skin < float(constants["min_contrast_a"]):
        return prior
    below = np.flatnonzero(a[k_lip:] < 0.5 * (lip + skin))
    if below.size == 0:
        return prior
    border = pts[i_ls + k_lip + int(below[0])]
    shift = float((border - pts[i_li]) @ prior.down)
    if abs(shift) > float(constants["max_shift_face"]) * face:
        return prior
    move = shift * prior.down
    points = dict(prior.points)
    points[ProfilePoint.LABRALE_INFERIUS] = MidlinePoint(li.xy + move, li.silhouette_xy + move)
    return dataclasses.replace(prior, points=points)
