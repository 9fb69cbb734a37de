"""No marker, another marker, or two copies: the marker ruler is not used, and saying why where it is seen."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from facebalance.evaluation.marker import render_marker
from facebalance.vision.marker import find_marker, load_marker_spec


@pytest.fixture(scope="module")
def background(patient_ada_photo) -> np.ndarray:  # type: ignore[no-untyped-def]
    with Image.open(patient_ada_photo) as image:
        return np.asarray(image.convert("RGB"))


def test_a_photo_without_a_marker_has_none(background: np.ndarray) -> None:
    spec = load_marker_spec()
    assert find_marker(background, spec) is None
    assert find_marker(background, spec, expected_side_px=65.0) is None


def test_another_arucos_id_is_not_the_marker(background: np.ndarray) -> None:
    spec = load_marker_spec()
    other = dataclasses.replace(spec, marker_id=spec.marker_id + 1)
    render = render_marker(background, other, centre_px=(300.0, 420.0), px_per_mm=3.5)
    assert find_marker(render.rgb, spec) is None


def test_two_copies_are_refused_saying_so(background: np.ndarray) -> None:
    spec = load_marker_spec()
    once = render_marker(background, spec, centre_px=(300.0, 420.0), px_per_mm=3.5).rgb
    twice = render_marker(once, spec, centre_px=(1050.0, 420.0), px_per_mm=3.5).rgb
    found = find_marker(twice, spec)
    assert found is not None and not found.usable
    assert "2 copies" in found.problem


def test_a_marker_too_small_to_measure_is_refused_saying_so(background: np.ndarray) -> None:
    spec = load_marker_spec()
    render = render_marker(background, spec, centre_px=(300.0, 420.0), px_per_mm=0.8, blur_px=0.3)
    found = find_marker(render.rgb, spec)
    if found is not None:  # too small for the detector at all is also fine
        assert not found.usable and "px wide" in found.problem
