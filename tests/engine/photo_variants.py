"""Helpers for the frontal engine tests (kept apart from conftest so test modules can import them)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image

from facebalance.analysis import PhotoAnalysis

Analyse = Callable[[Image.Image], PhotoAnalysis]


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def rescaled(image: Image.Image, factor: float) -> Image.Image:
    """The photo resized by ``factor`` (Lanczos), as a smaller or larger camera file would give it."""
    w, h = image.size
    return image.resize((round(w * factor), round(h * factor)), Image.Resampling.LANCZOS)


def values(result: PhotoAnalysis) -> dict[str, float]:
    return {k: m.value for k, m in result.assessment.measurements.items() if m.value is not None}


def sigma(result: PhotoAnalysis, key: str) -> float:
    u = result.assessment.measurements[key].uncertainty
    assert u is not None
    return u


def as_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))
