"""Oblique (three-quarter) analysis: the far cheek's silhouette, the ogee curve's points and their measures.

* :mod:`~facebalance.oblique.frame` - sides, the canonical orientation and the in-plane head frame;
* :mod:`~facebalance.oblique.prior` - the face mesh's far-side silhouette (the prior), the nose and lips;
* :mod:`~facebalance.oblique.silhouette` - the silhouette refined on the photo (pure);
* :mod:`~facebalance.oblique.points`, :mod:`~facebalance.oblique.measurements`,
  :mod:`~facebalance.oblique.calibration` - named points, measurements and the turned-head iris ruler (pure);
* :mod:`~facebalance.oblique.assessment` - points, measurements, norms and conservative findings (pure);
* :mod:`~facebalance.oblique.compare` - left against right, and a later session against an earlier one (pure);
* :mod:`~facebalance.oblique.analysis` - :func:`analyze_oblique`, the photo-level entry point.

The documents, annotated images and summaries are written by :mod:`facebalance.report`. Nothing here loads a
model at import; the names below are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facebalance.oblique.analysis import ObliqueAnalysis, analyze_oblique
    from facebalance.oblique.compare import ObliqueComparison, compare_sessions, compare_sides

__all__ = ["ObliqueAnalysis", "ObliqueComparison", "analyze_oblique", "compare_sessions", "compare_sides"]

_LAZY = {
    "ObliqueAnalysis": "facebalance.oblique.analysis",
    "analyze_oblique": "facebalance.oblique.analysis",
    "ObliqueComparison": "facebalance.oblique.compare",
    "compare_sessions": "facebalance.oblique.compare",
    "compare_sides": "facebalance.oblique.compare",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'facebalance.oblique' has no attribute {name!r}")
