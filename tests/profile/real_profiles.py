"""Real lateral photos from ../shared/data/cfp_profile_dev (evaluation only: read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from facebalance.evaluation.profile_photos import EVALUATED, nasion_chin_px, read_annotation
from tests.shared_data import shared_path

DATASET = "cfp_profile_dev"


def photo(name: str) -> Path:
    """The photo's path, or skip the test when ../shared is absent."""
    return shared_path(DATASET, f"{name}.jpg")


def annotation(name: str) -> np.ndarray:
    return read_annotation(shared_path(DATASET, f"{name}.txt"))


def errors_over_face(name: str, located: dict) -> dict:
    """Distance of each evaluated point from the annotation over the annotated nasion-to-chin length."""
    points = annotation(name)
    return {
        p: float(np.hypot(*(located[p] - points[EVALUATED[p] - 1]))) / nasion_chin_px(points)
        for p in EVALUATED
        if p in located
    }
