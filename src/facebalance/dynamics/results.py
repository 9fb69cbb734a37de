"""What a dynamic assessment returns: expressions with their measurements, findings, and the per-frame signals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.dynamics.asymmetry import Asymmetry
from facebalance.dynamics.metrics import MovementMetric
from facebalance.dynamics.patterns import Reading
from facebalance.dynamics.script import ExpressionKind
from facebalance.findings.engine import Finding


@dataclass(frozen=True)
class ExpressionResult:
    """One expression (or the rest period) with its measurements at the peak.

    Attributes
    ----------
    name, label : str
    kind : ExpressionKind
    start_s, end_s, peak_s : float
        Times in seconds; photo indices for a photo series.
    start_index, end_index, peak_index : int
        Frame (or photo) indices.
    peak_activation : float
        Blendshape activation above rest at the peak (0 for rest).
    metrics : tuple of MovementMetric
    asymmetries : dict of str to Asymmetry or None
        By metric id.
    primary : bool
        The occurrence the findings use (the strongest when an expression was made more than once); never an
        unclassified movement.
    warnings : tuple of str
    reading : Reading or None
        How the segment was read against its expression's movement pattern (``None`` for rest). A segment
        whose reading is not named is an unclassified movement: ``name`` ``"unclassified"``, its metrics
        those of the expression proposed for it, shown but never used for findings.
    """

    name: str
    label: str
    kind: ExpressionKind
    start_s: float
    end_s: float
    peak_s: float
    start_index: int
    end_index: int
    peak_index: int
    peak_activation: float
    metrics: tuple[MovementMetric, ...]
    asymmetries: dict[str, Asymmetry | None]
    primary: bool = True
    warnings: tuple[str, ...] = ()
    reading: Reading | None = None

    @property
    def classified(self) -> bool:
        """Named as an expression of the script (rest, or a segment whose movement showed its pattern)."""
        return self.reading is None or self.reading.named

    def metric(self, metric_id: str) -> MovementMetric | None:
        return next((m for m in self.metrics if m.id == metric_id), None)


@dataclass(frozen=True)
class DynamicFinding(Finding):
    """A proposed movement finding, for the clinician to confirm, edit or reject.

    A :class:`facebalance.findings.engine.Finding` (kind ``movement``, ``asymmetry`` or ``compensation``)
    plus where it was seen and the planner's one-line hint.

    Attributes
    ----------
    kind : {"movement", "asymmetry", "compensation"}
    expression : str
        Expression name (``"rest"`` for rest findings).
    side : {"right", "left", "both"}
        The patient's side the finding is about.
    action : str
        What the planner should consider, e.g. ``"DAO toxin candidate"``.
    review : str
        Review status of the rule's threshold (``"working"`` until confirmed by the medical lead).
    """

    expression: str
    side: Literal["right", "left", "both"]
    action: str
    review: str


@dataclass(frozen=True)
class TimeSeries:
    """Per-frame signals for the charts.

    Attributes
    ----------
    times_s : ndarray of shape (F,)
    usable : ndarray of shape (F,), bool
    movement_mm : dict of str to ndarray of shape (F,)
        Movement signals (:func:`facebalance.dynamics.signals.movement_signals`) in mm (``eye_closure_*`` as
        a fraction), smoothed; NaN where not usable.
    activation : dict of str to ndarray of shape (F,)
        Activation above rest of each script expression.
    """

    times_s: np.ndarray
    usable: np.ndarray
    movement_mm: dict[str, np.ndarray]
    activation: dict[str, np.ndarray]


@dataclass(frozen=True)
class DynamicsResult:
    """The dynamic assessment of one recording or photo series.

    Attributes
    ----------
    source : str
        The video file, or the photo files joined.
    input_kind : {"video", "photos"}
    script_name, script_version : str
    frame_count, usable_frame_count : int
    fps : float
        Frames per second (0 for a photo series).
    duration_s : float
    frame_size_px : tuple of int
        Width and height of the analysed frames.
    calibration : Calibration
    rest : ExpressionResult
        The rest period (reference of every movement) and the measurements at rest.
    expressions : tuple of ExpressionResult
        Movement expressions in time order.
    missing : tuple of str
        Script expressions not found (an unclassified movement does not count as found).
    findings : tuple of DynamicFinding
    rest_blendshapes : dict of str to float
        Blendshape scores at rest (median over the rest frames).
    rest_at_rest : bool
        The rest period counts as at rest (a real period of rest, with the mouth and eyes' activation under the
        limits of ``data/patterns_default.toml``); rest findings and compensation signs need it.
    prompted : bool
        The recording carried prompt times (labels) and was segmented by them.
    warnings : tuple of str
    series : TimeSeries
    frames : dict of int to ndarray
        The rest frame and each peak frame, (H, W, 3) uint8, for the charts.
    frame_points_px : dict of int to ndarray
        Mesh points of those frames in their own pixels, shape (478, 3).
    peak_vectors_px : dict of int to dict of int to ndarray
        Per peak frame: followed vertex -> (rest position, peak position) in that frame's pixels, shape (2, 2).
    vertex_sources : dict of int to dict of int to str
        Per peak frame: followed vertex -> ``"image"`` or ``"mesh"``.
    """

    source: str
    input_kind: Literal["video", "photos"]
    script_name: str
    script_version: str
    frame_count: int
    usable_frame_count: int
    fps: float
    duration_s: float
    frame_size_px: tuple[int, int]
    calibration: Calibration
    rest: ExpressionResult
    expressions: tuple[ExpressionResult, ...]
    missing: tuple[str, ...]
    findings: tuple[DynamicFinding, ...]
    rest_blendshapes: dict[str, float]
    warnings: tuple[str, ...]
    series: TimeSeries
    rest_at_rest: bool = True
    prompted: bool = False
    frames: dict[int, np.ndarray] = field(repr=False, default_factory=dict)
    frame_points_px: dict[int, np.ndarray] = field(repr=False, default_factory=dict)
    peak_vectors_px: dict[int, dict[int, np.ndarray]] = field(repr=False, default_factory=dict)
    vertex_sources: dict[int, dict[int, str]] = field(repr=False, default_factory=dict)
