"""Profile analysis from lateral photos: outline, soft-tissue landmarks, lines and angles, findings.

The face mesh does not work on a true 90 degree profile, so the profile has its own path:

* :mod:`~facebalance.profile.segmentation` - the person / backdrop model (adapter);
* :mod:`~facebalance.profile.contour` - the photo's outline, refined on the full-resolution photo;
  :mod:`~facebalance.profile.xray` - the soft-tissue outline of a cephalogram (for validation);
* :mod:`~facebalance.profile.landmarks` - the pure landmark step shared by both;
* :mod:`~facebalance.profile.measurements`, :mod:`~facebalance.profile.calibration`,
  :mod:`~facebalance.profile.findings` - pure measurement, scale and findings;
* :mod:`~facebalance.profile.analysis` - :func:`analyze_profile` and :func:`detect_view`.

The JSON document, the annotated image and the terminal summary are written by the report layer
(:mod:`facebalance.report.document`, :mod:`facebalance.report.annotate_profile`,
:mod:`facebalance.report.summary`).

Nothing here loads a model at import; the names below are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facebalance.profile.analysis import ProfileAnalysis, analyze_profile, detect_view
    from facebalance.profile.landmarks import ProfilePoint, locate_landmarks

__all__ = ["ProfileAnalysis", "ProfilePoint", "analyze_profile", "detect_view", "locate_landmarks"]

_LAZY = {
    "ProfileAnalysis": "facebalance.profile.analysis",
    "analyze_profile": "facebalance.profile.analysis",
    "detect_view": "facebalance.profile.analysis",
    "ProfilePoint": "facebalance.profile.landmarks",
    "locate_landmarks": "facebalance.profile.landmarks",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'facebalance.profile' has no attribute {name!r}")
