"""One assessment from the whole photo session: every view analysed, one carried scale, five zones.

* :mod:`~facebalance.assess.result` - the result types (:class:`SessionPhoto`, :class:`ViewResult`,
  :class:`CarriedScale`, :class:`ZoneAssessment`, :class:`SessionAssessment`), pure dataclasses;
* :mod:`~facebalance.assess.zones` - which view informs which zone and which finding belongs to which zone,
  read from ``data/zones.toml`` (pure);
* :mod:`~facebalance.assess.relations` - the cross-view relations (``data/session_relations.toml``) run by
  the one findings engine (:func:`facebalance.findings.relation_findings`) over the views' pooled
  measurements (pure);
* :mod:`~facebalance.assess.series` - the rest + expression photo series for the dynamic assessment (pure);
* :mod:`~facebalance.assess.session` - :func:`assess_session`, the entry point (reads the photos, runs the
  models).

The documents and annotated images are written by :mod:`facebalance.report.session`. Nothing here loads a
model at import; the names below are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facebalance.assess.result import (
        CarriedScale,
        SessionAssessment,
        SessionFinding,
        SessionPhoto,
        ViewResult,
        ViewScale,
        ZoneAssessment,
    )
    from facebalance.assess.session import assess_session

__all__ = [
    "CarriedScale",
    "SessionAssessment",
    "SessionFinding",
    "SessionPhoto",
    "ViewResult",
    "ViewScale",
    "ZoneAssessment",
    "assess_session",
]

_LAZY = {name: "facebalance.assess.result" for name in __all__ if name != "assess_session"}
_LAZY["assess_session"] = "facebalance.assess.session"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'facebalance.assess' has no attribute {name!r}")
