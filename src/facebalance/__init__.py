"""facebalance: clinical decision support for facial balancing.

The core (vision, anatomy, zones, norms, findings) proposes and explains; a clinician confirms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from facebalance.photo import PhotoAnalysis


def analyze_photo(*args: Any, **kwargs: Any) -> PhotoAnalysis:
    """Analyse one frontal photo; see :func:`facebalance.analysis.analyze_photo`."""
    from facebalance.analysis import analyze_photo as _analyze

    return _analyze(*args, **kwargs)


def __getattr__(name: str) -> Any:
    # The result type without importing the image stack with the package: resolved on first use.
    if name == "PhotoAnalysis":
        from facebalance.photo import PhotoAnalysis

        return PhotoAnalysis
    raise AttributeError(f"module 'facebalance' has no attribute {name!r}")


__all__ = ["PhotoAnalysis", "__version__", "analyze_photo"]
