"""Named points on the far-side silhouette of a three-quarter photo (pure).

Input: the refined silhouette (canonical pixels, temple to chin, :mod:`facebalance.oblique.silhouette`), the
head frame and the heights of a few mesh landmarks of the far side (:class:`MeshReferences`). Output: the
points of :class:`ObliquePoint`, each with a position uncertainty and a confidence.

The silhouette of a three-quarter view is the *ogee curve* of the aesthetic literature: concave at the
temple, convex over the malar prominence, concave again in the submalar hollow, convex over the jowl and
the jaw, concave at the prejowl sulcus, convex at the chin [1]_. Its points are defined by the same
two operations throughout, with the outward side of the silhouette as "out":

* a **prominence** is the point of a stretch furthest outward of a chord;
* a **hollow** is the point of a stretch deepest behind (inward of) a chord.

They are found in this order, each stretch bounded by heights of mesh landmarks (frame ``v``):

======================  ==========  ===========================================================================
point                   kind        definition
======================  ==========  ===========================================================================
chin end                reference   the silhouette point nearest the mesh's menton
malar prominence        extremum    cheek apex: the most lateral point (largest ``u``, the head's horizontal
                                    toward the far side) between the lateral canthus and halfway from the alar
                                    base down to the mouth corner; when that is an end of the stretch (no apex
                                    inside it), the point of the stretch furthest outward of the chord temple
                                    top - chin end (a fallback, confidence halved)
jaw angle               prominence  furthest outward of the chord malar prominence - chin end, below the mouth
                                    corner: the visible angle of the jaw (on the far side the bony gonion is
                                    usually hidden; this is where the silhouette turns from cheek to jawline)
temple                  hollow      deepest behind the chord from the silhouette's top (half a brow height
                                    above the brow) to the malar prominence, above the lateral canthus
submalar hollow         hollow      deepest behind the chord malar prominence - jaw angle
chin                    prominence  furthest outward of the chord jaw angle - chin end (the mental prominence);
                                    the silhouette point nearest the mesh's pogonion when the chin does not
                                    stand out
prejowl sulcus          hollow      deepest behind the chord jaw angle - chin
======================  ==========  ===========================================================================

**Uncertainty and confidence** follow the profile path's conventions, with the two directions kept apart:
``sigma_px`` is the outline's noise across the silhouette, ``sigma_along_px`` the ambiguity along it (the arc
over which the defining quantity stays within the noise of its extreme, at least half a per cent of the
face's length, since a broad cheek has no sharper apex than its definition; taken as a uniform spread). A
hollow's depth hardly changes along that arc, a height does: the measurements propagate each direction
separately. ``confidence`` in [0, 1] is a heuristic, not a probability: the feature's prominence (or depth)
over three times the noise, times ``exp(-sigma / 0.05 S)`` (``sigma`` both directions combined, ``S`` the
face's length), halved for a fallback or a point where the photo showed no edge.

References
----------
.. [1] Little JW. Volumetric perceptions in midfacial aging with altered priorities for rejuvenation. Plast
       Reconstr Surg. 2000;105(1):252-266 (the ogee curve of the three-quarter view).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from facebalance.oblique.errors import ObliqueNotReadable
from facebalance.oblique.frame import ObliqueFrame
from facebalance.profile.geometry import depth_under_chord, gaussian_smooth

#: An extremum's position is uncertain over the arc where its defining quantity stays within this fraction of
#: the face's length (or the outline's noise, if larger) of its extreme value.
EXTREMUM_TOLERANCE_FRACTION = 0.005


#: ``method`` of a hollow or prominence no deeper (or higher) than the outline's noise: the silhouette is
#: straight there, the point only marks where the feature would be, and its measurement is about zero.
FLAT = "flat (not beyond the noise)"


class ObliquePoint(StrEnum):
    """Named points on the far-side silhouette."""

    TEMPLE = "temple"
    MALAR_PROMINENCE = "malar_prominence"
    SUBMALAR_HOLLOW = "submalar_hollow"
    JAW_ANGLE = "jaw_angle"
    PREJOWL_SULCUS = "prejowl_sulcus"
    CHIN = "chin"
    #: Construction points: the silhouette's top (temple top) and its point nearest the mesh's menton.
    TEMPLE_TOP = "temple_top"
    CHIN_END = "chin_end"


#: The clinical points (construction points excluded), top to bottom.
CLINICAL_POINTS: tuple[ObliquePoint, ...] = (
    ObliquePoint.TEMPLE,
    ObliquePoint.MALAR_PROMINENCE,
    ObliquePoint.SUBMALAR_HOLLOW,
    ObliquePoint.JAW_ANGLE,
    ObliquePoint.PREJOWL_SULCUS,
    ObliquePoint.CHIN,
)


@dataclass(frozen=True)
class PointDefinition:
    kind: str
    definition: str


#: One line per point, for the document and the docs.
DEFINITIONS: dict[ObliquePoint, PointDefinition] = {
    ObliquePoint.TEMPLE: PointDefinition(
        "hollow", "deepest point behind the chord temple top - malar prominence, above the lateral canthus"
    ),
    ObliquePoint.MALAR_PROMINENCE: PointDefinition(
        "extremum",
        "cheek apex: the most lateral point of the silhouette (along the head's horizontal) between the lateral "
        "canthus and halfway from the alar base to the mouth corner",
    ),
    ObliquePoint.SUBMALAR_HOLLOW: PointDefinition(
        "hollow", "deepest point behind the chord malar prominence - jaw angle"
    ),
    ObliquePoint.JAW_ANGLE: PointDefinition(
        "prominence",
        "visible jaw angle: furthest outward of the chord malar prominence - chin end, below the mouth corner",
    ),
    ObliquePoint.PREJOWL_SULCUS: PointDefinition("hollow", "deepest point behind the chord jaw angle - chin"),
    ObliquePoint.CHIN: PointDefinition(
        "prominence", "mental prominence: furthest outward of the chord jaw angle - chin end"
    ),
    ObliquePoint.TEMPLE_TOP: PointDefinition(
        "construction", "top of the silhouette read: half the brow-to-canthus height above the brow"
    ),
    ObliquePoint.CHIN_END: PointDefinition("construction", "the silhouette point nearest the mesh's menton"),
}


@dataclass(frozen=True)
class MeshReferences:
    """Far-side mesh landmarks the silhouette's stretches are bounded by, canonical pixels (x, y).

    Attributes
    ----------
    brow_top, lateral_canthus, alar_base, cheilion : ndarray of shape (2,)
        Of the far side: the top of the brow's upper margin, the lateral canthus, the alar base (lowest
        point of the alar rim) and the mouth corner.
    lateral_canthus_near : ndarray of shape (2,)
        The near side's lateral canthus (with the far one it gives the canthal line).
    menton, pogonion : ndarray of shape (2,)
        The mesh's lowest chin point and its chin point (midline).
    sigma_px : float
        One-sigma position noise of these mesh points, pixels.
    """

    brow_top: np.ndarray
    lateral_canthus: np.ndarray
    lateral_canthus_near: np.ndarray
    alar_base: np.ndarray
    cheilion: np.ndarray
    menton: np.ndarray
    pogonion: np.ndarray
    sigma_px: float


@dataclass(frozen=True)
class LocatedPoint:
    """One point on the silhouette.

    Attributes
    ----------
    point : ObliquePoint
    xy : ndarray of shape (2,)
        Canonical image pixels.
    index : int
        Index on the silhouette.
    sigma_px : float
        One-sigma position uncertainty across the silhouette, pixels.
    sigma_along_px : float
        One-sigma position uncertainty along the silhouette, pixels.
    tangent : ndarray of shape (2,)
        Unit direction of the silhouette at the point (temple toward chin).
    confidence : float
        Heuristic score in [0, 1].
    method : str
        ``"primary"`` or the fallback used.
    """

    point: ObliquePoint
    xy: np.ndarray
    index: int
    sigma_px: float
    sigma_along_px: float
    tangent: np.ndarray
    confidence: float
    method: str = "primary"


@dataclass(frozen=True)
class ObliquePoints:
    """Every point located on one far-side silhouette.

    Attributes
    ----------
    points : dict of ObliquePoint to LocatedPoint
    missing : dict of ObliquePoint to str
        Why a point is not given.
    scale_px : float
        The face's length (nasion to menton on the mesh), pixels: the scale every window is a fraction of.
    """

    points: dict[ObliquePoint, LocatedPoint]
    missing: dict[ObliquePoint, str]
    scale_px: float

    def xy(self, p: ObliquePoint) -> np.ndarray:
        return self.points[p].xy


def _prominent(
    pts: np.ndarray, lo: int, hi: int, a: np.ndarray, b: np.ndarray, allowed: np.ndarray
) -> tuple[int, np.ndarray]:
    """Index (absolute) of the allowed point of ``pts[lo:hi+1]`` furthest outward of the chord a -> b (any
    point when none is allowed), and the outward distances of that stretch."""
    outward = -depth_under_chord(pts[lo : hi + 1], a, b)
    return lo + _best(outward, allowed[lo : hi + 1]), outward


def _best(values: np.ndarray, allowed: np.ndarray) -> int:
    masked = np.where(allowed, values, -np.inf)
    return int(np.argmax(masked)) if np.isfinite(masked).any() else int(np.argmax(values))


def _hollow(pts: np.ndarray, lo: int, hi: int, a: np.ndarray, b: np.ndarray) -> tuple[int, np.ndarray]:
    depth = depth_under_chord(pts[lo : hi + 1], a, b)
    return lo + int(np.argmax(depth)), depth


def ambiguity_px(values: np.ndarray, best: int, tolerance: float, spacing: float) -> float:
    """One-sigma spread along the outline of an extremum: the arc around ``best`` over which ``values``
    stays within ``tolerance`` of its value there, taken as a uniform distribution.

    Examples
    --------
    A plateau 11 samples wide at 1 px spacing:

    >>> round(ambiguity_px(np.array([0.0] * 3 + [5.0] * 11 + [0.0] * 3), 8, 0.5, 1.0), 3)
    3.175
    """
    close = np.abs(values - values[best]) <= tolerance
    lo = best
    while lo > 0 and close[lo - 1]:
        lo -= 1
    hi = best
    while hi < len(values) - 1 and close[hi + 1]:
        hi += 1
    return (hi - lo + 1) * spacing / math.sqrt(12.0)


def locate_points(
    outline_px: np.ndarray,
    frame: ObliqueFrame,
    refs: MeshReferences,
    *,
    scale_px: float,
    noise_px: float,
    blocked: np.ndarray | None = None,
    apex_sigma_along_px: float = 0.0,
) -> ObliquePoints:
    """Locate every point of :class:`ObliquePoint` on a far-side silhouette.

    Parameters
    ----------
    outline_px : ndarray of shape (N, 2)
        Canonical pixels, temple to chin, evenly spaced.
    frame : ObliqueFrame
    refs : MeshReferences
    scale_px : float
        The face's length, pixels.
    noise_px : float
        One-sigma noise of the outline across itself.
    blocked : ndarray of shape (N,), str, optional
        Why each point of the silhouette may not be used ("" where it may): off the photo, or the nose or the
        lips standing in front of the cheek there. A prominence is looked for among the usable points; a hollow
        whose deepest point is blocked is reported missing with the reason. All usable when not given.
    apex_sigma_along_px : float
        Least one-sigma uncertainty of the malar prominence along the silhouette (where a broad cheek's apex
        lies is less certain than its depth profile says).

    Raises
    ------
    ObliqueNotReadable
        The silhouette does not reach from above the lateral canthus to below the mouth corner.
    """
    raw = np.asarray(outline_px, dtype=np.float64)
    n = len(raw)
    why = np.full(n, "", dtype=object) if blocked is None else np.asarray(blocked, dtype=object)
    ok = why == ""
    spacing = float(np.median(np.hypot(*np.diff(raw, axis=0).T))) if n > 1 else 1.0
    # Noise-level wiggles are not features: smooth over 1 % of the face's length.
    pts = gaussian_smooth(raw, 0.01 * scale_px / max(spacing, 1e-9))
    v = frame.to_frame(pts)[:, 1]
    ref_v = {
        name: float(frame.to_frame(getattr(refs, name))[1]) for name in ("lateral_canthus", "alar_base", "cheilion")
    }
    v_ex, v_al, v_ch = ref_v["lateral_canthus"], ref_v["alar_base"], ref_v["cheilion"]
    if not (v[0] < v_ex and v[-1] > v_ch):
        raise ObliqueNotReadable(
            "The far-side silhouette does not run from the temple to the jaw.",
            hint="Retake the three-quarter view with the whole face, temple to chin, in the frame.",
        )
    end = int(np.argmin(np.hypot(*(pts - refs.menton).T)))
    i_ex = int(np.searchsorted(np.maximum.accumulate(v), v_ex))
    malar_hi = int(np.searchsorted(np.maximum.accumulate(v), v_al + 0.5 * (v_ch - v_al)))
    i_ch = int(np.searchsorted(np.maximum.accumulate(v), v_ch))
    if not (0 < i_ex < malar_hi < i_ch < end):
        raise ObliqueNotReadable(
            "The far-side silhouette is too short to read the cheek and the jaw.",
            hint="Retake the three-quarter view with the whole face, temple to chin, in the frame.",
        )
    top = 0
    uv = frame.to_frame(pts)
    ma = i_ex + _best(uv[i_ex : malar_hi + 1, 0], ok[i_ex : malar_hi + 1])
    ma_lateral = uv[i_ex : malar_hi + 1, 0] - uv[i_ex : malar_hi + 1, 0].min()
    ma_method = "primary"
    edge_samples = max(2, round(EXTREMUM_TOLERANCE_FRACTION * scale_px / max(spacing, 1e-9)))
    if ma - i_ex < edge_samples or malar_hi - ma < edge_samples:
        # No lateral apex inside the stretch (the silhouette runs steadily out or in over the cheek): the
        # point of the stretch furthest outward of the whole silhouette's chord instead.
        ma, ma_lateral = _prominent(pts, i_ex, malar_hi, pts[top], pts[end], ok)
        ma_method = "furthest outward of the temple top - chin chord (no lateral apex over the cheek)"
    go, go_out = _prominent(pts, max(i_ch, ma + 1), end - 1, pts[ma], pts[end], ok)
    tp, tp_depth = _hollow(pts, top, max(top + 1, min(i_ex, ma) - 1), pts[top], pts[ma])
    sm, sm_depth = _hollow(pts, ma, go, pts[ma], pts[go])
    chin, chin_out = _prominent(pts, go, end, pts[go], pts[end], ok)
    persistence = max(2.0 * noise_px, 0.01 * scale_px)
    chin_method = "primary"
    if chin_out.max() < persistence:
        chin = int(np.argmin(np.hypot(*(pts[go : end + 1] - refs.pogonion).T))) + go
        chin_method = "nearest to the mesh's pogonion (the chin does not stand out of the jawline)"
        chin_out = np.zeros(end - go + 1)
    pj, pj_depth = _hollow(pts, go, chin, pts[go], pts[chin]) if chin > go + 1 else (go, np.zeros(1))

    found: dict[ObliquePoint, LocatedPoint] = {}
    missing: dict[ObliquePoint, str] = {}
    tangents = np.gradient(pts, axis=0)
    tangents /= np.maximum(np.linalg.norm(tangents, axis=1, keepdims=True), 1e-12)

    def add(
        p: ObliquePoint, i: int, values: np.ndarray, lo: int, *, method: str = "primary", least_along: float = 0.0
    ) -> None:
        if not ok[i]:
            missing[p] = str(why[i])
            return
        amb = ambiguity_px(values, i - lo, max(noise_px, EXTREMUM_TOLERANCE_FRACTION * scale_px), spacing)
        size = float(values[i - lo]) if values.size else 0.0
        if method == "primary" and size < persistence:
            method = FLAT
        confidence = min(1.0, max(0.0, size) / (3.0 * persistence)) * math.exp(
            -math.hypot(noise_px, amb) / (0.05 * scale_px)
        )
        if method not in ("primary", FLAT):
            confidence *= 0.5
        # The confidence scores this silhouette's own feature; the floor on the uncertainty is about where such
        # a feature lies on faces in general.
        along = max(amb, least_along)
        found[p] = LocatedPoint(p, raw[i].copy(), i, noise_px, along, tangents[i].copy(), round(confidence, 3), method)

    for p, i in ((ObliquePoint.TEMPLE_TOP, top), (ObliquePoint.CHIN_END, end)):
        found[p] = LocatedPoint(p, raw[i].copy(), i, noise_px, noise_px, tangents[i].copy(), 1.0)
    add(ObliquePoint.TEMPLE, tp, tp_depth, top)
    add(ObliquePoint.MALAR_PROMINENCE, ma, ma_lateral, i_ex, method=ma_method, least_along=apex_sigma_along_px)
    add(ObliquePoint.SUBMALAR_HOLLOW, sm, sm_depth, ma)
    add(ObliquePoint.JAW_ANGLE, go, go_out, max(i_ch, ma + 1))
    add(ObliquePoint.CHIN, chin, chin_out, go, method=chin_method)
    add(ObliquePoint.PREJOWL_SULCUS, pj, pj_depth, go)
    return ObliquePoints(points=found, missing=missing, scale_px=scale_px)
