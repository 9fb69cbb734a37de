"""Aligning the *after* photo on the *before* photo on anatomy the treatments do not move.

A similarity (rotation, uniform scale, translation) is fitted to the mesh points of :data:`ALIGNMENT_POINTS`
by Umeyama's least-squares method (:func:`facebalance.geometry.similarity.umeyama`), then refined on image
features of the same stable region (SIFT [1]_ matches, RANSAC, the same 4-parameter model) when enough of
them agree. The face mesh alone places a whole face to about half a percent of its size; the features
bring a re-photographed region to a fraction of a pixel. The residual RMS of the fit, in pixels of the
*before* photo, is the alignment's quality figure.

Every similarity maps points of the *after* photo's analysed image to the *before* photo's analysed image
(``x_before = s R x_after + t``).

References
----------
.. [1] Lowe DG. Distinctive image features from scale-invariant keypoints. Int J Comput Vis.
       2004;60(2):91-110.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

import cv2
import numpy as np

from facebalance.anatomy.landmarks import (
    BROW_UPPER_LEFT,
    BROW_UPPER_RIGHT,
    IRIS_DIAMETER_ENDS,
    STABLE_POINTS,
    Landmark,
)
from facebalance.beforeafter.settings import BeforeAfterSettings, default_settings
from facebalance.geometry.iris import mean_iris_diameter_px
from facebalance.geometry.similarity import Similarity, umeyama
from facebalance.photo import PhotoAnalysis

#: The stable set used for alignment: :data:`~facebalance.anatomy.landmarks.STABLE_POINTS` without the
#: zygion proxies. The canthi (medial and lateral canthal tendons are anchored to bone), soft-tissue nasion,
#: the upper nasal dorsum (over the nasal bones), glabella and the lower forehead (thin soft tissue over the
#: frontal bone) stay put under fillers, toxin and threads in the lower and mid face. The zygia are left
#: out: they are outline vertices at cheekbone level, so cheek (zygomatic) filler, one of the commonest
#: balancing treatments, moves them outward, and the mesh's outline also shifts with hair and backdrop.
ALIGNMENT_POINTS: tuple[int, ...] = tuple(
    i for i in STABLE_POINTS if i not in (Landmark.ZYGION_RIGHT, Landmark.ZYGION_LEFT)
)


#: Grey filling the part of the aligned frame the *after* photo does not cover.
FILL_RGB = (128, 128, 128)


class AlignmentMethod(StrEnum):
    LANDMARKS = "landmarks"
    FEATURES = "landmarks_and_features"


def fit_quality(similarity: Similarity, source_xy: np.ndarray, target_xy: np.ndarray) -> tuple[float, float]:
    """Residual RMS (target pixels, 2-D) and the one-sigma relative scale uncertainty of the fit.

    Per-coordinate residual variance uses 2N - 4 degrees of freedom; the scale's variance is that divided
    by the target points' summed squared spread about their centroid.
    """
    dst = np.asarray(target_xy, dtype=np.float64)[:, :2]
    residual = similarity.apply(source_xy) - dst
    sse = float((residual**2).sum())
    rms = math.sqrt(sse / len(dst))
    dof = max(1, 2 * len(dst) - 4)
    spread = float(((dst - dst.mean(axis=0)) ** 2).sum())
    scale_rel = math.sqrt(sse / dof / spread) if spread > 0 else float("inf")
    return rms, scale_rel


@dataclass(frozen=True)
class Alignment:
    """How the *after* photo maps onto the *before* photo.

    Attributes
    ----------
    similarity : Similarity
        After analysed pixels -> before analysed pixels.
    method : AlignmentMethod
        Landmarks only, or refined on image features.
    residual_rms_px : float
        RMS distance between the aligned points (stable landmarks, or feature inliers when refined) and
        their partners, in pixels of the *before* photo at full resolution.
    landmark_residual_rms_px : float
        The same over :data:`ALIGNMENT_POINTS` after the landmark-only fit.
    scale_relative_sigma : float
        One-sigma relative uncertainty of ``similarity.scale``.
    points : tuple of int
        The mesh vertices the landmark fit used.
    feature_inliers : int
        RANSAC inliers of the refinement (0 when not refined).
    note : str
        Why the refinement was not used, when it was not.
    """

    similarity: Similarity
    method: AlignmentMethod
    residual_rms_px: float
    landmark_residual_rms_px: float
    scale_relative_sigma: float
    points: tuple[int, ...]
    feature_inliers: int = 0
    note: str = ""


def iris_in_photo_px(landmarks_px: np.ndarray) -> float:
    """The mean iris diameter as it appears in the photo (x, y only), pixels: the unit of every gate here."""
    return mean_iris_diameter_px(landmarks_px, IRIS_DIAMETER_ENDS, in_image_plane=True)


def stable_region_mask(
    shape: tuple[int, ...], landmarks_px: np.ndarray, *, settings: BeforeAfterSettings | None = None
) -> np.ndarray:
    """Mask (uint8, 255 inside) of the stable region in which alignment features are sought.

    The convex hull of :data:`ALIGNMENT_POINTS` (lower forehead, glabella, canthi, nasal bridge) without
    a band along each brow's upper margin and a disc over each iris.

    Parameters
    ----------
    shape : tuple
        ``(H, W, ...)`` of the image.
    landmarks_px : ndarray of shape (478, 2 or 3)
        Mesh points in pixels of that image.
    settings : BeforeAfterSettings, optional
        The cut-outs' sizes (default: the packaged limits).
    """
    limits = settings or default_settings()
    height, width = shape[:2]
    mask = np.zeros((height, width), dtype=np.uint8)
    pts = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    hull = cv2.convexHull(np.round(pts[list(ALIGNMENT_POINTS)]).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255)
    iris = iris_in_photo_px(pts)
    band = max(1, round(2 * limits.brow_band_iris_diameters * iris))
    for brow in (BROW_UPPER_RIGHT, BROW_UPPER_LEFT):
        # The brow hair lies below its upper margin: centre the band a little lower.
        line = np.round(pts[list(brow)] + (0.0, 0.25 * iris)).astype(np.int32)
        cv2.polylines(mask, [line], isClosed=False, color=0, thickness=band)
    for pupil in (Landmark.PUPIL_RIGHT, Landmark.PUPIL_LEFT):
        centre = (round(float(pts[pupil, 0])), round(float(pts[pupil, 1])))
        cv2.circle(mask, centre, max(1, round(limits.iris_disc_iris_diameters * iris)), 0, thickness=-1)
    return mask


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """The grey image (uint8) of an RGB image."""
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def _features_in_stable_region(
    sift: cv2.SIFT, rgb: np.ndarray, landmarks_px: np.ndarray, settings: BeforeAfterSettings
) -> tuple[np.ndarray, np.ndarray | None]:
    """SIFT keypoint positions (N, 2), image pixels, and descriptors in the stable region.

    Only the region's bounding box is searched, which on a large photo is most of the saving.
    """
    mask = stable_region_mask(rgb.shape, landmarks_px, settings=settings)
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return np.empty((0, 2)), None
    keypoints, descriptors = sift.detectAndCompute(to_gray(rgb[y : y + h, x : x + w]), mask[y : y + h, x : x + w])
    points = np.array([k.pt for k in keypoints], dtype=np.float64).reshape(-1, 2) + np.array([x, y], dtype=np.float64)
    return points, descriptors


def _refine_with_features(
    before_rgb: np.ndarray,
    after_rgb: np.ndarray,
    before_px: np.ndarray,
    after_px: np.ndarray,
    initial: Similarity,
    settings: BeforeAfterSettings,
) -> tuple[Similarity, np.ndarray, np.ndarray] | str:
    """Refined similarity with its inlier pairs (after, before), or the reason it was not possible."""
    iris = iris_in_photo_px(before_px)
    sift = cv2.SIFT.create()
    kb, db = _features_in_stable_region(sift, before_rgb, before_px, settings)
    ka, da = _features_in_stable_region(sift, after_rgb, after_px, settings)
    if db is None or da is None or len(kb) < 2 or len(ka) < 2:
        return "too few image features in the stable region"
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < settings.feature_ratio * p[1].distance]
    if len(good) < settings.min_feature_inliers:
        return f"{len(good)} feature matches in the stable region, {settings.min_feature_inliers} needed"
    src = ka[[m.queryIdx for m in good]]
    dst = kb[[m.trainIdx for m in good]]
    gate = settings.feature_gate_iris_diameters * iris
    near = np.hypot(*(initial.apply(src) - dst).T) <= gate
    src, dst = src[near], dst[near]
    if len(src) < settings.min_feature_inliers:
        return f"{len(src)} feature matches agree with the landmarks, {settings.min_feature_inliers} needed"
    matrix, inliers = cv2.estimateAffinePartial2D(
        src.astype(np.float32),
        dst.astype(np.float32),
        method=cv2.RANSAC,
        ransacReprojThreshold=max(1.0, settings.feature_ransac_iris_diameters * iris),
        maxIters=5000,
        confidence=0.999,
    )
    if matrix is None or inliers is None or int(inliers.sum()) < settings.min_feature_inliers:
        return "the feature matches do not agree on one similarity"
    keep = inliers.ravel().astype(bool)
    # A least-squares fit on the inliers (RANSAC's own refinement stops early on well-posed sets).
    refined = umeyama(src[keep], dst[keep])
    stable_after = after_px[list(ALIGNMENT_POINTS), :2]
    disagreement = float(np.hypot(*(refined.apply(stable_after) - initial.apply(stable_after)).T).max())
    if disagreement > gate:
        return (
            f"the feature fit moves the stable points {disagreement:.1f} px from the landmark fit "
            f"(more than {gate:.1f} px)"
        )
    return refined, src[keep], dst[keep]


def align_photos(
    before: PhotoAnalysis, after: PhotoAnalysis, *, refine: bool = True, settings: BeforeAfterSettings | None = None
) -> Alignment:
    """Fit the similarity taking the *after* photo onto the *before* photo on stable anatomy.

    Parameters
    ----------
    before, after : PhotoAnalysis
        Two analysed frontal photos of the same patient.
    refine : bool
        Refine the landmark fit on SIFT features of the stable region (:func:`stable_region_mask`); the
        landmark fit is kept when too few features agree.
    settings : BeforeAfterSettings, optional
        The alignment's gates (default: the packaged limits).

    Returns
    -------
    Alignment
    """
    limits = settings or default_settings()
    before_px, after_px = before.mesh.landmarks_px, after.mesh.landmarks_px
    idx = list(ALIGNMENT_POINTS)
    initial = umeyama(after_px[idx, :2], before_px[idx, :2])
    to_full = before.image.scale_to_full
    landmark_rms, landmark_scale_rel = fit_quality(initial, after_px[idx, :2], before_px[idx, :2])
    alignment = Alignment(
        similarity=initial,
        method=AlignmentMethod.LANDMARKS,
        residual_rms_px=landmark_rms * to_full,
        landmark_residual_rms_px=landmark_rms * to_full,
        scale_relative_sigma=max(landmark_scale_rel, limits.landmark_scale_floor),
        points=tuple(ALIGNMENT_POINTS),
    )
    if not refine:
        return alignment
    refined = _refine_with_features(before.image.rgb, after.image.rgb, before_px, after_px, initial, limits)
    if isinstance(refined, str):
        return replace(alignment, note=f"landmarks only: {refined}")
    similarity, src, dst = refined
    rms, scale_rel = fit_quality(similarity, src, dst)
    return Alignment(
        similarity=similarity,
        method=AlignmentMethod.FEATURES,
        residual_rms_px=rms * to_full,
        landmark_residual_rms_px=landmark_rms * to_full,
        scale_relative_sigma=scale_rel,
        points=tuple(idx),
        feature_inliers=len(src),
    )


def warp_after(after_rgb: np.ndarray, similarity: Similarity, before_shape: tuple[int, ...]) -> np.ndarray:
    """The *after* image resampled into the *before* image's pixel grid.

    Parameters
    ----------
    after_rgb : ndarray of shape (H2, W2, 3), uint8
    similarity : Similarity
        After -> before (:attr:`Alignment.similarity`).
    before_shape : tuple
        ``(H, W, ...)`` of the before image.

    Returns
    -------
    ndarray of shape (H, W, 3), uint8
        Areas the after photo does not cover are :data:`FILL_RGB`.
    """
    height, width = before_shape[:2]
    return cv2.warpAffine(
        np.ascontiguousarray(after_rgb),
        similarity.matrix,
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=FILL_RGB,
    )
