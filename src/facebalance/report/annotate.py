"""The annotated frontal photo: named points, facial midline, thirds, fifths and measurement callouts.

The profile photo's picture is :mod:`facebalance.report.annotate_profile`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from facebalance.anatomy.landmarks import Landmark
from facebalance.photo import PhotoAnalysis
from facebalance.report.document import named_points_px
from facebalance.zones.symmetry import midline_x

_POINT = (255, 64, 64)
_LINE = (0, 200, 255)
_THIRDS = (255, 215, 0)
_TEXT_BG = (0, 0, 0, 160)


def label_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's default font at ``size`` pixels (unsized on Pillow < 10.1)."""
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


@dataclass
class Overlay:
    """A photo reduced for drawing (at most ``max_side_px``), a transparent layer over it and its pen.

    ``shrink`` maps pixels of the analysed photo to pixels of the drawing.
    """

    image: Image.Image
    layer: Image.Image
    draw: ImageDraw.ImageDraw
    shrink: float

    def png(self) -> bytes:
        """The photo with the layer drawn over it, as PNG bytes (no EXIF carried over)."""
        out = Image.alpha_composite(self.image, self.layer).convert("RGB")
        buffer = io.BytesIO()
        out.save(buffer, format="PNG")
        return buffer.getvalue()


def overlay_canvas(rgb: np.ndarray, *, max_side_px: int) -> Overlay:
    """Start a drawing over an RGB photo (H, W, 3), reduced so that its longer side is at most ``max_side_px``."""
    h, w = rgb.shape[:2]
    shrink = min(1.0, max_side_px / max(h, w))
    img = Image.fromarray(rgb).convert("RGBA")
    if shrink < 1.0:
        img = img.resize((max(1, round(w * shrink)), max(1, round(h * shrink))), Image.Resampling.LANCZOS)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    return Overlay(img, layer, ImageDraw.Draw(layer), shrink)


def draw_legend(
    overlay: Overlay,
    legend: list[tuple[str, tuple[int, int, int]]],
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    *,
    right: bool,
    line_width: int,
) -> None:
    """A colour key in the top left (or, ``right``, top right) corner: a line and a name per entry."""
    d = overlay.draw
    text_w = max(d.textlength(n, font=font) for n, _ in legend) + 30
    lx = overlay.image.size[0] - 10 - text_w if right else 10.0
    ly = 10.0
    for name, colour in legend:
        d.line([(lx, ly + 8), (lx + 24, ly + 8)], fill=(*colour, 255), width=max(2, line_width))
        d.text((lx + 30, ly), name, fill=(255, 255, 255, 255), font=font, stroke_width=2, stroke_fill=(0, 0, 0, 255))
        ly += float(getattr(font, "size", 12)) + 6.0


