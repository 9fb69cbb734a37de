"""Where the iris border is not in the image (closed eyes, an eye cut off), the mesh's estimate is kept
with its own, larger uncertainty and the reason, and the calibration then uses the mesh's iris."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.anatomy.calibration import IrisReference, calibrate_from_limbus, limbus_ruler_eyes
from facebalance.anatomy.limbus import LimbusSource, fit_limbi
from facebalance.errors import CalibrationError
from tests.core.synthetic_eyes import default_limbus_limits, render_eyes


def test_a_closed_eye_keeps_the_mesh_estimate_and_says_why() -> None:
    scene = render_eyes(lid_opening=(0.02, 0.02))
    right, left = fit_limbi(
        scene.rgb,
        scene.outlines,
        prior_diameters_px=(42.0, 41.0),
        prior_sigmas_px=(2.0, 1.9),
        limits=default_limbus_limits(),
    )
    for fit, prior, sigma in ((right, 42.0, 2.0), (left, 41.0, 1.9)):
        assert fit.source is LimbusSource.MESH
        assert (fit.diameter_px, fit.sigma_px) == (prior, sigma)
        assert fit.note
    reference = IrisReference(11.71, 0.42, "Rüfer 2005")
    assert limbus_ruler_eyes(right, left, reference) == (False, False)
    with pytest.raises(CalibrationError):
        calibrate_from_limbus(right, left, reference)


def test_a_blank_image_keeps_the_mesh_estimate() -> None:
    scene = render_eyes()
    blank = np.full_like(scene.rgb, 180)
    fits = fit_limbi(
        blank,
        scene.outlines,
        prior_diameters_px=(42.0, 42.0),
        prior_sigmas_px=(2.0, 2.0),
        limits=default_limbus_limits(),
    )
    assert all(f.source is LimbusSource.MESH and f.note for f in fits)
