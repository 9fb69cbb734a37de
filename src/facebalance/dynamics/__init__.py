"""Dynamic assessment (zone 5): how the face moves, from a video or a series of expression photos.

Entry points: :func:`assess_video` and :func:`assess_photos` return a
:class:`~facebalance.dynamics.results.DynamicsResult`; :func:`~facebalance.report.dynamics.dynamics_document`
turns it into ``dynamics.json`` and :mod:`facebalance.report.dynamics_charts` draws it. Method, definitions and
limitations: ``docs/dynamics.md``.

Layout: ``video`` (safe streaming reader), ``tracker`` (MediaPipe VIDEO/IMAGE-mode adapter, mirror
symmetrised), ``mirror`` (left/right partners of the mesh), ``stabilise`` (head motion removed),
``signals``, ``script`` (the guided script, data), ``segment``, ``refine`` (movement read from the image),
``metrics`` (pure per-expression measurements), ``asymmetry``, ``findings`` (rule rows, data), ``limits``
(input and tooth/gum numbers, data), ``assess`` (the pipeline). Its document and charts are written by
:mod:`facebalance.report`; the London smile evaluation is :mod:`facebalance.evaluation.smile`, the speed
benchmark :mod:`facebalance.bench.dynamics`. Nothing loads at import.
"""

from facebalance.dynamics.assess import DynamicsOptions, assess_photos, assess_video
from facebalance.dynamics.results import DynamicFinding, DynamicsResult, ExpressionResult

__all__ = [
    "DynamicFinding",
    "DynamicsOptions",
    "DynamicsResult",
    "ExpressionResult",
    "assess_photos",
    "assess_video",
]
