"""Before/after: align two photos of the same view on stable anatomy and say what changed.

Two analysed frontal photos of one patient (different visits) are compared in three steps, all pure (no
file is read or written here; :mod:`facebalance.commands.compare` is the I/O edge):

1. **Alignment** on anatomy the treatments discussed here do not move (:data:`ALIGNMENT_POINTS`): a
   similarity (rotation, uniform scale, translation) is fitted to those mesh points by Umeyama's
   least-squares method [1]_, then refined on image features of the same stable region (SIFT [2]_
   matches, RANSAC, the same 4-parameter model) when enough of them agree. The face mesh alone places a
   whole face to about half a percent of its size; the features bring a re-photographed region to a
   fraction of a pixel. The residual RMS of the fit, in pixels of the *before* photo, is the alignment's
   quality figure.
2. **Pictures**: the *after* photo warped into the *before* photo's frame (``cv2.warpAffine``), a
   labelled side-by-side, the two aligned images as a blink pair and a 50 % overlay.
3. **Measurement changes**: every measurement present in both analyses, with ``delta = after - before``,
   its one-sigma uncertainty ``sigma_delta`` and ``changed`` when ``|delta| > 2 sigma_delta``
   (:data:`CHANGE_SIGMAS`). Three ways to get the *after* values (:class:`ComparisonMode`): each photo's
   own mesh and calibration; each photo's own mesh on the *before* photo's scale; or the *before* photo's
   anatomical points carried into the *after* photo by dense optical flow between the aligned images
   (``tracked``, the default). Tracking is there because the face mesh is a regression with a strong
   shape prior: on copies of the London photo 001_03 with one mouth corner moved 10 to 30 px, the mesh's
   mouth width grew by only 65-80 % of the move, while the tracked points followed every point of the
   known displacement to about a pixel.
   How ``sigma_delta`` is built for each mode is in :func:`measurement_changes`.

Pixels: every similarity maps points of the *after* photo's analysed image to the *before* photo's analysed
image (``x_before = s R x_after + t``); both images are upright (EXIF applied). ``left``/``right`` in
measurement ids are the patient's sides.

References
----------
.. [1] Umeyama S. Least-squares estimation of transformation parameters between two point patterns.
       IEEE Trans Pattern Anal Mach Intell. 1991;13(4):376-380.
.. [2] Lowe DG. Distinctive image features from scale-invariant keypoints. Int J Comput Vis.
       2004;60(2):91-110.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from facebalance.anatomy.calibration import Calibration, CalibrationMethod, IrisReference
from facebalance.anatomy.landmarks import (
    BROW_UPPER_LEFT,
    BROW_UPPER_RIGHT,
    IRIS_DIAMETER_ENDS,
    STABLE_POINTS,
    Landmark,
)
from facebalance.assessment import assess_face, iris_reference
from facebalance.errors import FacebalanceError
from facebalance.geometry.iris import mean_iris_diameter_px
from facebalance.geometry.similarity import Similarity, umeyama
from facebalance.photo import PhotoAnalysis
from facebalance.vision.pose import rotation_in_image_axes
from facebalance.zones.base import Measurement, Unit

SCHEMA = "facebalance.before_after"
SCHEMA_VERSION = "1.0"

#: The stable set used for alignment: :data:`~facebalance.anatomy.landmarks.STABLE_POINTS` without the
#: zygion proxies. The canthi (medial and lateral canthal tendons are anchored to bone), soft-tissue nasion,
#: the upper nasal dorsum (over the nasal bones), glabella and the lower forehead (thin soft tissue over the
#: frontal bone) stay put under fillers, toxin and threads in the lower and mid face. The zygia are left
#: out: they are outline vertices at cheekbone level, so cheek (zygomatic) filler, one of the commonest
#: balancing treatments, moves them outward, and the mesh's outline also shifts with hair and backdrop.
ALIGNMENT_POINTS: tuple[int, ...] = tuple(
    i for i in STABLE_POINTS if i not in (Landmark.ZYGION_RIGHT, Landmark.ZYGION_LEFT)
)
#: A measurement changed when its change exceeds this many sigma of the change (about 95 % two-sided).
CHANGE_SIGMAS = 2.0
#: Least RANSAC inliers for the feature refinement to replace the landmark-only similarity.
MIN_FEATURE_INLIERS = 12
#: Lowe's ratio test for SIFT matches.
FEATURE_RATIO = 0.75
#: A feature match must land within this many iris diameters of where the landmark similarity puts it,
#: and the refined similarity must agree with the landmark one to this at every alignment point.
FEATURE_GATE_IRIS_DIAMETERS = 0.25
#: RANSAC inlier threshold, in iris diameters (about 1.2 px at 40 px per iris), at least one pixel.
FEATURE_RANSAC_IRIS_DIAMETERS = 0.03
#: Brows and irises are cut out of the feature region: brows move with toxin and lifts, irises with gaze.
#: Half-widths of those cut-outs, in iris diameters.
BROW_BAND_IRIS_DIAMETERS = 0.45
IRIS_DISC_IRIS_DIAMETERS = 0.75
#: Floor of the relative scale uncertainty of a landmark-only similarity: the mesh places a whole face to
#: about 0.5 % of its size (0.5 % on a rescaled, rotated copy of the London photo 001_03), more than the
#: residual of nine points suggests, because that error is shared by all of them.
LANDMARK_SCALE_FLOOR = 0.01
#: Beyond this residual RMS (iris diameters) the two photos do not show the stable region alike.
RESIDUAL_WARN_IRIS_DIAMETERS = 0.1
#: Pose differences (deg) beyond which the two photos are not the same view for comparison.
POSE_WARN_DEG = 5.0
#: Grey filling the part of the aligned frame the *after* photo does not cover.
FILL_RGB = (128, 128, 128)


class ComparisonMode(StrEnum):
    """Where the *after* photo's points and millimetre scale come from.

    ``each_photo``: each photo's own face mesh and its own iris (or known-distance) calibration; nothing
    depends on the alignment. ``before_scale``: each photo's own mesh, but the *after* lengths are
    re-expressed with the *before* photo's mm per pixel through the stable-point similarity; this removes
    the *after* photo's calibration noise and assumes the stable region has the same size on both visits
    (true for an adult) and that both photos are the same view. ``tracked``: the *before* photo's points
    carried into the *after* photo by optical flow (:func:`track_points`) on the *before* scale; it
    follows local changes the mesh under-reports, and needs the two photos to look alike (same light, no
    make-up change); when the tracking is not consistent the comparison falls back to ``each_photo`` and
    says so.
    """

    EACH_PHOTO = "each_photo"
    BEFORE_SCALE = "before_scale"
    TRACKED = "tracked"


class AlignmentMethod(StrEnum):
    LANDMARKS = "landmarks"
    FEATURES = "landmarks_and_features"


def _fit_quality(similarity: Similarity, source_xy: np.ndarray, target_xy: np.ndarray) -> tuple[float, float]:
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


def _mean_iris_px(landmarks_px: np.ndarray) -> float:
    """The mean iris diameter as it appears in the photo (x, y only), pixels."""
    return mean_iris_diameter_px(landmarks_px, IRIS_DIAMETER_ENDS, in_image_plane=True)


def stable_region_mask(shape: tuple[int, ...], landmarks_px: np.ndarray) -> np.ndarray:
    """Mask (uint8, 255 inside) of the stable region in which alignment features are sought.

    The convex hull of :data:`ALIGNMENT_POINTS` (lower forehead, glabella, canthi, nasal bridge) without
    a band along each brow's upper margin and a disc over each iris.

    Parameters
    ----------
    shape : tuple
        ``(H, W, ...)`` of the image.
    landmarks_px : ndarray of shape (478, 2 or 3)
        Mesh points in pixels of that image.
    """
    height, width = shape[:2]
    mask = np.zeros((height, width), dtype=np.uint8)
    pts = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    hull = cv2.convexHull(np.round(pts[list(ALIGNMENT_POINTS)]).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255)
    iris = _mean_iris_px(pts)
    band = max(1, round(2 * BROW_BAND_IRIS_DIAMETERS * iris))
    for brow in (BROW_UPPER_RIGHT, BROW_UPPER_LEFT):
        # The brow hair lies below its upper margin: centre the band a little lower.
        line = np.round(pts[list(brow)] + (0.0, 0.25 * iris)).astype(np.int32)
        cv2.polylines(mask, [line], isClosed=False, color=0, thickness=band)
    for pupil in (Landmark.PUPIL_RIGHT, Landmark.PUPIL_LEFT):
        centre = (round(float(pts[pupil, 0])), round(float(pts[pupil, 1])))
        cv2.circle(mask, centre, max(1, round(IRIS_DISC_IRIS_DIAMETERS * iris)), 0, thickness=-1)
    return mask


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def _features_in_stable_region(
    sift: cv2.SIFT, rgb: np.ndarray, landmarks_px: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """SIFT keypoint positions (N, 2), image pixels, and descriptors in the stable region.

    Only the region's bounding box is searched, which on a large photo is most of the saving.
    """
    mask = stable_region_mask(rgb.shape, landmarks_px)
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return np.empty((0, 2)), None
    keypoints, descriptors = sift.detectAndCompute(_gray(rgb[y : y + h, x : x + w]), mask[y : y + h, x : x + w])
    points = np.array([k.pt for k in keypoints], dtype=np.float64).reshape(-1, 2) + np.array([x, y], dtype=np.float64)
    return points, descriptors


def _refine_with_features(
    before_rgb: np.ndarray,
    after_rgb: np.ndarray,
    before_px: np.ndarray,
    after_px: np.ndarray,
    initial: Similarity,
) -> tuple[Similarity, np.ndarray, np.ndarray] | str:
    """Refined similarity with its inlier pairs (after, before), or the reason it was not possible."""
    iris = _mean_iris_px(before_px)
    sift = cv2.SIFT.create()
    kb, db = _features_in_stable_region(sift, before_rgb, before_px)
    ka, da = _features_in_stable_region(sift, after_rgb, after_px)
    if db is None or da is None or len(kb) < 2 or len(ka) < 2:
        return "too few image features in the stable region"
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < FEATURE_RATIO * p[1].distance]
    if len(good) < MIN_FEATURE_INLIERS:
        return f"{len(good)} feature matches in the stable region, {MIN_FEATURE_INLIERS} needed"
    src = ka[[m.queryIdx for m in good]]
    dst = kb[[m.trainIdx for m in good]]
    gate = FEATURE_GATE_IRIS_DIAMETERS * iris
    near = np.hypot(*(initial.apply(src) - dst).T) <= gate
    src, dst = src[near], dst[near]
    if len(src) < MIN_FEATURE_INLIERS:
        return f"{len(src)} feature matches agree with the landmarks, {MIN_FEATURE_INLIERS} needed"
    matrix, inliers = cv2.estimateAffinePartial2D(
        src.astype(np.float32),
        dst.astype(np.float32),
        method=cv2.RANSAC,
        ransacReprojThreshold=max(1.0, FEATURE_RANSAC_IRIS_DIAMETERS * iris),
        maxIters=5000,
        confidence=0.999,
    )
    if matrix is None or inliers is None or int(inliers.sum()) < MIN_FEATURE_INLIERS:
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


def align_photos(before: PhotoAnalysis, after: PhotoAnalysis, *, refine: bool = True) -> Alignment:
    """Fit the similarity taking the *after* photo onto the *before* photo on stable anatomy.

    Parameters
    ----------
    before, after : PhotoAnalysis
        Two analysed frontal photos of the same patient.
    refine : bool
        Refine the landmark fit on SIFT features of the stable region (:func:`stable_region_mask`); the
        landmark fit is kept when too few features agree.

    Returns
    -------
    Alignment
    """
    before_px, after_px = before.mesh.landmarks_px, after.mesh.landmarks_px
    idx = list(ALIGNMENT_POINTS)
    initial = umeyama(after_px[idx, :2], before_px[idx, :2])
    to_full = before.image.scale_to_full
    landmark_rms, landmark_scale_rel = _fit_quality(initial, after_px[idx, :2], before_px[idx, :2])
    alignment = Alignment(
        similarity=initial,
        method=AlignmentMethod.LANDMARKS,
        residual_rms_px=landmark_rms * to_full,
        landmark_residual_rms_px=landmark_rms * to_full,
        scale_relative_sigma=max(landmark_scale_rel, LANDMARK_SCALE_FLOOR),
        points=tuple(ALIGNMENT_POINTS),
    )
    if not refine:
        return alignment
    refined = _refine_with_features(before.image.rgb, after.image.rgb, before_px, after_px, initial)
    if isinstance(refined, str):
        return replace(alignment, note=f"landmarks only: {refined}")
    similarity, src, dst = refined
    rms, scale_rel = _fit_quality(similarity, src, dst)
    return Alignment(
        similarity=similarity,
        method=AlignmentMethod.FEATURES,
        residual_rms_px=rms * to_full,
        landmark_residual_rms_px=landmark_rms * to_full,
        scale_relative_sigma=scale_rel,
        points=tuple(idx),
        feature_inliers=len(src),
    )


# --- pictures ------------------------------------------------------------------------------------


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


def overlay(before_rgb: np.ndarray, after_aligned_rgb: np.ndarray, *, after_weight: float = 0.5) -> np.ndarray:
    """Blend of the before image and the aligned after image (``after_weight`` of the after one)."""
    if before_rgb.shape != after_aligned_rgb.shape:
        raise ValueError(f"overlay needs equal shapes, got {before_rgb.shape} and {after_aligned_rgb.shape}")
    return cv2.addWeighted(before_rgb, 1.0 - after_weight, after_aligned_rgb, after_weight, 0.0)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def side_by_side(
    before_rgb: np.ndarray, after_aligned_rgb: np.ndarray, labels: tuple[str, str], *, max_width_px: int = 3200
) -> np.ndarray:
    """The two aligned images next to each other under a label band.

    Parameters
    ----------
    before_rgb, after_aligned_rgb : ndarray of shape (H, W, 3), uint8
        The before image and the after image already warped into its frame.
    labels : tuple of str
        Text over the left and the right image.
    max_width_px : int
        The result is reduced to at most this width.

    Returns
    -------
    ndarray of shape (H', W', 3), uint8
    """
    height, width = before_rgb.shape[:2]
    gutter = max(4, width // 150)
    band = max(28, height // 22)
    canvas = Image.new("RGB", (2 * width + gutter, height + band), (255, 255, 255))
    canvas.paste(Image.fromarray(before_rgb), (0, band))
    canvas.paste(Image.fromarray(after_aligned_rgb), (width + gutter, band))
    draw = ImageDraw.Draw(canvas)
    font = _font(int(band * 0.6))
    for x, text in ((0, labels[0]), (width + gutter, labels[1])):
        draw.text((x + band // 3, band // 2), text, fill=(0, 0, 0), font=font, anchor="lm")
    if canvas.width > max_width_px:
        factor = max_width_px / canvas.width
        canvas = canvas.resize((max_width_px, max(1, round(canvas.height * factor))), Image.Resampling.LANCZOS)
    return np.asarray(canvas)


def png_bytes(rgb: np.ndarray) -> bytes:
    """Lossless PNG of an RGB array (no metadata)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class AlignedPictures:
    """The pictures of one comparison, as RGB arrays in the before photo's analysed pixel grid."""

    before: np.ndarray
    after_aligned: np.ndarray
    overlay: np.ndarray
    side_by_side: np.ndarray


