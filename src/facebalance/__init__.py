"""facebalance: clinical decision support for facial balancing.

The core (vision, anatomy, zones, norms, findings) proposes and explains; a clinician confirms.

``facebalance.analyze_photo`` is :func:`facebalance.analysis.analyze_photo` itself, with its signature
(source, then keyword-only ``sex``, ``ethnicity``, ``norms``/``norms_path``, ``rules``/``rules_path``,
``known_ipd_mm``, ``landmarker``); it is imported on first use, so ``import facebalance`` stays light.

>>> import inspect, facebalance
>>> list(inspect.signature(facebalance.analyze_photo).parameters)[:3]
['source', 'sex', 'ethnicity']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from facebalance.version import __version__

if TYPE_CHECKING:
    from facebalance.analysis import analyze_photo
    from facebalance.photo import PhotoAnalysis

__all__ = ["PhotoAnalysis", "__version__", "analyze_photo"]


def __getattr__(name: str) -> Any:
    # PEP 562: the analysis module (and the vision stack under it) and the result type load on first use only.
    if name == "analyze_photo":
        from facebalance.analysis import analyze_photo

        return analyze_photo
    if name == "PhotoAnalysis":
        from facebalance.photo import PhotoAnalysis

        return PhotoAnalysis
    raise AttributeError(f"module 'facebalance' has no attribute {name!r}")
