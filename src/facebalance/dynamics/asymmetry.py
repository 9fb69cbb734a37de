"""Left/right asymmetry of a movement: difference, index and the noticed-asymmetry threshold (pure).

The **asymmetry index** is ``(left - right) / max(|left|, |right|)``, in [-1, 1]: 0 for equal movement,
positive when the patient's left moves more, and for two movements in the same direction its magnitude is
``1 - smaller / larger`` (0.25 = one side moves a quarter less). It is not defined (``None``) when neither
side moves beyond twice its uncertainty, since the ratio of two noises means nothing. The **difference**
``left - right`` carries the uncertainty of both sides and is compared with the size at which lay
observers notice the asymmetry (thresholds in ``data/rules_default.toml``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from facebalance.dynamics.metrics import MovementMetric


@dataclass(frozen=True)
class NoticedThreshold:
    """The size of a left/right difference that observers notice, with its source."""

    metric: str
    noticed_at: float
    source: str
    review: str


@dataclass(frozen=True)
class Asymmetry:
    """Left/right comparison of one movement.

    Attributes
    ----------
    difference : float
        ``left - right`` in the metric's unit.
    sigma : float
        One-sigma uncertainty of the difference.
    index : float or None
        Asymmetry index (see module docstring).
    noticed_at : float or None
        Threshold of a noticed asymmetry, when one is known.
    noticeable : bool
        ``|difference| >= noticed_at``.
    beyond_uncertainty : bool
        ``|difference| - 2 sigma >= noticed_at``: noticeable even allowing for measurement noise.
    """

    difference: float
    sigma: float
    index: float | None
    noticed_at: float | None
    noticeable: bool
    beyond_uncertainty: bool


def asymmetry_index(left: float, right: float, *, floor: float = 0.0) -> float | None:
    """``(left - right) / max(|left|, |right|)``; ``None`` when both are within ``floor`` of zero.

    Examples
    --------
    >>> asymmetry_index(6.0, 8.0)
    -0.25
    >>> asymmetry_index(0.1, -0.1, floor=0.5) is None
    True
    """
    larger = max(abs(left), abs(right))
    if larger <= floor or larger == 0:
        return None
    return (left - right) / larger


def compare_sides(metric: MovementMetric, threshold: NoticedThreshold | None) -> Asymmetry | None:
    """The asymmetry of a metric measured on both sides; ``None`` when a side is missing.

    Examples
    --------
    >>> from facebalance.dynamics.metrics import SideValue
    >>> m = MovementMetric("brow_elevation_mm", "Brow elevation", "mm", SideValue(6.0, 0.5), SideValue(2.0, 0.5))
    >>> a = compare_sides(m, NoticedThreshold("brow_elevation_mm", 3.5, "test", "working"))
    >>> a.difference, round(a.index, 3), a.noticeable, a.beyond_uncertainty
    (-4.0, -0.667, True, False)
    """
    if metric.left is None or metric.right is None:
        return None
    left, right = metric.left, metric.right
    difference = left.value - right.value
    sigma = math.hypot(left.sigma, right.sigma)
    floor = 2.0 * max(left.sigma, right.sigma)
    noticed = threshold.noticed_at if threshold is not None else None
    return Asymmetry(
        difference=difference,
        sigma=sigma,
        index=asymmetry_index(left.value, right.value, floor=floor),
        noticed_at=noticed,
        noticeable=noticed is not None and abs(difference) >= noticed,
        beyond_uncertainty=noticed is not None and abs(difference) - 2.0 * sigma >= noticed,
    )