def aligned_pictures(before: PhotoAnalysis, after: PhotoAnalysis, alignment: Alignment) -> AlignedPictures:
    """Warp the after photo into the before photo's frame and build the blink pair, overlay and side-by-side."""
    warped = warp_after(after.image.rgb, alignment.similarity, before.image.rgb.shape)
    return AlignedPictures(
        before=before.image.rgb,
        after_aligned=warped,
        overlay=overlay(before.image.rgb, warped),
        side_by_side=side_by_side(
            before.image.rgb, warped, (f"Before: {before.source_name}", f"After (aligned): {after.source_name}")
        ),
    )


# --- tracking ------------------------------------------------------------------------------------


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


#: Floor of the tracking noise per coordinate, in iris diameters (about 0.9 px, 0.25 mm at 40 px per
#: iris): the flow smooths steep local deformations (0.6 px short of a 30 px corner move on 001_03).
TRACK_SIGMA_FLOOR_IRIS_DIAMETERS = 0.02
#: Tracking is used only when 95 % of the points come back to within this many iris diameters (round trip).
TRACK_FORWARD_BACKWARD_GATE_IRIS_DIAMETERS = 0.05
#: ... and no tracked point is further than this (iris diameters) from the after photo's own mesh point:
#: the mesh under-reports local change but never by this much (a change of well over one iris diameter).
TRACK_MESH_GATE_IRIS_DIAMETERS = 0.5
#: The flow is computed on the face's bounding box grown by this fraction of its size on every side.
TRACK_CROP_MARGIN = 0.15


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


