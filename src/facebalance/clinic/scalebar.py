"""Where a measurement sits against its norm, as positions (0-100) on a drawn scale.

Pure geometry for the assessment page's SVG bars (drawn with SVG attributes, not inline styles, so the
page keeps its strict Content-Security-Policy). The normal band is the norm's mean ± 2 SD, or its
low-high range, as :func:`facebalance.findings.engine.compare_to_norm` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScaleBar:
    """Positions on a 0-100 axis: the normal band, the value and its ±2-sigma interval."""

    band_x: float
    band_width: float
    value_x: float
    interval_x: float
    interval_width: float
    axis_low: float
    axis_high: float
    outside: bool


def _clip(x: float) -> float:
    return max(0.0, min(100.0, x))


def scale_bar(value: float | None, uncertainty: float | None, norm: dict[str, Any] | None) -> ScaleBar | None:
    """The bar for one measurement of the analysis document, or ``None`` without a value or a norm.

    Examples
    --------
    >>> bar = scale_bar(34.0, 0.5, {"mean": 30.0, "sd": 2.0, "low": None, "high": None})
    >>> (bar.band_x, bar.band_width, bar.value_x, bar.outside)
    (25.0, 50.0, 75.0, False)
    """
    if value is None or norm is None:
        return None
    if norm.get("mean") is not None and norm.get("sd"):
        lo, hi = norm["mean"] - 2 * norm["sd"], norm["mean"] + 2 * norm["sd"]
    elif norm.get("low") is not None and norm.get("high") is not None:
        lo, hi = float(norm["low"]), float(norm["high"])
    else:
        return None
    span = hi - lo
    if span <= 0:
        return None
    # The axis shows the band in its middle half, widened when the value lies further out.
    axis_low = min(lo - span / 2, value - span * 0.1)
    axis_high = max(hi + span / 2, value + span * 0.1)
    width = axis_high - axis_low

    def pos(x: float) -> float:
        return round(_clip((x - axis_low) / width * 100.0), 2)

    sigma2 = 2.0 * (uncertainty or 0.0)
    return ScaleBar(
        band_x=pos(lo),
        band_width=round(pos(hi) - pos(lo), 2),
        value_x=pos(value),
        interval_x=pos(value - sigma2),
        interval_width=round(pos(value + sigma2) - pos(value - sigma2), 2),
        axis_low=axis_low,
        axis_high=axis_high,
        outside=not lo <= value <= hi,
    )
