"""Key frames of a dynamic assessment: for each expression, the rest frame and its peak frame side by side.

Each picture crops both frames around the face (the mesh's extent with a margin), scales them to one height,
labels them with the expression and the time, and draws the followed points' movement on the peak (green:
read from the image, orange: from the face mesh, as in ``peaks.png``). JPEG bytes, for the clinic's review page
(:mod:`facebalance.clinic.recordings`) or any report.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from facebalance.dynamics.results import DynamicsResult, ExpressionResult

#: Height of each half of a key-frame picture, pixels.
PANEL_HEIGHT_PX = 320
#: Margin around the face mesh's extent, as a fraction of its size.
MARGIN = 0.25
_IMAGE = (40, 170, 60)
_MESH = (235, 140, 30)


def crop_box(frame: np.ndarray, points: np.ndarray | None) -> tuple[int, int, int, int]:
    """The face region of ``frame`` (left, top, right, bottom pixels): the mesh's extent with a margin."""
    h, w = frame.shape[:2]
    if points is not None and np.isfinite(points[:, :2]).all():
        x0, y0 = points[:, :2].min(axis=0)
        x1, y1 = points[:, :2].max(axis=0)
        mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        left, top = max(0.0, x0 - mx), max(0.0, y0 - my)
        right, bottom = min(float(w), x1 + mx), min(float(h), y1 + my)
    else:
        left, top, right, bottom = 0.0, 0.0, float(w), float(h)
    return round(left), round(top), round(right), round(bottom)


def panel_xy(frame: np.ndarray, points: np.ndarray | None, xy_px: np.ndarray) -> np.ndarray:
    """Where frame pixels ``xy_px`` (..., 2) fall in the frame's panel of a key-frame picture."""
    left, top, _, bottom = crop_box(frame, points)
    scale = PANEL_HEIGHT_PX / max(1, bottom - top)
    return np.asarray((np.asarray(xy_px, dtype=np.float64) - (left, top)) * scale)


def _crop(frame: np.ndarray, points: np.ndarray | None) -> tuple[Image.Image, tuple[float, float, float]]:
    """The face region of ``frame`` scaled to the panel height, and (left, top, scale) to map points into it."""
    left, top, right, bottom = crop_box(frame, points)
    image = Image.fromarray(frame).crop((left, top, right, bottom))
    scale = PANEL_HEIGHT_PX / max(1, image.height)
    image = image.resize((max(1, round(image.width * scale)), PANEL_HEIGHT_PX), Image.Resampling.LANCZOS)
    return image, (left, top, scale)


def _label(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str) -> None:
    x, y = xy
    box = draw.textbbox((x, y), text)
    draw.rectangle((box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2), fill=(0, 0, 0))
    draw.text((x, y), text, fill=(255, 255, 255))


def keyframe_picture(result: DynamicsResult, expression: ExpressionResult | None) -> bytes | None:
    """The rest | peak picture of one expression (``None``: the rest frame alone); ``None`` when the frames
    were not kept (the peak could not be read again)."""
    rest_index = result.rest.peak_index
    if rest_index not in result.frames:
        return None
    rest_image, _ = _crop(result.frames[rest_index], result.frame_points_px.get(rest_index))
    unit = "s" if result.input_kind == "video" else ""
    panels = [(rest_image, f"rest ({result.rest.peak_s:.2f} {unit})".replace(" )", ")"))]
    if expression is not None:
        peak = expression.peak_index
        if peak not in result.frames:
            return None
        peak_image, (left, top, scale) = _crop(result.frames[peak], result.frame_points_px.get(peak))
        draw = ImageDraw.Draw(peak_image)
        sources = result.vertex_sources.get(peak, {})
        for vertex, ends in result.peak_vectors_px.get(peak, {}).items():
            # ends: (rest position, peak position) x (x, y), in the peak frame's pixels
            xs, ys = (ends[:, 0] - left) * scale, (ends[:, 1] - top) * scale
            (x0, x1), (y0, y1) = xs, ys
            colour = _IMAGE if sources.get(vertex) == "image" else _MESH
            draw.line((x0, y0, x1, y1), fill=colour, width=2)
            draw.ellipse((x1 - 2, y1 - 2, x1 + 2, y1 + 2), fill=colour)
        candidate = expression.reading.candidate if expression.reading is not None else expression.name
        name = expression.label if expression.classified else f"unclassified ({candidate})"
        panels.append((peak_image, f"{name} peak ({expression.peak_s:.2f} {unit})".replace(" )", ")")))
    width = sum(p.width for p, _ in panels) + 6 * (len(panels) - 1)
    canvas = Image.new("RGB", (width, PANEL_HEIGHT_PX), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    x = 0
    for image, text in panels:
        canvas.paste(image, (x, 0))
        _label(draw, (x + 6, 6), text)
        x += image.width + 6
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=88)
    return out.getvalue()


def keyframe_pictures(result: DynamicsResult) -> dict[int, bytes]:
    """Every expression's key-frame picture by its index in ``result.expressions`` (-1: the rest frame)."""
    pictures: dict[int, bytes] = {}
    rest = keyframe_picture(result, None)
    if rest is not None:
        pictures[-1] = rest
    for i, expression in enumerate(result.expressions):
        picture = keyframe_picture(result, expression)
        if picture is not None:
            pictures[i] = picture
    return pictures
