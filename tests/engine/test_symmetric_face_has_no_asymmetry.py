"""Metamorphic: a face made symmetric by mirroring one half has near-zero asymmetry."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis
from tests.engine.photo_variants import Analyse, as_array, sigma, values

ASYMMETRIES = [
    "brow_height_asymmetry_mm",
    "palpebral_fissure_height_asymmetry_mm",
    "commissure_height_asymmetry_mm",
    "alar_asymmetry_mm",
    "jaw_asymmetry_mm",
    "nasal_tip_deviation_mm",
    "chin_deviation_mm",
]


def mirrored_half(image: Image.Image, ada: PhotoAnalysis, *, keep: str) -> Image.Image:
    """Rotate the face upright, then rebuild it from one half about the facial midline."""
    pose = ada.assessment.pose
    upright = image.rotate(pose.roll_deg, resample=Image.Resampling.BICUBIC, fillcolor=(200, 200, 200))
    # Re-measure the midline column in the upright photo from the canthi of the original mesh.
    pts = ada.mesh.landmarks_px
    cx, cy = image.size[0] / 2, image.size[1] / 2
    a = np.radians(pose.roll_deg)
    mid = (pts[133, :2] + pts[362, :2]) / 2 - (cx, cy)
    # PIL rotates counter-clockwise on screen by +angle; in y-down coordinates that is this matrix.
    x = mid[0] * np.cos(a) + mid[1] * np.sin(a) + cx
    col = round(x)
    arr = as_array(upright).copy()
    if keep == "right":  # the patient's right half is the image-left half
        half = arr[:, :col]
        arr = np.concatenate([half, half[:, ::-1]], axis=1)
    else:
        half = arr[:, col:]
        arr = np.concatenate([half[:, ::-1], half], axis=1)
    return Image.fromarray(np.ascontiguousarray(arr))


@pytest.mark.parametrize("keep", ["right", "left"])
def test_it_finds_no_asymmetry_on_a_mirrored_face(
    analyse: Analyse, ada_image: Image.Image, ada: PhotoAnalysis, keep: str
) -> None:
    result = analyse(mirrored_half(ada_image, ada, keep=keep))
    symmetric = values(result)
    for key in ASYMMETRIES:
        # Zero within the measurement's own one-sigma uncertainty (two for the jaw, whose gonion proxies
        # sit on the mesh's outline, the least stable part of the mesh), and below any noticed threshold.
        bound = sigma(result, key) * (2.0 if key == "jaw_asymmetry_mm" else 1.0)
        assert abs(symmetric[key]) <= bound, (key, symmetric[key])
    assert not [f for f in result.assessment.findings if f.kind == "asymmetry"]
