"""Tracking: the *before* photo's mesh points carried into the *after* photo by dense optical flow.

The face mesh is a regression with a strong shape prior: on copies of the London photo 001_03 with one
mouth corner moved 10 to 30 px, the mesh's mouth width grew by only 65-80 % of the move, while the tracked
points followed every point of the known displacement to about a pixel. The tracked points are measured
again (:func:`reassess_with_points`) for the ``tracked`` comparison mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from facebalance.assessment import assess_face
from facebalance.beforeafter.align import ALIGNMENT_POINTS, Alignment, iris_in_photo_px, to_gray, warp_after
from facebalance.beforeafter.settings import BeforeAfterSettings, default_settings
from facebalance.photo import PhotoAnalysis
from facebalance.vision.pose import rotation_in_image_axes


@dataclass(frozen=True)
class Tracking:
    """The *before* photo's mesh points carried into the *after* photo by optical flow.

    Attributes
    ----------
    points_after_px : ndarray of shape (478, 3)
        x, y in pixels of the after photo's analysed image; z (depth) from the after photo's own mesh.
    forward_backward_px : ndarray of shape (478,)
        Distance a point lands from where it started after following the flow there and back, in pixels
        of the before photo's analysed image: the flow's own consistency at that point.
    stable_motion_rms_px : float
        RMS flow at :data:`ALIGNMENT_POINTS` after alignment (before analysed pixels): what is left of the
        misalignment plus the flow's error on anatomy that should not have moved.
    sigma_px : float
        One-sigma tracking noise of one coordinate, before analysed pixels (see :func:`track_points`).
    reliable : bool
        Whether the tracked points may replace the after photo's own mesh.
    reason : str
        Why not, when not.
    """

    points_after_px: np.ndarray
    forward_backward_px: np.ndarray
    stable_motion_rms_px: float
    sigma_px: float
    reliable: bool
    reason: str = ""


def _sample(field_xy: np.ndarray, points_xy: np.ndarray) -> np.ndarray:
    """Bilinear samples (N, 2) of a flow field (H, W, 2) at points (N, 2); zero outside."""
    map_x = np.ascontiguousarray(points_xy[:, 0:1], dtype=np.float32)
    map_y = np.ascontiguousarray(points_xy[:, 1:2], dtype=np.float32)
    return np.column_stack(
        [
            cv2.remap(
                np.ascontiguousarray(field_xy[..., k]),
                map_x,
                map_y,
                cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=0.0,
            )[:, 0]
            for k in range(2)
        ]
    ).astype(np.float64)


def track_points(
    before: PhotoAnalysis, after: PhotoAnalysis, alignment: Alignment, *, settings: BeforeAfterSettings | None = None
) -> Tracking:
    """Carry the before photo's 478 mesh points into the after photo by dense optical flow.

    The after photo is warped into the before photo's frame (:func:`warp_after`), the flow between the
    two grey images is computed on the face's box with OpenCV's DIS optical flow [3]_ both ways, and
    each before point is moved by the forward flow and mapped back into the after photo's pixels through
    the inverse similarity.

    Parameters
    ----------
    before, after : PhotoAnalysis
    alignment : Alignment
        From :func:`~facebalance.beforeafter.align.align_photos`.
    settings : BeforeAfterSettings, optional
        The tracking's gates (default: the packaged limits).

    Returns
    -------
    Tracking
        The tracking noise per coordinate is the largest of the floor
        (:attr:`BeforeAfterSettings.track_sigma_floor_iris_diameters`), the RMS residual motion of the stable
        points per coordinate, and half the RMS round-trip error (a round trip adds two independent
        one-way errors in each of two coordinates).

    References
    ----------
    .. [3] Kroeger T, Timofte R, Dai D, Van Gool L. Fast optical flow using dense inverse search.
           ECCV 2016.
    """
    limits = settings or default_settings()
    rgb_b = before.image.rgb
    warped = warp_after(after.image.rgb, alignment.similarity, rgb_b.shape)
    pts_b = before.mesh.landmarks_px[:, :2]
    iris_b = iris_in_photo_px(before.mesh.landmarks_px)
    lo, hi = pts_b.min(axis=0), pts_b.max(axis=0)
    margin = limits.track_crop_margin * (hi - lo)
    height, width = rgb_b.shape[:2]
    x0, y0 = (max(0, int(v)) for v in lo - margin)
    x1, y1 = min(width, int(hi[0] + margin[0]) + 1), min(height, int(hi[1] + margin[1]) + 1)
    gray_b = np.ascontiguousarray(to_gray(rgb_b)[y0:y1, x0:x1])
    gray_a = np.ascontiguousarray(to_gray(warped)[y0:y1, x0:x1])
    dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    # The third argument is only the output buffer (no initial flow is used).
    forward = np.asarray(dis.calc(gray_b, gray_a, np.zeros((*gray_b.shape, 2), dtype=np.float32)))
    backward = np.asarray(dis.calc(gray_a, gray_b, np.zeros((*gray_b.shape, 2), dtype=np.float32)))
    offset = np.array([x0, y0], dtype=np.float64)
    p = pts_b - offset
    q = p + _sample(forward, p)
    round_trip = np.hypot(*(q + _sample(backward, q) - p).T)
    stable = list(ALIGNMENT_POINTS)
    stable_rms = float(np.sqrt(((q[stable] - p[stable]) ** 2).sum(axis=1).mean()))
    sigma = max(
        limits.track_sigma_floor_iris_diameters * iris_b,
        stable_rms / math.sqrt(2.0),
        float(np.sqrt((round_trip**2).mean())) / 2.0,
    )
    tracked_after = alignment.similarity.inverse().apply(q + offset)
    points = np.column_stack([tracked_after, after.mesh.landmarks_px[:, 2]])

    iris_a = iris_in_photo_px(after.mesh.landmarks_px)
    from_mesh = np.hypot(*(tracked_after - after.mesh.landmarks_px[:, :2]).T) / iris_a
    reason = ""
    p95 = float(np.percentile(round_trip, 95)) / iris_b
    inside = (p >= 0).all() and (p[:, 0] < x1 - x0).all() and (p[:, 1] < y1 - y0).all()
    if not inside:
        reason = "part of the face lies outside the before photo"
    elif p95 > limits.track_forward_backward_gate_iris_diameters:
        reason = (
            f"the optical flow is not consistent (95th percentile round trip {p95:.3f} iris diameters, "
            f"limit {limits.track_forward_backward_gate_iris_diameters}); the photos may differ in light or "
            "expression"
        )
    elif float(from_mesh.max()) > limits.track_mesh_gate_iris_diameters:
        reason = (
            f"a tracked point lies {float(from_mesh.max()):.2f} iris diameters from the after photo's own "
            f"mesh (limit {limits.track_mesh_gate_iris_diameters})"
        )
    return Tracking(
        points_after_px=points,
        forward_backward_px=round_trip,
        stable_motion_rms_px=stable_rms,
        sigma_px=sigma,
        reliable=not reason,
        reason=reason,
    )


def reassess_with_points(analysis: PhotoAnalysis, landmarks_px: np.ndarray) -> PhotoAnalysis:
    """The same photo measured again with other mesh points (e.g. tracked ones), pose and norms unchanged.

    Parameters
    ----------
    analysis : PhotoAnalysis
    landmarks_px : ndarray of shape (478, 3)
        Points in pixels of ``analysis.image.rgb``.

    Raises
    ------
    facebalance.errors.CalibrationError
        The irises at those points disagree.
    """
    assessment = assess_face(
        analysis.image.rgb,
        landmarks_px,
        rotation_in_image_axes(analysis.mesh.transformation),
        analysis.mesh.pose,
        norms=analysis.norms,
        rules=analysis.rules,
        patient=analysis.assessment.patient,
        px_scale_to_full=analysis.image.scale_to_full,
    )
    return replace(analysis, mesh=replace(analysis.mesh, landmarks_px=landmarks_px), assessment=assessment)