def render_annotated(result: PhotoAnalysis, *, max_side_px: int = 1600) -> bytes:
    """PNG bytes of the analysed photo with points, lines and callouts drawn (no EXIF carried over)."""
    rgb = result.image.rgb
    img = Image.fromarray(rgb).convert("RGBA")
    scale_full = result.image.scale_to_full
    # Draw in the analysed image's grid; named points are in full-resolution pixels.
    to_img = 1.0 / scale_full
    points = {k: (v[0] * to_img, v[1] * to_img) for k, v in named_points_px(result).items()}
    a = result.assessment
    frame = a.frame
    iris_px = float(np.mean([a.iris_diameter_left_px, a.iris_diameter_right_px]))
    r = max(2.0, iris_px / 12)
    width = max(1, int(iris_px / 20))
    font = label_font(max(12, int(iris_px / 2.6)))
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)

    # Facial midline (perpendicular to the interpupillary line through the canthal midpoint).
    mx = midline_x(frame)
    top = frame.point(Landmark.FOREHEAD_MESH_TOP)[1] - 2 * iris_px
    bottom = frame.point(Landmark.MENTON)[1] + iris_px
    line = frame.to_image(np.array([[mx, top], [mx, bottom]]))
    d.line([tuple(line[0]), tuple(line[1])], fill=(*_LINE, 220), width=width)

    # Thirds: horizontal head-frame lines at trichion, glabella, subnasale, menton.
    half_w = 0.5 * float(frame.point(Landmark.ZYGION_LEFT)[0] - frame.point(Landmark.ZYGION_RIGHT)[0])
    levels = {
        "glabella": frame.point(Landmark.GLABELLA)[1],
        "subnasale": frame.point(Landmark.SUBNASALE)[1],
        "menton": frame.point(Landmark.MENTON)[1],
    }
    if a.hairline.point_px is not None:
        from facebalance.anatomy.frame import image_to_head

        levels["trichion"] = image_to_head(frame, a.hairline.point_px)[1]
    for name, y in levels.items():
        seg = frame.to_image(np.array([[mx - half_w, y], [mx + half_w, y]]))
        d.line([tuple(seg[0]), tuple(seg[1])], fill=(*_THIRDS, 200), width=width)
        d.text(
            (seg[1][0] + 4, seg[1][1] - font.size // 2 if hasattr(font, "size") else seg[1][1]),
            name,
            fill=(*_THIRDS, 255),
            font=font,
        )

    # Fifths: vertical lines at zygia and canthi.
    for lm in (
        Landmark.ZYGION_RIGHT,
        Landmark.LATERAL_CANTHUS_RIGHT,
        Landmark.MEDIAL_CANTHUS_RIGHT,
        Landmark.MEDIAL_CANTHUS_LEFT,
        Landmark.LATERAL_CANTHUS_LEFT,
        Landmark.ZYGION_LEFT,
    ):
        x = frame.point(lm)[0]
        seg = frame.to_image(np.array([[x, -1.5 * iris_px], [x, 1.5 * iris_px]]))
        d.line([tuple(seg[0]), tuple(seg[1])], fill=(180, 255, 180, 160), width=max(1, width // 2))

    for name, (x, y) in points.items():
        if name.startswith("iris_"):
            continue
        d.ellipse([x - r, y - r, x + r, y + r], fill=(*_POINT, 255), outline=(255, 255, 255, 255))

    # Callouts for the key measurements, stacked in the top-left corner.
    keys = [
        "intercanthal_width_mm",
        "alar_width_mm",
        "mouth_width_mm",
        "upper_to_lower_lip_ratio",
        "lower_face_ratio",
        "brow_height_right_mm",
        "brow_height_left_mm",
        "upper_third_mm",
        "middle_third_mm",
        "lower_third_mm",
    ]
    lines = [
        f"{result.source_name}  yaw {a.pose.yaw_deg:+.1f}  pitch {a.pose.pitch_deg:+.1f}  roll {a.pose.roll_deg:+.1f}"
    ]
    for k in keys:
        m = a.measurements.get(k)
        if m is None:
            continue
        if m.value is None:
            lines.append(f"{k}: not measured")
            continue
        status = a.comparisons[k].status
        flag = "" if status in ("within", "no_norm") else f"  [{status} norm]"
        unit = "" if m.unit.value in ("ratio", "fraction") else f" {m.unit.value}"
        lines.append(f"{k}: {m.value:.2f} ± {m.uncertainty or 0:.2f}{unit}{flag}")
    lines.append(f"{len(a.findings)} proposed finding(s) - clinician to confirm")
    text = "\n".join(lines)
    box = d.multiline_textbbox((10, 10), text, font=font, spacing=4)
    d.rectangle([box[0] - 6, box[1] - 6, box[2] + 6, box[3] + 6], fill=_TEXT_BG)
    d.multiline_text((10, 10), text, fill=(255, 255, 255, 255), font=font, spacing=4)

    out = Image.alpha_composite(img, overlay).convert("RGB")
    if max(out.size) > max_side_px:
        out.thumbnail((max_side_px, max_side_px))
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
