"""The annotated profile photo: the traced outline, the landmarks and the reference lines."""

from __future__ import annotations

import numpy as np

from facebalance.profile.analysis import ProfileAnalysis
from facebalance.profile.landmarks import ProfilePoint as P
from facebalance.report.annotate import draw_legend, label_font, overlay_canvas

#: Short labels drawn beside each landmark.
ABBREVIATIONS: dict[P, str] = {
    P.GLABELLA: "G",
    P.SOFT_TISSUE_NASION: "N'",
    P.PRONASALE: "Prn",
    P.COLUMELLA: "Cm",
    P.SUBNASALE: "Sn",
    P.LABRALE_SUPERIUS: "Ls",
    P.STOMION: "Sto",
    P.LABRALE_INFERIUS: "Li",
    P.LABIOMENTAL_FOLD: "B'",
    P.SOFT_TISSUE_POGONION: "Pog'",
    P.MENTON: "Me'",
    P.CERVICAL_POINT: "C",
}

#: Reference lines: name, colour, the points it joins (a polyline), and whether it is extended past its ends.
LINES: tuple[tuple[str, tuple[int, int, int], tuple[P, ...], bool], ...] = (
    ("E-line (Ricketts)", (255, 80, 80), (P.PRONASALE, P.SOFT_TISSUE_POGONION), True),
    ("S-line (Steiner)", (255, 170, 0), (P.S_CURVE_MIDPOINT, P.SOFT_TISSUE_POGONION), True),
    ("Sn-Pog' (Burstone)", (80, 200, 255), (P.SUBNASALE, P.SOFT_TISSUE_POGONION), True),
    ("facial convexity G-Sn-Pog'", (170, 120, 255), (P.GLABELLA, P.SUBNASALE, P.SOFT_TISSUE_POGONION), False),
    ("nasolabial angle", (120, 255, 120), (P.COLUMELLA, P.SUBNASALE, P.LABRALE_SUPERIUS), False),
    ("nasofrontal angle", (255, 120, 200), (P.FOREHEAD_TANGENT, P.SOFT_TISSUE_NASION, P.DORSUM_TANGENT), False),
    ("cervicomental angle", (255, 230, 90), (P.MENTON, P.CERVICAL_POINT, P.NECK_TANGENT), False),
)
_OUTLINE = (0, 255, 255)
_POINT = (255, 64, 64)
_PERPENDICULAR = (230, 230, 230)


def render_profile_annotated(result: ProfileAnalysis, *, max_side_px: int = 1600) -> bytes:
    """PNG bytes of the analysed profile photo with outline, landmarks and reference lines (no EXIF)."""
    canvas = overlay_canvas(result.image.rgb, max_side_px=max_side_px)
    shrink, d = canvas.shrink, canvas.draw
    a = result.assessment
    lm = a.landmarks
    s_px = lm.scale_px * shrink
    width = max(1, round(s_px / 120))
    r = max(2.0, s_px / 60)
    font = label_font(max(11, round(s_px / 9)))

    def to_img(xy: np.ndarray) -> np.ndarray:
        scaled: np.ndarray = result.to_analysed_px(xy) * shrink
        return scaled

    outline = to_img(a.outline.points_px)
    d.line([tuple(p) for p in outline], fill=(*_OUTLINE, 200), width=width)

    # Nasion perpendicular: through N' along the head frame's vertical.
    if P.SOFT_TISSUE_NASION in lm.points:
        n_xy = lm.xy(P.SOFT_TISSUE_NASION)
        down = lm.frame.inferior
        ends = np.array([n_xy - 0.4 * lm.scale_px * down, n_xy + 2.6 * lm.scale_px * down])
        e = to_img(ends)
        d.line([tuple(e[0]), tuple(e[1])], fill=(*_PERPENDICULAR, 160), width=width)
    legend: list[tuple[str, tuple[int, int, int]]] = [("nasion perpendicular", _PERPENDICULAR)]
    for name, colour, names, extend in LINES:
        if not all(p in lm.points for p in names):
            continue
        pts = np.array([lm.xy(p) for p in names])
        if extend:
            direction = pts[-1] - pts[0]
            pts = np.array([pts[0] - 0.15 * direction, pts[-1] + 0.15 * direction])
        q = to_img(pts)
        d.line([tuple(p) for p in q], fill=(*colour, 230), width=width)
        legend.append((name, colour))
    for p, label in ABBREVIATIONS.items():
        lp = lm.points.get(p)
        if lp is None:
            continue
        x, y = to_img(lp.xy)[0]
        d.ellipse([x - r, y - r, x + r, y + r], fill=(*_POINT, 255), outline=(255, 255, 255, 255))
        dx = -r - d.textlength(label, font=font) - 2 if result.facing == "right" else r + 2
        d.text((x + dx, y - r), label, fill=(255, 255, 255, 255), font=font, stroke_width=2, stroke_fill=(0, 0, 0, 255))
    # Legend, top corner away from the face.
    draw_legend(canvas, legend, font, right=result.facing != "right", line_width=width)
    return canvas.png()
