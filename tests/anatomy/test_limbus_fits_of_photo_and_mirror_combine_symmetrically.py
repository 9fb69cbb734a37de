"""Known answers: one eye's limbus fits on a photo and on its mirror image combine the same whichever was
the original; a fit found in only one orientation is not used; mirroring a fit twice changes nothing."""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.limbus import LimbusFit, LimbusSource, average_fits, mirror_fit


def _fit(diameter: float, source: LimbusSource, x: float, note: str = "") -> LimbusFit:
    return LimbusFit(diameter, 0.2, source, (x, 50.0), edge_points=20, note=note, edges_px=np.array([[x - 20, 50.0]]))


def test_two_image_fits_average_whichever_comes_first() -> None:
    a, b = _fit(40.0, LimbusSource.IMAGE, 100.0), _fit(41.0, LimbusSource.IMAGE, 101.0)
    ab, ba = average_fits(a, b), average_fits(b, a)
    assert ab.source is LimbusSource.IMAGE and ab.diameter_px == ba.diameter_px == 40.5
    assert ab.centre_px == ba.centre_px == (100.5, 50.0)


def test_a_fit_found_in_one_orientation_only_falls_back_to_the_mesh() -> None:
    image, mesh = _fit(40.0, LimbusSource.IMAGE, 100.0), _fit(42.0, LimbusSource.MESH, 99.0, "lids too close")
    for combined in (average_fits(image, mesh), average_fits(mesh, image)):
        assert combined.source is LimbusSource.MESH and combined.diameter_px == 42.0
        assert "only one of the photo and its mirror" in combined.note


def test_mirroring_a_fit_twice_gives_it_back() -> None:
    fit = _fit(40.0, LimbusSource.IMAGE, 100.25)
    once = mirror_fit(fit, 640)
    assert once.centre_px == (538.75, 50.0)  # pixel-centred: 640 - 1 - 100.25
    twice = mirror_fit(once, 640)
    assert twice.centre_px == fit.centre_px and np.allclose(twice.edges_px, fit.edges_px)
