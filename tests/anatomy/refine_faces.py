"""Helpers for the refined-point tests: a photo, its mesh and head frame, and edits that move one feature."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facebalance.anatomy.frame import HeadFrame, RefinedPoint, head_frame
from facebalance.anatomy.landmarks import IRIS_DIAMETER_ENDS
from facebalance.anatomy.refine import refine_face_points
from facebalance.geometry.iris import mean_iris_diameter_px
from facebalance.vision import FaceLandmarker, load_image
from facebalance.vision.mirror import detect_mirror_averaged
from facebalance.vision.pose import rotation_in_image_axes

#: MediaPipe iris contour to visible iris (the default norm set's ratio), for the search unit.
CONTOUR_TO_VISIBLE = 0.935


@dataclass(frozen=True)
class Face:
    """One photo with the mirror-averaged mesh found on it."""

    rgb: np.ndarray
    landmarks_px: np.ndarray
    rotation: np.ndarray
    pose: object

    def frame(self, landmarks_px: np.ndarray | None = None, rotation: np.ndarray | None = None) -> HeadFrame:
        return head_frame(
            self.landmarks_px if landmarks_px is None else landmarks_px,
            self.rotation if rotation is None else rotation,
            self.pose,  # type: ignore[arg-type]
        )

    @property
    def iris_px(self) -> float:
        return mean_iris_diameter_px(self.landmarks_px, IRIS_DIAMETER_ENDS) * CONTOUR_TO_VISIBLE


def face_of(photo: Path, landmarker: FaceLandmarker) -> Face:
    rgb = load_image(photo).rgb
    face = detect_mirror_averaged(landmarker, rgb)[0]
    return Face(rgb, face.landmarks_px, rotation_in_image_axes(face.transformation), face.pose)


def refine(rgb: np.ndarray, frame: HeadFrame, iris_px: float) -> dict[str, RefinedPoint]:
    return refine_face_points(rgb, frame, iris_diameter_px=iris_px, sigma_iris_diameters={})


def image_points(frame: HeadFrame, points: dict[str, RefinedPoint]) -> dict[str, np.ndarray]:
    """Each refined point in image pixels."""
    return {name: frame.to_image(p.xy, p.depth_px)[0] for name, p in points.items()}


def move_patch(rgb: np.ndarray, centre: np.ndarray, half: tuple[float, float], shift: tuple[int, int]) -> np.ndarray:
    """Copy the box ``centre +- half`` (x, y half-sizes) by ``shift`` (dx, dy) pixels, feathered into its
    surroundings over a fifth of its size so that the edit adds no edge of its own."""
    x0, x1 = int(centre[0] - half[0]), int(centre[0] + half[0])
    y0, y1 = int(centre[1] - half[1]), int(centre[1] + half[1])
    dx, dy = shift
    out = rgb.astype(np.float64)
    patch = out[y0:y1, x0:x1].copy()
    h, w = patch.shape[:2]
    ramp_y = np.minimum(np.arange(h) + 1, np.arange(h)[::-1] + 1) / max(1, h // 5)
    ramp_x = np.minimum(np.arange(w) + 1, np.arange(w)[::-1] + 1) / max(1, w // 5)
    weight = (np.minimum(ramp_y, 1.0)[:, None] * np.minimum(ramp_x, 1.0)[None, :])[..., None]
    target = out[y0 + dy : y1 + dy, x0 + dx : x1 + dx]
    out[y0 + dy : y1 + dy, x0 + dx : x1 + dx] = weight * patch + (1 - weight) * target
    return np.clip(np.round(out), 0, 255).astype(np.uint8)
