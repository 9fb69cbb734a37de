"""Small charts for the written documents (matplotlib, Agg backend, PNG bytes; nothing is shown)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any


def _figure(width_in: float, height_in: float) -> Any:
    from matplotlib.figure import Figure

    # A Figure without pyplot: no global state, no GUI backend, safe in a web worker.
    return Figure(figsize=(width_in, height_in), dpi=150, layout="constrained")


def _png(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def deviation_chart(measurements: Mapping[str, Mapping[str, Any]]) -> bytes | None:
    """Each measurement with a mean/sd norm as its deviation in SD, the ±1 SD band shaded and the one-sigma
    uncertainty as an error bar; ``None`` when no measurement has such a norm."""
    rows = []
    for m in measurements.values():
        n = m.get("norm") or {}
        if m.get("value") is None or n.get("mean") is None or not n.get("sd"):
            continue
        z = (m["value"] - n["mean"]) / n["sd"]
        rows.append((m.get("label", ""), z, (m.get("uncertainty") or 0.0) / n["sd"]))
    if not rows:
        return None
    rows.reverse()
    fig = _figure(6.2, 0.28 * len(rows) + 0.9)
    ax = fig.add_subplot()
    ax.axvspan(-1, 1, color="#d9ead3", label="±1 SD of the norm")
    ax.axvline(0, color="#6a8f5f", linewidth=0.8)
    ys = range(len(rows))
    ax.errorbar(
        [r[1] for r in rows],
        list(ys),
        xerr=[r[2] for r in rows],
        fmt="o",
        color="#1f4e79",
        markersize=3.5,
        capsize=2,
        linewidth=0.8,
        label="measured (±1σ)",
    )
    ax.set_yticks(list(ys), [r[0] for r in rows], fontsize=6.5)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("deviation from the norm (SD)", fontsize=7)
    lim = max(3.0, max(abs(r[1]) + r[2] for r in rows) + 0.3)
    ax.set_xlim(-lim, lim)
    ax.legend(fontsize=6, loc="lower right")
    return _png(fig)


def timeline_chart(visits: Sequence[tuple[str, date]], windows: Sequence[tuple[str, date, date]]) -> bytes | None:
    """The plan's visits as points and its maintenance windows as bars on one time axis."""
    if not visits and not windows:
        return None
    from matplotlib import dates as mdates

    labels = [v[0] for v in visits] + [w[0] for w in windows]
    fig = _figure(6.2, 0.3 * len(labels) + 0.9)
    ax = fig.add_subplot()
    y = len(labels) - 1
    for _label, on in visits:
        ax.plot([on], [y], marker="D", color="#1f4e79", markersize=5)
        y -= 1
    for _label, start, end in windows:
        ax.barh(y, (end - start).days, left=start, height=0.5, color="#9fc5e8")
        y -= 1
    ax.set_yticks(range(len(labels) - 1, -1, -1), labels, fontsize=6.5)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))  # type: ignore[no-untyped-call]
    ax.tick_params(axis="x", labelsize=6.5)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    return _png(fig)
