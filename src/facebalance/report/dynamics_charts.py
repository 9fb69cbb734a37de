"""Charts of a dynamic assessment (matplotlib, Agg canvas; returns PNG bytes, writes nothing).

* :func:`signals_chart` - activation and movement signals over time, the detected segments shaded and
  each peak marked;
* :func:`sides_chart` - left-vs-right bars of each expression's millimetre movements with one-sigma error
  bars and the noticed-asymmetry threshold;
* :func:`peaks_chart` - the rest frame and each peak frame with the followed points' movement vectors
  (green: read from the image, orange: from the face mesh).

The figures are built on :class:`matplotlib.figure.Figure` with an Agg canvas, not through ``pyplot``, so
no global state or display backend is touched.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from facebalance.dynamics.results import DynamicsResult, ExpressionResult

_SIDE_COLOURS = {"right": "#1f77b4", "left": "#d62728"}
_SOURCE_COLOURS = {"image": "#2ca02c", "mesh": "#ff7f0e"}
#: Shorter movements (pixels of the frame) are drawn as a dot only.
MIN_ARROW_PX = 1.0
#: Movement signals shown in the timeline: (key stem, title, unit).
TIMELINE_SIGNALS: tuple[tuple[str, str, str], ...] = (
    ("brow_elevation", "Brow elevation", "mm"),
    ("brow_medial_descent", "Brow head descent", "mm"),
    ("eye_closure", "Eye closure", "fraction"),
    ("commissure_excursion", "Mouth-corner excursion", "mm"),
    ("commissure_elevation", "Mouth-corner elevation", "mm"),
    ("lower_lip_depression", "Lower-lip depression", "mm"),
)


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def signals_chart(result: DynamicsResult) -> bytes:
    """Activation and movement over time with the segments and peaks; PNG bytes."""
    series = result.series
    t = series.times_s
    photos = result.input_kind == "photos"
    rows = 1 + len(TIMELINE_SIGNALS)
    figure = Figure(figsize=(11, 2.0 * rows), layout="constrained")
    axes = figure.subplots(rows, 1, sharex=True)
    style = {"marker": "o", "linestyle": ":"} if photos else {}
    ax = axes[0]
    for name, values in series.activation.items():
        ax.plot(t, values, label=name, linewidth=1.2, **style)
    ax.set_ylabel("activation\nabove rest")
    ax.set_title(
        f"{result.source}: expressions found ({'photo index' if photos else 'seconds'})", loc="left", fontsize=10
    )
    ax.legend(loc="upper right", fontsize=7, ncol=3)
    for ax_i, (stem, title, unit) in zip(axes[1:], TIMELINE_SIGNALS, strict=True):
        for side in ("right", "left"):
            signal = series.movement_mm.get(f"{stem}_{side}")
            if signal is not None:
                ax_i.plot(t, signal, color=_SIDE_COLOURS[side], label=f"patient's {side}", linewidth=1.2, **style)
        ax_i.set_ylabel(f"{title}\n({unit})", fontsize=8)
        ax_i.axhline(0.0, color="#999999", linewidth=0.6)
    axes[1].legend(loc="upper right", fontsize=7)
    for ax_i in axes:
        _shade(ax_i, result.rest, "#dddddd", photos)
        for e in result.expressions:
            _shade(ax_i, e, "#fff2b3" if e.primary else "#fbf8e6", photos)
            ax_i.axvline(e.peak_s, color="#555555", linewidth=0.8, linestyle="--")
    for e in result.expressions:
        axes[0].annotate(
            e.name, (e.peak_s, 1.0), xycoords=("data", "axes fraction"), fontsize=8, ha="center", va="bottom"
        )
    axes[-1].set_xlabel("photo index" if photos else "time (s)")
    return _png(figure)


def _shade(ax: object, e: ExpressionResult, colour: str, photos: bool) -> None:
    half = 0.3 if photos else 0.0
    ax.axvspan(e.start_s - half, e.end_s + half, color=colour, alpha=0.6, linewidth=0)  # type: ignore[attr-defined]


def sides_chart(result: DynamicsResult) -> bytes:
    """Left-vs-right bars of every millimetre movement of every primary expression; PNG bytes."""
    rows: list[tuple[str, float, float, float, float, float | None]] = []
    for e in (result.rest, *(x for x in result.expressions if x.primary)):
        for m in e.metrics:
            if m.unit != "mm" or m.left is None or m.right is None:
                continue
            asym = e.asymmetries.get(m.id)
            rows.append(
                (
                    f"{e.name}: {m.id.removesuffix('_mm')}",
                    m.right.value,
                    m.right.sigma,
                    m.left.value,
                    m.left.sigma,
                    asym.noticed_at if asym is not None else None,
                )
            )
    height = max(2.5, 0.45 * len(rows) + 1.2)
    figure = Figure(figsize=(9, height), layout="constrained")
    ax = figure.subplots()
    if not rows:
        ax.text(0.5, 0.5, "no movement measured", ha="center", va="center")
        ax.set_axis_off()
        return _png(figure)
    y = np.arange(len(rows))
    right = np.array([r[1] for r in rows])
    left = np.array([r[3] for r in rows])
    ax.barh(
        y - 0.2, right, 0.4, xerr=[r[2] for r in rows], color=_SIDE_COLOURS["right"], label="patient's right", capsize=2
    )
    ax.barh(
        y + 0.2, left, 0.4, xerr=[r[4] for r in rows], color=_SIDE_COLOURS["left"], label="patient's left", capsize=2
    )
    for i, row in enumerate(rows):
        difference = row[3] - row[1]
        noticed = row[5]
        flag = " (noticeable)" if noticed is not None and abs(difference) >= noticed else ""
        ax.annotate(
            f"L-R {difference:+.1f} mm{flag}",
            (max(row[1], row[3], 0.0), i),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize=7,
        )
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0.0, color="#999999", linewidth=0.6)
    ax.set_xlabel("movement (mm, ± 1 sigma)")
    ax.set_title("Left vs right (patient's sides)", loc="left", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return _png(figure)


def _crop_box(points: np.ndarray, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    xy = points[:, :2]
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    margin = 0.12 * (hi - lo).max()
    x0, y0 = (lo - margin).astype(int)
    x1, y1 = (hi + margin).astype(int)
    return max(0, x0), max(0, y0), min(shape[1], x1), min(shape[0], y1)


def peaks_chart(result: DynamicsResult) -> bytes:
    """The rest frame and each peak frame with movement vectors of the followed points; PNG bytes."""
    panels: list[tuple[str, int, ExpressionResult | None]] = [("rest (reference)", result.rest.peak_index, None)]
    panels += [
        (f"{e.name} peak ({'photo' if result.input_kind == 'photos' else 't'} {e.peak_s:.2f})", e.peak_index, e)
        for e in result.expressions
        if e.primary
    ]
    panels = [p for p in panels if p[1] in result.frames]
    columns = min(4, max(1, len(panels)))
    rows = max(1, math.ceil(len(panels) / columns))
    figure = Figure(figsize=(3.4 * columns, 3.9 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax in axes:
        ax.set_axis_off()
    for ax, (title, index, expression) in zip(axes, panels, strict=False):
        rgb = result.frames[index]
        points = result.frame_points_px.get(index)
        if points is not None and np.isfinite(points).all():
            x0, y0, x1, y1 = _crop_box(points, rgb.shape)
        else:
            x0, y0, x1, y1 = 0, 0, rgb.shape[1], rgb.shape[0]
        ax.imshow(rgb[y0:y1, x0:x1], extent=(x0, x1, y1, y0))
        ax.set_title(title, fontsize=9)
        if expression is None:
            continue
        for vertex, ends in result.peak_vectors_px.get(index, {}).items():
            (sx, sy), (ex, ey) = ends
            source = result.vertex_sources.get(index, {}).get(vertex, "mesh")
            colour = _SOURCE_COLOURS.get(source, _SOURCE_COLOURS["mesh"])
            ax.plot([sx], [sy], marker="o", markersize=2, color=colour)
            length = float(np.hypot(ex - sx, ey - sy))
            if length >= MIN_ARROW_PX:  # a still point is a dot: an arrow head of no length points nowhere
                ax.annotate(
                    "",
                    xy=(ex, ey),
                    xytext=(sx, sy),
                    arrowprops={
                        "arrowstyle": "->",
                        "color": colour,
                        "linewidth": 1.4,
                        "mutation_scale": min(10.0, 3.0 * length),
                    },
                )
    figure.suptitle("Movement vectors from rest (green: read from the image, orange: face mesh)", fontsize=9)
    return _png(figure)
