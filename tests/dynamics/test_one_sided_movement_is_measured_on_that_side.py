"""Metamorphic: one mouth corner (or brow) of a real photo moved by a known number of pixels is measured as
that size on that side, and as no movement on the other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from facebalance.anatomy.landmarks import Landmark, MotionPoint
from facebalance.dynamics.assess import assess_photos, assess_video
from tests.dynamics.dynamics_videos import one_sided_frames, warp_region, write_video

#: The moved side: within this fraction of the true size plus _ABS_MM (registration and the head-motion fit).
_REL = 0.05
_ABS_MM = 0.2
#: The side that did not move.
_STILL_MM = 0.25


def _excursion(result: object, expression: str, metric: str) -> tuple[float, float, str, str]:
    from facebalance.dynamics.results import DynamicsResult

    assert isinstance(result, DynamicsResult)
    found = [e for e in result.expressions if e.name == expression]
    assert found, f"no {expression} found; missing {result.missing}"
    m = found[0].metric(metric)
    assert m is not None and m.left is not None and m.right is not None
    return m.left.value, m.right.value, m.left.source, m.right.source


def test_a_video_of_one_corner_lifting_measures_that_corner(
    tmp_path: Path, ada_face: np.ndarray, ada_landmarks: np.ndarray
) -> None:
    shift = (10.0, -16.0)  # the patient's left corner, outward (image right) and up, pixels
    frames = one_sided_frames(ada_face, ada_landmarks, shift, rest_frames=10, ramp_frames=4, hold_frames=8)
    result = assess_video(write_video(tmp_path / "one_sided.mkv", frames))
    true_mm = float(np.hypot(*shift)) * result.calibration.mm_per_px
    left, right, left_source, right_source = _excursion(result, "smile", "commissure_excursion_mm")
    assert (left_source, right_source) == ("image", "image")
    assert abs(left - true_mm) <= _REL * true_mm + _ABS_MM, (left, true_mm)
    assert abs(right) <= _STILL_MM


def _mouth_width_px(landmarks: np.ndarray) -> float:
    return float(np.linalg.norm(landmarks[Landmark.CHEILION_LEFT, :2] - landmarks[Landmark.CHEILION_RIGHT, :2]))


def _photo_pair(tmp_path: Path, rest: np.ndarray, moved: np.ndarray) -> list[Path]:
    paths = [tmp_path / "rest.png", tmp_path / "smile.png"]
    Image.fromarray(rest).save(paths[0])
    Image.fromarray(moved).save(paths[1])
    return paths


def test_a_photo_pair_measures_the_moved_corner_only(
    tmp_path: Path, ada_face: np.ndarray, ada_landmarks: np.ndarray
) -> None:
    shift = (0.0, -8.0)  # the patient's right corner straight up
    mouth = _mouth_width_px(ada_landmarks)
    moved = warp_region(ada_face, ada_landmarks[Landmark.CHEILION_RIGHT, :2], shift, 0.25 * mouth, 0.6 * mouth)
    result = assess_photos(_photo_pair(tmp_path, ada_face, moved))
    true_mm = 8.0 * result.calibration.mm_per_px
    left, right, *_ = _excursion(result, "smile", "commissure_excursion_mm")
    assert abs(right - true_mm) <= _REL * true_mm + _ABS_MM, (right, true_mm)
    assert abs(left) <= _STILL_MM
    elevation = result.expressions[0].metric("commissure_elevation_mm")
    assert elevation is not None and elevation.right is not None
    assert abs(elevation.right.value - true_mm) <= _REL * true_mm + _ABS_MM


def test_a_photo_pair_measures_the_raised_brow_only(
    tmp_path: Path, ada_face: np.ndarray, ada_landmarks: np.ndarray
) -> None:
    iris = float(np.linalg.norm(ada_landmarks[Landmark.IRIS_LEFT_LATERAL] - ada_landmarks[Landmark.IRIS_LEFT_MEDIAL]))
    brow = ada_landmarks[[Landmark.BROW_MEDIAL_LEFT, MotionPoint.BROW_MIDDLE_LEFT, Landmark.BROW_TAIL_LEFT], :2]
    centre = brow.mean(axis=0)
    # The whole left brow lifts 3 px: a flat ellipse holding the brow and a patch's margin around it, fading
    # out above the lid and before the midline, so that the eye, the nasal bridge and the other brow stay put.
    inner = float(np.abs(brow[:, 0] - centre[0]).max()) + 0.6 * iris
    aspect = 0.55 * iris / inner
    moved = warp_region(ada_face, centre, (0.0, -3.0), inner, inner + 0.35 * iris / aspect, aspect=aspect)
    result = assess_photos(_photo_pair(tmp_path, ada_face, moved), labels=["rest", "brow_raise"])
    true_mm = 3.0 * result.calibration.mm_per_px
    left, right, *_ = _excursion(result, "brow_raise", "brow_elevation_mm")
    assert abs(left - true_mm) <= _REL * true_mm + _ABS_MM, (left, true_mm)
    assert abs(right) <= _STILL_MM


def test_the_mesh_alone_under_reads_a_one_sided_movement(
    observer: object, ada_face: np.ndarray, ada_landmarks: np.ndarray
) -> None:
    """Why the image is read at all: the global face mesh follows part of the movement and leaks to the other side."""
    from facebalance.dynamics.stabilise import align
    from facebalance.dynamics.tracker import PhotoFaceObserver

    assert isinstance(observer, PhotoFaceObserver)
    mouth = _mouth_width_px(ada_landmarks)
    moved = warp_region(ada_face, ada_landmarks[Landmark.CHEILION_LEFT, :2], (10.0, -16.0), 0.25 * mouth, 0.6 * mouth)
    observation = observer.observe(moved)
    assert observation is not None
    placed = align(observation.landmarks_px, ada_landmarks).transform.apply(observation.landmarks_px)
    left = float(np.linalg.norm(placed[Landmark.CHEILION_LEFT, :2] - ada_landmarks[Landmark.CHEILION_LEFT, :2]))
    right = float(np.linalg.norm(placed[Landmark.CHEILION_RIGHT, :2] - ada_landmarks[Landmark.CHEILION_RIGHT, :2]))
    true_px = float(np.hypot(10.0, 16.0))
    assert left < 0.95 * true_px
    assert right > 0.05 * true_px