def track_points(before: PhotoAnalysis, after: PhotoAnalysis, alignment: Alignment) -> Tracking:
    """Carry the before photo's 478 mesh points into the after photo by dense optical flow.

    The after photo is warped into the before photo's frame (:func:`warp_after`), the flow between the
    two grey images is computed on the face's box with OpenCV's DIS optical flow [3]_ both ways, and
    each before point is moved by the forward flow and mapped back into the after photo's pixels through
    the inverse similarity.

    Parameters
    ----------
    before, after : PhotoAnalysis
    alignment : Alignment
        From :func:`align_photos`.

    Returns
    -------
    Tracking
        The tracking noise per coordinate is the largest of
        :data:`TRACK_SIGMA_FLOOR_IRIS_DIAMETERS` iris diameters, the RMS residual motion of the stable
        points per coordinate, and half the RMS round-trip error (a round trip adds two independent
        one-way errors in each of two coordinates).

    References
    ----------
    .. [3] Kroeger T, Timofte R, Dai D, Van Gool L. Fast optical flow using dense inverse search.
           ECCV 2016.
    """
    rgb_b = before.image.rgb
    warped = warp_after(after.image.rgb, alignment.similarity, rgb_b.shape)
    pts_b = before.mesh.landmarks_px[:, :2]
    iris_b = _mean_iris_px(before.mesh.landmarks_px)
    lo, hi = pts_b.min(axis=0), pts_b.max(axis=0)
    margin = TRACK_CROP_MARGIN * (hi - lo)
    height, width = rgb_b.shape[:2]
    x0, y0 = (max(0, int(v)) for v in lo - margin)
    x1, y1 = min(width, int(hi[0] + margin[0]) + 1), min(height, int(hi[1] + margin[1]) + 1)
    gray_b = np.ascontiguousarray(_gray(rgb_b)[y0:y1, x0:x1])
    gray_a = np.ascontiguousarray(_gray(warped)[y0:y1, x0:x1])
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
        TRACK_SIGMA_FLOOR_IRIS_DIAMETERS * iris_b,
        stable_rms / math.sqrt(2.0),
        float(np.sqrt((round_trip**2).mean())) / 2.0,
    )
    tracked_after = alignment.similarity.inverse().apply(q + offset)
    points = np.column_stack([tracked_after, after.mesh.landmarks_px[:, 2]])

    iris_a = _mean_iris_px(after.mesh.landmarks_px)
    from_mesh = np.hypot(*(tracked_after - after.mesh.landmarks_px[:, :2]).T) / iris_a
    reason = ""
    p95 = float(np.percentile(round_trip, 95)) / iris_b
    inside = (p >= 0).all() and (p[:, 0] < x1 - x0).all() and (p[:, 1] < y1 - y0).all()
    if not inside:
        reason = "part of the face lies outside the before photo"
    elif p95 > TRACK_FORWARD_BACKWARD_GATE_IRIS_DIAMETERS:
        reason = (
            f"the optical flow is not consistent (95th percentile round trip {p95:.3f} iris diameters, "
            f"limit {TRACK_FORWARD_BACKWARD_GATE_IRIS_DIAMETERS}); the photos may differ in light or "
            "expression"
        )
    elif float(from_mesh.max()) > TRACK_MESH_GATE_IRIS_DIAMETERS:
        reason = (
            f"a tracked point lies {float(from_mesh.max()):.2f} iris diameters from the after photo's own "
            f"mesh (limit {TRACK_MESH_GATE_IRIS_DIAMETERS})"
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


# --- measurement changes -------------------------------------------------------------------------

#: Named points found in the pixels, not carried by the mesh; tracking does not lower their noise.
IMAGE_DETECTED_POINTS = frozenset({"brow_upper_margin_right", "brow_upper_margin_left", "trichion"})


@dataclass(frozen=True)
class MeasurementChange:
    """One measurement on both visits.

    Attributes
    ----------
    id, unit, label : str
    before, after : float or None
        The values; ``after`` is on the scale the :class:`ComparisonMode` says (pixels: the before photo's).
    delta : float or None
        ``after - before``.
    sigma_delta : float or None
        One-sigma uncertainty of ``delta`` (see :func:`measurement_changes`).
    changed : bool or None
        ``|delta| > CHANGE_SIGMAS * sigma_delta``; ``None`` when either value is missing.
    reason : str
        Why there is no delta, when there is none.
    """

    id: str
    unit: str
    label: str
    before: float | None
    after: float | None
    delta: float | None
    sigma_delta: float | None
    changed: bool | None
    reason: str = ""

    @property
    def z(self) -> float | None:
        """``delta / sigma_delta``: how many sigma the change is."""
        if self.delta is None or not self.sigma_delta:
            return None
        return self.delta / self.sigma_delta


def _scale_parts(cal: Calibration, reference: IrisReference, shared_ruler: bool) -> tuple[float, float]:
    """``(common, own)`` relative scale uncertainty of one photo's calibration.

    ``common`` is the part both visits share: the patient's own iris against the population mean, when
    both photos are calibrated on the iris. ``own`` is the rest (iris measurement and contour-model
    spread, or a known distance's uncertainty), independent between photos.
    """
    total = cal.relative_uncertainty
    if not shared_ruler:
        return 0.0, total
    common = reference.sd_mm / reference.diameter_mm if reference.diameter_mm else 0.0
    return common, math.sqrt(max(0.0, total**2 - common**2))


def _landmark_part(m: Measurement, cal: Calibration) -> float:
    """Landmark (and edge-detection) noise in a length's uncertainty: its total less the scale part."""
    total = m.uncertainty or 0.0
    return math.sqrt(max(0.0, total**2 - (abs(m.value or 0.0) * cal.relative_uncertainty) ** 2))


def measurement_changes(
    before: PhotoAnalysis,
    after: PhotoAnalysis,
    *,
    mode: ComparisonMode = ComparisonMode.EACH_PHOTO,
    alignment: Alignment | None = None,
    tracking_sigma_px: float | None = None,
) -> tuple[MeasurementChange, ...]:
    """Every measurement of both analyses with its change and the change's uncertainty.

    Parameters
    ----------
    before, after : PhotoAnalysis
        Two frontal analyses of the same patient; for ``TRACKED``, ``after`` is the after photo measured at
        the tracked points (:func:`reassess_with_points`).
    mode : ComparisonMode
        Which points and scale the after values use (:class:`ComparisonMode`).
    alignment : Alignment, optional
        Needed for pixel values (expressed in the before photo's pixels through the similarity scale) and
        for the ``BEFORE_SCALE`` and ``TRACKED`` modes.
    tracking_sigma_px : float, optional
        One-sigma tracking noise per coordinate, before analysed pixels (:attr:`Tracking.sigma_px`);
        needed for ``TRACKED``.

    Returns
    -------
    tuple of MeasurementChange
        In the before analysis's order.

    Notes
    -----
    Each photo's length ``v = L m`` (``L`` pixels, ``m`` mm per pixel) carries two uncertainties
    (:meth:`Calibration.length_mm`): the landmark noise ``l`` of its end points and the scale's relative
    uncertainty ``r``. For the iris ruler (:func:`~facebalance.anatomy.calibration.calibrate_from_iris`)
    ``r^2 = p^2 + q^2 + k^2`` with ``p`` the population spread of the visible iris diameter
    (``iris_visible_diameter_mm`` SD / mean), ``q`` the disagreement of the two irises on this photo and
    ``k`` the face-to-face spread of the model's iris contour against the visible iris. ``l`` is
    recovered from each reported uncertainty as ``l^2 = sigma^2 - (v r)^2``.

    *Each photo.* Both visits are the same patient, so ``p`` is one error shared by both scales:
    ``m_i = m_i,true (1 + e_p)(1 + e_i)``. It does not cancel from a change but multiplies it,
    ``delta = (1 + e_p) delta_true + ...``, so it costs ``|delta| p`` and nothing for an unchanged
    measurement. ``q`` and ``k`` are taken as independent between photos (the contour fit depends on the
    light and the lids on the day; treating it as independent is conservative), and so is ``l``:

    ``sigma_delta^2 = l_b^2 + l_a^2 + (v_b o_b)^2 + (v_a o_a)^2 + (delta p)^2``,  ``o_i^2 = r_i^2 - p^2``.

    When either photo uses a known distance instead of the iris, nothing is shared: ``p = 0``, ``o_i = r_i``.

    *Before scale.* The after length is ``v_a' = f v_a`` with ``f = s m_b / m_a`` (``s`` the similarity's
    scale, before pixels per after pixel). Both values then share the before scale, whose whole error
    ``r_b`` multiplies the change, and the similarity's scale error ``s_rel``
    (:attr:`Alignment.scale_relative_sigma`) adds to the after value:

    ``sigma_delta^2 = l_b^2 + (f l_a)^2 + (delta r_b)^2 + (v_a' s_rel)^2``.

    *Tracked.* As *before scale*, but the after points are the before points moved by the flow, so the
    mesh's error at a point is the same on both visits and drops out of the change to first order; what
    is left is the tracking noise ``t`` per coordinate. Landmark noise enters every measurement in
    proportion to the per-coordinate point sigma ``c`` of the calibration, so the after value's landmark
    noise is rescaled by ``t / c``:

    ``sigma_delta^2 = (t / c)^2 (f l_a)^2 + (delta r_b)^2 + (v_a' s_rel)^2``.

    Measurements on points found in the pixels rather than carried by the mesh (the brow's upper edge, the
    hairline; :data:`IMAGE_DETECTED_POINTS`) are searched for again on the after photo and keep
    ``l_b^2 + (f l_a)^2``.

    Ratios, fractions and angles do not depend on the scale: ``sigma_delta^2 = sigma_b^2 + sigma_a^2``
    (tracked: ``(t / c)^2 sigma_a^2``). Pixel values (the iris diameter) are put into before pixels (times
    the similarity's full-resolution scale) in every mode, with ``s_rel`` added as for lengths.

    ``l`` is the mesh's accuracy against hand-placed points on the London set. Between two visits part
    of it is a fixed bias of the model on this face that repeats, so in the two mesh modes
    ``sigma_delta`` is an upper bound: changes under about two sigma (3 to 8 mm for mouth width) are
    reported as not shown.
    """
    if mode is not ComparisonMode.EACH_PHOTO and alignment is None:
        raise ValueError(f"mode {mode.value} needs the alignment")
    if mode is ComparisonMode.TRACKED and tracking_sigma_px is None:
        raise ValueError("mode tracked needs tracking_sigma_px")
    cal_b, cal_a = before.assessment.calibration, after.assessment.calibration
    shared = cal_b.method is CalibrationMethod.IRIS_DIAMETER and cal_a.method is CalibrationMethod.IRIS_DIAMETER
    p, own_b = _scale_parts(cal_b, iris_reference(before.norms), shared)
    _, own_a = _scale_parts(cal_a, iris_reference(after.norms), shared)
    s = alignment.similarity.scale if alignment is not None else None
    s_rel = alignment.scale_relative_sigma if alignment is not None else 0.0
    tracked = mode is ComparisonMode.TRACKED
    t_over_c = 1.0
    if tracked and tracking_sigma_px is not None and cal_b.point_sigma_px > 0:
        t_over_c = min(1.0, tracking_sigma_px / cal_b.point_sigma_px)
    out: list[MeasurementChange] = []
    after_measurements = after.assessment.measurements
    for mid, mb in before.assessment.measurements.items():
        ma = after_measurements.get(mid)
        if ma is None:
            continue
        base = {"id": mid, "unit": mb.unit.value, "label": mb.label}
        if mb.value is None or ma.value is None or mb.uncertainty is None or ma.uncertainty is None:
            which = "before" if mb.value is None else "after"
            reason = (mb.reason if mb.value is None else ma.reason) or "not measured"
            out.append(
                MeasurementChange(
                    **base,
                    before=mb.value,
                    after=ma.value,
                    delta=None,
                    sigma_delta=None,
                    changed=None,
                    reason=f"not measurable on the {which} photo: {reason}",
                )
            )
            continue
        vb, va, sb, sa = mb.value, ma.value, mb.uncertainty, ma.uncertainty
        carried = tracked and not IMAGE_DETECTED_POINTS.intersection(mb.points + ma.points)
        if mb.unit is Unit.MM:
            lb, la = _landmark_part(mb, cal_b), _landmark_part(ma, cal_a)
            if mode is ComparisonMode.EACH_PHOTO:
                delta = va - vb
                sigma = math.sqrt(lb**2 + la**2 + (vb * own_b) ** 2 + (va * own_a) ** 2 + (delta * p) ** 2)
            else:
                assert s is not None
                f = s * cal_b.mm_per_px / cal_a.mm_per_px
                va, la = va * f, la * f
                delta = va - vb
                landmark_sq = (t_over_c * la) ** 2 if carried else lb**2 + la**2
                sigma = math.sqrt(landmark_sq + (delta * cal_b.relative_uncertainty) ** 2 + (va * s_rel) ** 2)
        elif mb.unit is Unit.PX:
            if s is None:
                out.append(
                    MeasurementChange(
                        **base,
                        before=vb,
                        after=va,
                        delta=None,
                        sigma_delta=None,
                        changed=None,
                        reason="pixel values need the alignment to be compared",
                    )
                )
                continue
            s_full = s * before.image.scale_to_full / after.image.scale_to_full
            va, sa = va * s_full, sa * s_full
            delta = va - vb
            sigma = math.sqrt(sb**2 + sa**2 + (va * s_rel) ** 2)
        else:
            delta = va - vb
            sigma = t_over_c * sa if carried else math.hypot(sb, sa)
        out.append(
            MeasurementChange(
                **base,
                before=vb,
                after=va,
                delta=delta,
                sigma_delta=sigma,
                changed=bool(abs(delta) > CHANGE_SIGMAS * sigma),
            )
        )
    return tuple(out)


# --- the whole comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class BeforeAfter:
    """One before/after comparison: the alignment, the changes and what to be careful about.

    Attributes
    ----------
    mode : ComparisonMode
        The mode used; ``requested_mode`` when tracking was asked for and was not reliable.
    tracking : Tracking or None
        The tracking, when it was tried.
    """

    before_name: str
    after_name: str
    alignment: Alignment
    mode: ComparisonMode
    requested_mode: ComparisonMode
    changes: tuple[MeasurementChange, ...]
    tracking: Tracking | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> tuple[MeasurementChange, ...]:
        return tuple(c for c in self.changes if c.changed)


def _comparison_warnings(before: PhotoAnalysis, after: PhotoAnalysis, alignment: Alignment) -> list[str]:
    warnings: list[str] = []
    pb, pa = before.assessment.pose, after.assessment.pose
    for name, vb, va in (
        ("yaw", pb.yaw_deg, pa.yaw_deg),
        ("pitch", pb.pitch_deg, pa.pitch_deg),
        ("roll", pb.roll_deg, pa.roll_deg),
    ):
        if abs(va - vb) > POSE_WARN_DEG:
            warnings.append(
                f"The head {name} differs by {abs(va - vb):.1f} deg between the photos (more than "
                f"{POSE_WARN_DEG:g}); changes may come from the pose, not the treatment."
            )
    iris_full = _mean_iris_px(before.mesh.landmarks_px) * before.image.scale_to_full
    if alignment.residual_rms_px > RESIDUAL_WARN_IRIS_DIAMETERS * iris_full:
        warnings.append(
            f"The stable region aligns only to {alignment.residual_rms_px:.1f} px RMS; the photos may "
            "not show the same view or expression."
        )
    if before.assessment.calibration.method is not after.assessment.calibration.method:
        warnings.append(
            "The two photos are calibrated differently (iris and known distance); the population "
            "part of the iris uncertainty does not cancel."
        )
    if alignment.note:
        warnings.append(f"Alignment: {alignment.note}.")
    return warnings


def compare_analyses(
    before: PhotoAnalysis,
    after: PhotoAnalysis,
    *,
    mode: ComparisonMode = ComparisonMode.TRACKED,
    refine: bool = True,
) -> BeforeAfter:
    """Align two analysed photos and tabulate what changed.

    Parameters
    ----------
    before, after : PhotoAnalysis
        Frontal analyses of the same patient at two visits.
    mode : ComparisonMode
        See :class:`ComparisonMode` and :func:`measurement_changes`. ``TRACKED`` falls back to
        ``EACH_PHOTO`` (with a warning) when the tracking is not reliable.
    refine : bool
        Refine the alignment on image features (:func:`align_photos`).

    Examples
    --------
    ``before`` and ``after`` come from :func:`facebalance.analyze_photo`::

        result = compare_analyses(before, after)
        [c.id for c in result.changed]
    """
    alignment = align_photos(before, after, refine=refine)
    warnings = _comparison_warnings(before, after, alignment)
    tracking: Tracking | None = None
    used, after_measured, tracking_sigma = mode, after, None
    if mode is ComparisonMode.TRACKED:
        tracking = track_points(before, after, alignment)
        reason = tracking.reason
        if tracking.reliable:
            try:
                after_measured = reassess_with_points(after, tracking.points_after_px)
                tracking_sigma = tracking.sigma_px
            except FacebalanceError as exc:
                reason = f"the after photo could not be measured at the tracked points: {exc.message}"
        if tracking_sigma is None:
            used = ComparisonMode.EACH_PHOTO
            warnings.append(f"Tracking not used ({reason}); each photo's own mesh and calibration were compared.")
    return BeforeAfter(
        before_name=before.source_name,
        after_name=after.source_name,
        alignment=alignment,
        mode=used,
        requested_mode=mode,
        changes=measurement_changes(
            before, after_measured, mode=used, alignment=alignment, tracking_sigma_px=tracking_sigma
        ),
        tracking=tracking,
        warnings=warnings,
    )


def _num(x: float | None, digits: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def comparison_document(result: BeforeAfter, *, before_scale_to_full: float = 1.0) -> dict[str, Any]:
    """The JSON-ready dict of one comparison (schema ``facebalance.before_after`` 1.0).

    ``before_scale_to_full`` turns the tracking's analysed pixels into the before photo's full-resolution
    pixels, like every other pixel figure in the document.
    """
    sim = result.alignment.similarity
    tracking = result.tracking
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "before": result.before_name,
        "after": result.after_name,
        "mode": result.mode.value,
        "requested_mode": result.requested_mode.value,
        "alignment": {
            "method": result.alignment.method.value,
            "points": list(result.alignment.points),
            "scale": _num(sim.scale, 6),
            "scale_relative_sigma": _num(result.alignment.scale_relative_sigma, 6),
            "rotation_deg": _num(sim.rotation_deg, 4),
            "translation_px": [_num(float(v), 3) for v in sim.translation],
            "matrix_after_to_before": [[_num(v, 6) for v in row] for row in sim.matrix.tolist()],
            "residual_rms_px": _num(result.alignment.residual_rms_px, 3),
            "landmark_residual_rms_px": _num(result.alignment.landmark_residual_rms_px, 3),
            "feature_inliers": result.alignment.feature_inliers,
            "note": result.alignment.note or None,
        },
        "tracking": None
        if tracking is None
        else {
            "reliable": tracking.reliable,
            "reason": tracking.reason or None,
            "sigma_px": _num(tracking.sigma_px * before_scale_to_full, 3),
            "stable_motion_rms_px": _num(tracking.stable_motion_rms_px * before_scale_to_full, 3),
            "forward_backward_p95_px": _num(
                float(np.percentile(tracking.forward_backward_px, 95)) * before_scale_to_full, 3
            ),
        },
        "change_sigmas": CHANGE_SIGMAS,
        "changes": [
            {
                "id": c.id,
                "unit": c.unit,
                "label": c.label,
                "before": _num(c.before),
                "after": _num(c.after),
                "delta": _num(c.delta),
                "sigma_delta": _num(c.sigma_delta),
                "changed": c.changed,
                **({"reason": c.reason} if c.reason else {}),
            }
            for c in result.changes
        ],
        "warnings": list(result.warnings),
        "disclaimer": "Clinical decision support: changes are measured on photos; a clinician judges them.",
    }


__all__ = [
    "ALIGNMENT_POINTS",
    "CHANGE_SIGMAS",
    "AlignedPictures",
    "Alignment",
    "AlignmentMethod",
    "BeforeAfter",
    "ComparisonMode",
    "MeasurementChange",
    "Similarity",
    "Tracking",
    "align_photos",
    "aligned_pictures",
    "compare_analyses",
    "comparison_document",
    "measurement_changes",
    "overlay",
    "png_bytes",
    "reassess_with_points",
    "side_by_side",
    "stable_region_mask",
    "track_points",
    "warp_after",
]
