"""A smiling photo (narrowed eyes, cheeks pushing the lower lids up): the iris ruler is read from the limbus
at any photo size, and the same person's neutral photo of the same session gives the same eye distances."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image

from facebalance.analysis import PhotoAnalysis
from facebalance.anatomy.limbus import LimbusSource
from tests.engine.photo_variants import Analyse, rescaled, sigma, values

#: The eye distances a smile does not change.
EYE_DISTANCES = ("interpupillary_distance_mm", "intercanthal_width_mm")
#: Combined sigmas within which two photos' values must agree.
AGREEMENT_SIGMAS = 1.0
#: Fit sigmas within which a rescaled photo's ruler must match the original's.
RULER_SIGMAS = 3.0


@pytest.fixture(scope="module")
def ada_smiling_image(patient_ada_photo: Path) -> Image.Image:
    """Ada smiling (bundled London 001_08), the same session as her neutral photo."""
    return Image.open(patient_ada_photo.with_name("001_08.jpg")).convert("RGB")


@pytest.fixture(scope="module")
def ada_smiling(analyse: Analyse, ada_smiling_image: Image.Image) -> PhotoAnalysis:
    return analyse(ada_smiling_image)


def _ruler(result: PhotoAnalysis) -> tuple[float, float]:
    """Mm per original pixel and the relative one-sigma of the limbus fits alone (both eyes)."""
    limbus = result.assessment.limbus
    assert limbus is not None and all(fit.source is LimbusSource.IMAGE for fit in limbus), limbus
    mean = (limbus[0].diameter_px + limbus[1].diameter_px) / 2.0
    fit_rel = math.hypot(limbus[0].sigma_px, limbus[1].sigma_px) / 2.0 / mean
    return result.assessment.calibration.mm_per_px / result.image.scale_to_full, fit_rel


def _assert_agree(a: PhotoAnalysis, b: PhotoAnalysis, key: str) -> None:
    """Two analyses of one person's face give ``key`` within their combined stated uncertainty."""
    combined = math.hypot(sigma(a, key), sigma(b, key))
    assert abs(values(b)[key] - values(a)[key]) <= AGREEMENT_SIGMAS * combined, (key, values(a)[key], values(b)[key])


def test_the_smiling_photo_is_measured_with_both_limbi(ada_smiling: PhotoAnalysis) -> None:
    assert ada_smiling.assessment.calibration.ruler.value == "iris"
    assert "limbus fitted in the image: right" in ada_smiling.assessment.calibration.detail


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_a_rescaled_smiling_photo_gives_the_same_eye_distances(
    analyse: Analyse, ada_smiling_image: Image.Image, ada_smiling: PhotoAnalysis, factor: float
) -> None:
    scaled = analyse(rescaled(ada_smiling_image, factor))
    for key in EYE_DISTANCES:
        _assert_agree(ada_smiling, scaled, key)
    (ruler, fit_rel), (scaled_ruler, scaled_fit_rel) = _ruler(ada_smiling), _ruler(scaled)
    # In the photo's own pixels the ruler is the same, to within the two fits' stated uncertainty.
    assert abs(scaled_ruler * factor / ruler - 1.0) <= RULER_SIGMAS * math.hypot(fit_rel, scaled_fit_rel)


def test_the_neutral_and_smiling_photos_share_the_interpupillary_distance(
    ada: PhotoAnalysis, ada_smiling: PhotoAnalysis
) -> None:
    _assert_agree(ada, ada_smiling, "interpupillary_distance_mm")
