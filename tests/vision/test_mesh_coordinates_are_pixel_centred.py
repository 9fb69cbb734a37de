"""Known answer: the face mesh's pixel coordinates are pixel-centred, so a mirror maps x to W - 1 - x.

A photo reduced 3:1 by box averaging puts reduced pixel ``c`` over full pixels ``3c .. 3c + 2``. With
pixel-centred coordinates (pixel ``c`` at ``x = c``) a point at reduced ``x`` is at full ``3x + 1``; with
edge-based ones (pixel ``c`` spanning ``c .. c + 1``) at ``3x``. The model answers, averaged over the mesh
and the three bundled photos, within a third of a pixel of the first.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from facebalance.vision import FaceLandmarker, load_image
from facebalance.vision.mirror import mirror_landmarks, mirror_x


def test_a_reduced_photo_maps_back_with_the_pixel_centre_offset(
    landmarker: FaceLandmarker, patient_ada_photo: Path, patient_ben_photo: Path, patient_chloe_photo: Path
) -> None:
    offsets = []
    for photo in (patient_ada_photo, patient_ben_photo, patient_chloe_photo):
        rgb = load_image(photo).rgb
        h, w = rgb.shape[:2]
        full = rgb[: h - h % 3, : w - w % 3]
        reduced = np.asarray(Image.fromarray(full).resize((full.shape[1] // 3, full.shape[0] // 3), Image.BOX))
        big = landmarker.detect(full)[0].landmarks_px[:, :2]
        small = landmarker.detect(reduced)[0].landmarks_px[:, :2]
        offsets.append(float((big - 3 * small).mean()))
    assert abs(float(np.mean(offsets)) - 1.0) < 1 / 3, offsets


def test_the_mirror_of_a_pixel_centre_is_the_mirrored_pixel_centre() -> None:
    # Pixel 0 of a 640-wide image is pixel 639 of its mirror; mirroring twice is the identity.
    assert mirror_x(0.0, 640) == 639.0
    pts = np.random.default_rng(1).uniform(0, 640, size=(478, 3))
    assert np.allclose(mirror_landmarks(mirror_landmarks(pts, 640), 640), pts)
