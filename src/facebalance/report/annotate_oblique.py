"""The annotated three-quarter photo: the far-side silhouette, its named points, the chords and the heights."""

from __future__ import annotations

import numpy as np

from facebalance.oblique.analysis import ObliqueAnalysis
from facebalance.oblique.points import FLAT
from facebalance.oblique.points import ObliquePoint as P
from facebalance.profile.geometry import outward_normal
from facebalance.report.annotate import draw_legend, label_font, overlay_canvas

#: Short labels drawn beside each point.
ABBREVIATIONS: dict[P, str] = {
    P.TEMPLE: "Tp",
    P.MALAR_PROMINENCE: "Ma",
    P.SUBMALAR_HOLLOW: "Sm",
    P.JAW_ANGLE: "Go",
    P.PREJOWL_SULCUS: "Pj",
    P.CHIN: "Pg",
}

#: Chords: name, colour, their two ends, and the point whose distance from them is the measurement.
CHORDS: tuple[tuple[str, tuple[int, int, int], P, P, P], ...] = (
    ("ogee convexity (Tp-Go chord)", (255, 150, 40), P.TEMPLE, P.JAW_ANGLE, P.MALAR_PROMINENCE),
    ("submalar depth (Ma-Go chord)", (120, 230, 120), P.MALAR_PROMINENCE, P.JAW_ANGLE, P.SUBMALAR_HOLLOW),
    ("prejowl sulcus (Go-Pg chord)", (255, 110, 200), P.JAW_ANGLE, P.CHIN, P.PREJOWL_SULCUS),
    ("temple concavity (top-Ma chord)", (170, 130, 255), P.TEMPLE_TOP, P.MALAR_PROMINENCE, P.TEMPLE),
)
_OUTLINE = (0, 255, 255)
_POINT = (255, 64, 64)
_LEVEL = (230, 230, 230)


def _foot(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = b - a
    t = float((p - a) @ d / max(float(d @ d), 1e-12))
    foot: np.ndarray = a + t * d
    return foot


def render_oblique_annotated(result: ObliqueAnalysis, *, max_side_px: int = 1600) -> bytes:
    """PNG bytes of the analysed photo (as taken) with the far-side silhouette, points, chords and heights."""
    canvas = overlay_canvas(result.image.rgb, max_side_px=max_side_px)
    shrink, d = canvas.shrink, canvas.draw
    a = result.assessment
    pts = a.points
    s_px = pts.scale_px * shrink
    width = max(1, round(s_px / 200))
    r = max(2.0, s_px / 80)
    font = label_font(max(11, round(s_px / 16)))

    def to_img(xy: np.ndarray) -> np.ndarray:
        return result.to_analysed_px(xy) * shrink

    d.line([tuple(p) for p in to_img(a.outline.points_px)], fill=(*_OUTLINE, 210), width=width)
    legend: list[tuple[str, tuple[int, int, int]]] = [("far-side silhouette", _OUTLINE)]

    # Heights of the cheek apex: the canthal line, and the far lateral canthus and alar base levels.
    frame, refs = a.frame, a.references
    half = 0.25 * pts.scale_px * frame.lateral
    level_at = (
        pts.xy(P.MALAR_PROMINENCE)
        if P.MALAR_PROMINENCE in pts.points
        else 0.5 * (refs.lateral_canthus + refs.alar_base)
    )
    for ref in (refs.lateral_canthus, refs.alar_base):
        centre = ref + frame.lateral * float((level_at - ref) @ frame.lateral)
        e = to_img(np.array([ref - 0.1 * half, centre + half]))
        d.line([tuple(e[0]), tuple(e[1])], fill=(*_LEVEL, 150), width=width)
    canthi = to_img(np.array([refs.lateral_canthus_near, refs.lateral_canthus]))
    d.line([tuple(canthi[0]), tuple(canthi[1])], fill=(*_LEVEL, 150), width=width)
    legend.append(("canthal line; lateral canthus and alar base levels", _LEVEL))

    for name, colour, start, end, apex in CHORDS:
        if not all(p in pts.points for p in (start, end, apex)) or pts.points[apex].method == FLAT:
            continue
        a_xy, b_xy, p_xy = pts.xy(start), pts.xy(end), pts.xy(apex)
        chord = to_img(np.array([a_xy, b_xy]))
        d.line([tuple(chord[0]), tuple(chord[1])], fill=(*colour, 230), width=width)
        foot = to_img(np.array([_foot(p_xy, a_xy, b_xy), p_xy]))
        d.line([tuple(foot[0]), tuple(foot[1])], fill=(*colour, 230), width=max(1, width // 2))
        legend.append((name, colour))

    for p, label in ABBREVIATIONS.items():
        lp = pts.points.get(p)
        if lp is None or lp.method == FLAT:
            continue
        x, y = to_img(lp.xy)[0]
        d.ellipse([x - r, y - r, x + r, y + r], fill=(*_POINT, 255), outline=(255, 255, 255, 255))
        # Labels outside the face: along the silhouette's outward normal, mapped into the photo as taken.
        out_dir = outward_normal(lp.xy - lp.tangent, lp.xy + lp.tangent)
        tip = to_img(np.array([lp.xy, lp.xy + out_dir]))
        dx = 1.0 if tip[1, 0] >= tip[0, 0] else -1.0
        tx = x + r + 3 if dx > 0 else x - r - 3 - d.textlength(label, font=font)
        d.text((tx, y - r), label, fill=(255, 255, 255, 255), font=font, stroke_width=2, stroke_fill=(0, 0, 0, 255))

    # Legend in the top corner on the near side (away from the silhouette).
    draw_legend(canvas, legend, font, right=result.mirrored, line_width=width)
    return canvas.png()
