"""facebalance: clinical decision support for facial balancing.

The core (vision, anatomy, zones, norms, findings) proposes and explains; a clinician confirms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from facebalance.analysis import PhotoAnalysis


def analyze_photo(*args: Any, **kwargs: Any) -> PhotoAnalysis:
    """Analyse one frontal photo; see :func:`facebalance.analysis.analyze_photo`."""
    from facebalance.analysis import analyze_photo as _analyze

    return _analyze(*args, **kwargs)


__all__ = ["__version__", "analyze_photo"]
