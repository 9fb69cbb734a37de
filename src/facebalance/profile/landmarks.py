"""Soft-tissue landmarks located on a profile outline (pure: an array in, dataclasses out).

This is the one landmark step shared by photos and cephalograms: whatever traced the outline (the
segmentation of a photo, :mod:`facebalance.profile.contour`, or the edge trace of an X-ray,
:mod:`facebalance.profile.xray`), the points are found here, by the definitions below, in the
head-oriented frame of :mod:`facebalance.profile.frame` (``u`` anterior, ``v`` inferior).

Definitions (``S`` is the nasion-pronasale distance, the outline's own scale; arc lengths are along the
outline):

=========================  ============  =====================================================================
point                      kind          definition
=========================  ============  =====================================================================
pronasale (Prn)            extremum      most anterior point (max ``u``) of the upper three quarters of the
                                         outline's height
soft-tissue nasion (N')    pocket        deepest point, under the convex-hull edge that bridges it, of the
                                         first concavity above Prn at least 0.4 times as deep as the
                                         deepest one
glabella (G)               extremum      most anterior point of the forehead within 0.8 S above N'
subnasale (Sn)             corner        of the concave corners (k-cosine at 0.08 S) between Prn and labrale
                                         superius, the one deepest behind the Prn-Ls chord; refined to the
                                         deepest point under that corner's own chord
columella (Cm)             tangent       contact point of the tangent from Sn to the lower border of the nose
labrale superius (Ls)      extremum      of the local maxima of ``u`` at least 0.25 S below Prn and above the
                                         chin, the upper of the two with the largest topographic prominence
stomion (Sto)              extremum      most posterior point (min ``u``) between Ls and Li
labrale inferius (Li)      extremum      the lower of those two maxima
labiomental fold (B')      extremum      most posterior point between Li and Pog' (soft-tissue B point)
soft-tissue pogonion       extremum      the last local maximum of ``u`` within 0.6 S of arc above the
(Pog')                                   submental line (the first stretch, at least 0.8 S below Prn, where
                                         the outline runs backward at 45 deg or more from the vertical for
                                         0.4 S); on a chin without one, the contact point of the support
                                         line tilted down by the smallest angle that touches the chin
menton (Me')               tangent       first point below Pog' where the tangent comes within 15 deg of
                                         the horizontal
cervical point (C)         corner        sharpest concave corner between the submental line and the neck
                                         (k-cosine at 0.2 S)
=========================  ============  =====================================================================

Local extrema are found with a persistence (zig-zag) filter: a maximum counts only when the outline
retreats by at least ``max(2 noise, 0.02 S)`` (about 1 mm) on both sides, so pixel noise and small
wrinkles do not become landmarks.

Each point carries ``sigma_px``, a one-sigma position uncertainty: the outline noise across the outline
combined with the ambiguity along it (the arc over which the defining quantity is within the noise of
its best value, as a uniform spread). ``confidence`` in [0, 1] is a heuristic score, not a probability:
how prominent the feature is relative to the persistence threshold, times how sharply it is located,
halved when a fallback definition was used.

References
----------
.. [1] Legan HL, Burstone CJ. Soft tissue cephalometric analysis for orthognathic surgery. J Oral Surg.
       1980;38(10):744-751 (soft-tissue landmark set G, Cm, Sn, Ls, Li, Pog', Me', C).
.. [2] Powell N, Humphreys B. Proportions of the Aesthetic Face. New York: Thieme-Stratton; 1984.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import numpy as np

from facebalance.profile.errors import ProfileNotReadable
from facebalance.profile.frame import ProfileFrame
from facebalance.profile.geometry import (
    close_narrow_notches,
    depth_under_chord,
    gaussian_smooth,
    hull_vertex_indices,
    resample_polyline,
)


class ProfilePoint(StrEnum):
    """Named points of the soft-tissue profile (clinical landmarks first, then construction points)."""

    GLABELLA = "glabella"
    SOFT_TISSUE_NASION = "soft_tissue_nasion"
    PRONASALE = "pronasale"
    COLUMELLA = "columella"
    SUBNASALE = "subnasale"
    LABRALE_SUPERIUS = "labrale_superius"
    STOMION = "stomion"
    LABRALE_INFERIUS = "labrale_inferius"
    LABIOMENTAL_FOLD = "labiomental_fold"
    SOFT_TISSUE_POGONION = "soft_tissue_pogonion"
    MENTON = "menton"
    CERVICAL_POINT = "cervical_point"
    # Construction points for tangent lines.
    FOREHEAD_TANGENT = "forehead_tangent"
    DORSUM_TANGENT = "dorsum_tangent"
    S_CURVE_MIDPOINT = "s_curve_midpoint"
    NECK_TANGENT = "neck_tangent"


#: The twelve clinical landmarks, top to bottom.
CLINICAL_POINTS: tuple[ProfilePoint, ...] = tuple(ProfilePoint)[:12]

Kind = Literal["extremum", "pocket", "corner", "tangent", "arc"]


@dataclass(frozen=True)
class PointDefinition:
    """How one point is defined on the outline, for the documentation and the report."""

    point: ProfilePoint
    kind: Kind
    definition: str


DEFINITIONS: dict[ProfilePoint, PointDefinition] = {
    d.point: d
    for d in (
        PointDefinition(
            ProfilePoint.GLABELLA, "extremum", "Most anterior point of the forehead within 0.8 S above N'."
        ),
        PointDefinition(
            ProfilePoint.SOFT_TISSUE_NASION,
            "pocket",
            "Deepest point of the nasofrontal concavity under its convex-hull edge.",
        ),
        PointDefinition(ProfilePoint.PRONASALE, "extremum", "Most anterior point of the nose (max u)."),
        PointDefinition(
            ProfilePoint.COLUMELLA,
            "tangent",
            "Contact point of the tangent from subnasale to the lower border of the nose.",
        ),
        PointDefinition(
            ProfilePoint.SUBNASALE,
            "corner",
            "Sharpest concave corner between pronasale and labrale superius (columella-lip junction).",
        ),
        PointDefinition(ProfilePoint.LABRALE_SUPERIUS, "extremum", "Most anterior point of the upper lip."),
        PointDefinition(ProfilePoint.STOMION, "extremum", "Most posterior point between the lips."),
        PointDefinition(ProfilePoint.LABRALE_INFERIUS, "extremum", "Most anterior point of the lower lip."),
        PointDefinition(
            ProfilePoint.LABIOMENTAL_FOLD,
            "extremum",
            "Most posterior point between lower lip and chin (soft-tissue B point).",
        ),
        PointDefinition(ProfilePoint.SOFT_TISSUE_POGONION, "extremum", "Most anterior point of the chin."),
        PointDefinition(
            ProfilePoint.MENTON,
            "tangent",
            "Lowest point of the chin: where its tangent first comes within 15 deg of the horizontal.",
        ),
        PointDefinition(
            ProfilePoint.CERVICAL_POINT,
            "corner",
            "Innermost point of the angle between the submental line and the neck.",
        ),
        PointDefinition(
            ProfilePoint.FOREHEAD_TANGENT,
            "tangent",
            "Contact point of the tangent from N' to the forehead (upper arm of the nasofrontal angle).",
        ),
        PointDefinition(
            ProfilePoint.DORSUM_TANGENT,
            "tangent",
            "Contact point of the tangent from N' to the nasal dorsum (lower arm of the nasofrontal angle).",
        ),
        PointDefinition(
            ProfilePoint.S_CURVE_MIDPOINT,
            "arc",
            "Midpoint by arc length of the outline from subnasale to pronasale (Steiner's S-line point).",
        ),
        PointDefinition(
            ProfilePoint.NECK_TANGENT,
            "arc",
            "Outline point 0.6 S below the cervical point (direction of the neck line).",
        ),
    )
}


@dataclass(frozen=True)
class LocatedPoint:
    """One landmark on the outline.

    Attributes
    ----------
    point : ProfilePoint
    xy : ndarray of shape (2,)
        Canonical image pixels (face toward +x, y down) of the image the outline came from.
    index : int
        Index on :attr:`ProfileLandmarks.outline`.
    sigma_px : float
        One-sigma position uncertainty, pixels (isotropic).
    confidence : float
        Heuristic score in [0, 1] (see the module docstring).
    method : str
        ``"primary"`` or the fallback used.
    """

    point: ProfilePoint
    xy: np.ndarray
    index: int
    sigma_px: float
    confidence: float
    method: str = "primary"


@dataclass(frozen=True)
class ProfileLandmarks:
    """Every point located on one outline.

    Attributes
    ----------
    outline : ndarray of shape (M, 2)
        The resampled, lightly smoothed outline the points lie on (canonical image pixels, top to bottom).
    frame : ProfileFrame
        The head frame the definitions used.
    points : dict
        Located points by name.
    scale_px : float
        ``S``, the N'-Prn distance in pixels.
    missing : dict
        Points that could not be located, with the reason.
    frame_estimated : bool
        The frame's tilt was estimated from the profile (N'-Pog' taken as vertical), not given.
    """

    outline: np.ndarray
    frame: ProfileFrame
    points: dict[ProfilePoint, LocatedPoint]
    scale_px: float
    missing: dict[ProfilePoint, str] = field(default_factory=dict)
    frame_estimated: bool = False

    def __contains__(self, point: object) -> bool:
        return point in self.points

    def xy(self, point: ProfilePoint) -> np.ndarray:
        """Canonical image position of a located point, shape (2,); ``KeyError`` when missing."""
        return self.points[point].xy


# --- tuning constants, all as fractions of S (the N'-Prn distance, about 45 mm in adults) ----------------

#: The nasion's pocket is the first, going up from the nose, at least this share of the deepest pocket.
NASION_POCKET_SHARE = 0.4
#: Notches narrower than this (about 2 mm: a nostril shadow, parted lips) are bridged before locating.
NOTCH_WIDTH_S = 0.04
#: Persistence of a local extremum (about 1 mm).
PERSISTENCE_S = 0.02
#: Smoothing along the outline for the fine pass (about 0.5 mm).
SMOOTHING_S = 0.01
#: Half-width of the k-cosine arms for subnasale (about 3.5 mm) and for the cervical point (about 9 mm).
SUBNASALE_ARM_S = 0.08
CERVICAL_ARM_S = 0.2
#: A corner flatter than this is not the columella-lip junction.
SUBNASALE_MAX_ANGLE_DEG = 170.0
#: Glabella is searched for within this arc above N'.
GLABELLA_WINDOW_S = 0.8
#: Least vertical distance of the upper lip's prominence below Prn (about 11 mm).
LIP_BELOW_TIP_S = 0.25
#: The submental line: the outline runs backward for this much arc (about 18 mm), at least this far below
#: the nose tip (about 36 mm).
SUBMENTAL_RUN_S = 0.4
SUBMENTAL_BELOW_TIP_S = 0.8
#: ... and retreats by at least this much (about 13 mm; a lower lip's underside retreats less).
SUBMENTAL_RETREAT_S = 0.3
#: ... with its tangent at least this far from the vertical (the submental line of a lowered head is steep).
SUBMENTAL_MIN_TILT_DEG = 45.0
#: On an outline that ends under the chin, its prominence lies at least this far below the nose tip
#: (about 50 mm; the lower lip lies about 40 mm below it, soft-tissue pogonion about 65 mm).
CHIN_BELOW_TIP_S = 1.1
#: The chin's prominence lies within this arc (about 27 mm) above the start of the submental line.
CHIN_TO_SUBMENTAL_S = 0.6
#: Menton is where the chin's tangent first comes within 15 degrees of the horizontal.
MENTON_TANGENT_DEG = 75.0
#: How far down the outline the lower face is searched (arc length).
LOWER_WINDOW_S = 5.0
#: A soft-tissue pogonion without a prominence of its own (under the persistence) closer than this to labrale
#: inferius is the chin's underside, and that "lower lip" the chin: the lower lip's most prominent point lies
#: about 0.4-0.5 S (18-22 mm) above the chin's, and no adult lower lip with its labiomental fold is shorter
#: than about 12 mm.
LIP_CHIN_MIN_S = 0.28


def _confidence(prominence: float, threshold: float, sigma: float, scale: float, *, fallback: bool = False) -> float:
    prom = min(1.0, max(0.0, prominence / (3.0 * threshold))) if threshold > 0 else 1.0
    sharp = math.exp(-sigma / (0.05 * scale))
    return round(float((0.5 if fallback else 1.0) * prom * sharp), 3)


def _ambiguity_px(values: np.ndarray, i: int, tolerance: float, spacing: float, lo: int, hi: int) -> float:
    """Arc length of the contiguous run around ``i`` (within [lo, hi)) where ``values`` stays within ``tolerance``
    of ``values[i]``: how far along the outline a point is ambiguous."""
    best = values[i]
    a = i
    while a - 1 >= lo and values[a - 1] >= best - tolerance:
        a -= 1
    b = i
    while b + 1 < hi and values[b + 1] >= best - tolerance:
        b += 1
    return (b - a + 1) * spacing


def _zigzag(f: np.ndarray, start: int, stop: int, tau: float) -> list[tuple[int, str]]:
    """Persistent extrema of ``f`` on [start, stop), starting from a maximum at ``start``.

    Returns alternating ``(index, "min" | "max")`` pairs; each is confirmed by a retreat of at least ``tau``
    after it. The first entry is a minimum.
    """
    out: list[tuple[int, str]] = []
    looking = "min"
    cand = start
    for i in range(start + 1, stop):
        if looking == "min":
            if f[i] < f[cand]:
                cand = i
            elif f[i] > f[cand] + tau:
                out.append((cand, "min"))
                looking, cand = "max", i
        else:
            if f[i] > f[cand]:
                cand = i
            elif f[i] < f[cand] - tau:
                out.append((cand, "max"))
                looking, cand = "min", i
    return out


def _prominence(f: np.ndarray, i: int, peaks: list[int], lo: int, hi: int) -> float:
    """Topographic prominence of peak ``i`` of ``f`` among ``peaks`` on [lo, hi).

    The height of the peak above the higher of the two lowest points separating it from a higher peak
    (or from the ends of the range) on either side.
    """
    higher_left = [p for p in peaks if p < i and f[p] > f[i]]
    higher_right = [p for p in peaks if p > i and f[p] > f[i]]
    left = max(higher_left) if higher_left else lo
    right = min(higher_right) if higher_right else hi
    left_col = float(f[left : i + 1].min())
    right_col = float(f[i:right].min()) if right > i else float(f[i])
    return float(f[i]) - max(left_col, right_col)


def _concave_corners(pts: np.ndarray, lo: int, hi: int, k: int) -> list[tuple[int, float]]:
    """k-cosine corners: local minima of the angle between arms of ``k`` samples, concave points only.

    Returns ``(index, angle_deg)`` pairs on [lo, hi), sharpest first; empty when there is no concave point.
    """
    lo, hi = max(lo, k), min(hi, len(pts) - k)
    if hi <= lo:
        return []
    idx = np.arange(lo, hi)
    a = pts[idx - k] - pts[idx]
    b = pts[idx + k] - pts[idx]
    cosang = np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)
    angle = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))
    chord = pts[idx + k] - pts[idx - k]
    normal = np.column_stack([chord[:, 1], -chord[:, 0]])
    concave = np.einsum("ij,ij->i", pts[idx - k] - pts[idx], normal) > 0
    angle = np.where(concave, angle, np.inf)
    left = np.concatenate([[np.inf], angle[:-1]])
    right = np.concatenate([angle[1:], [np.inf]])
    minima = np.flatnonzero(np.isfinite(angle) & (angle <= left) & (angle < right))
    if minima.size == 0 and np.isfinite(angle).any():
        minima = np.array([int(np.argmin(angle))])
    found = [(int(idx[j]), float(angle[j])) for j in minima]
    return sorted(found, key=lambda c: c[1])


def _sharpest_concave_corner(pts: np.ndarray, lo: int, hi: int, k: int) -> tuple[int, float] | None:
    """The sharpest concave k-cosine corner on [lo, hi), or ``None``."""
    corners = _concave_corners(pts, lo, hi, k)
    return corners[0] if corners else None


@dataclass(frozen=True)
class NoseHint:
    """Where the nose tip roughly is (from the face mesh or a face detector), to tell it from a cap's brim,
    a spectacle frame or a lock of hair that reaches further forward.

    Attributes
    ----------
    xy : ndarray of shape (2,)
        Approximate nose tip, canonical pixels of the outline's image.
    radius_px : float
        Pronasale is the most anterior outline point within this distance of ``xy`` (when there is one).
    """

    xy: np.ndarray
    radius_px: float


@dataclass(frozen=True)
class MidlinePoint:
    """Where the face mesh puts one midline point of a turned head.

    Attributes
    ----------
    xy : ndarray of shape (2,)
        The mesh's midline vertex projected into the photo, canonical pixels.
    silhouette_xy : ndarray of shape (2,)
        The mesh's own silhouette at that height (its most anterior projected vertex there), canonical pixels:
        where the photo's outline should lie. ``silhouette_xy - xy`` is how far in front of the midline the
        silhouette is formed on this turn.
    mesh_weight : float
        Weight of ``xy`` against the offset-corrected outline point, in [0, 1]. 0: the point the landmark
        step located on the outline (the nose tip, which the outline gives better than the mesh) is only
        moved back by the offset.
    """

    xy: np.ndarray
    silhouette_xy: np.ndarray
    mesh_weight: float = 0.5


@dataclass(frozen=True)
class MidlinePrior:
    """The face mesh's midline points, for the points whose silhouette is formed off the midline on a head
    turned short of 90 degrees (subnasale, the lips, stomion).

    Each such point is the outline point nearest the mesh's silhouette, moved back by the mesh's
    silhouette-to-midline offset, averaged with the mesh's midline vertex (:attr:`MidlinePoint.mesh_weight`);
    where no outline point lies within ``reach_px`` of the mesh's silhouette the mesh's vertex is used alone
    (a fallback). A point of weight 0 is the one the landmark step located, moved back by the offset. The
    point is then midsagittal, as the yaw correction of the measurements assumes.

    Attributes
    ----------
    points : dict
        By profile point.
    reach_px : float
        How far from the mesh's silhouette the outline may lie and still count, pixels.
    sigma_px : float
        One-sigma position uncertainty of the result, pixels.
    face_px : float
        The mesh's nasion-to-menton length, pixels.
    down : ndarray of shape (2,)
        Unit vector from the mesh's nasion toward its menton.
    """

    points: dict[ProfilePoint, MidlinePoint]
    reach_px: float
    sigma_px: float
    face_px: float = 1.0
    down: np.ndarray = field(default_factory=lambda: np.array([0.0, 1.0]))


class _Locator:
    """Working state of one :func:`locate_landmarks` call."""

    def __init__(
        self,
        outline: np.ndarray,
        frame: ProfileFrame,
        noise_px: float,
        spacing: float,
        hint: NoseHint | None = None,
    ) -> None:
        self.raw = outline
        self.frame = frame
        self.hint = hint
        self.noise = noise_px
        self.spacing = spacing
        self.points: dict[ProfilePoint, LocatedPoint] = {}
        self.missing: dict[ProfilePoint, str] = {}
        self._prominence: dict[ProfilePoint, float] = {}
        self._li_maximum: int | None = None

    def arc(self, length_px: float) -> int:
        """A length in pixels as a number of outline samples."""
        return max(1, round(length_px / self.spacing))

    def put(
        self,
        p: ProfilePoint,
        i: int,
        *,
        sigma_along: float,
        prominence: float,
        threshold: float,
        method: str = "primary",
    ) -> None:
        sigma = math.hypot(self.noise, sigma_along / math.sqrt(12.0))
        self.points[p] = LocatedPoint(
            p,
            self.pts[i].copy(),
            int(i),
            sigma,
            _confidence(prominence, threshold, sigma, self.scale, fallback=method != "primary"),
            method,
        )

    # -- coarse pass: the nose and the nasion give the scale ----------------------------------------------
    def coarse(self) -> None:
        extent = float(np.ptp(self.raw[:, 1])) or 1.0
        pts0 = gaussian_smooth(self.raw, max(1.0, 0.003 * extent / self.spacing))
        uv0 = self.frame.to_frame(pts0)
        u0, v0 = uv0[:, 0], uv0[:, 1]
        n = len(pts0)
        margin = max(2, n // 50)
        upper = v0 <= v0.min() + 0.75 * float(np.ptp(v0))
        allowed = np.zeros(n, dtype=bool)
        allowed[margin : n - margin] = True
        allowed &= upper
        if self.hint is not None:
            near = np.hypot(*(pts0 - self.hint.xy).T) <= self.hint.radius_px
            if (allowed & near).any():
                allowed &= near
        if not allowed.any():
            raise ProfileNotReadable(
                "The profile outline is too short to hold a face.",
                hint="Use a lateral photo showing the whole head from the crown to the neck.",
            )
        i_prn = int(np.flatnonzero(allowed)[np.argmax(u0[allowed])])
        # Pockets of the outline above the nose, under the hull edges that bridge them; N' is in the first
        # substantial one going up from the nose (a supratip hollow is shallow, hair pockets lie higher).
        # The hull is closed through a point far behind the head, so that its front chain bridges every
        # hollow that opens forward, even on an outline that starts just above the nasion.
        behind = self.frame.to_image(np.array([float(u0.min()) - 10.0 * extent, float(v0[: i_prn + 1].mean())]))
        hull = hull_vertex_indices(np.vstack([pts0[: i_prn + 1], behind]))
        hull = hull[hull <= i_prn]
        pockets: list[tuple[float, int, int, int]] = []
        for a, b in itertools.pairwise(hull):
            if b - a < 3:
                continue
            seg = np.arange(a + 1, b)
            depth = depth_under_chord(pts0[seg], pts0[a], pts0[b])
            j = int(np.argmax(depth))
            pockets.append((float(depth[j]), int(seg[j]), int(a), int(b)))
        least = max(2.0 * self.noise, 0.01 * extent)
        deepest = max((p[0] for p in pockets), default=0.0)
        substantial = [p for p in pockets if p[0] >= max(least, NASION_POCKET_SHARE * deepest)]
        best = max(substantial, key=lambda p: p[1]) if substantial else None
        if best is None:
            raise ProfileNotReadable(
                "No nasofrontal angle (the hollow between forehead and nose) was found on the outline.",
                hint="Use a true lateral (90 degree) photo with the forehead and nose against a plain backdrop.",
            )
        self.i_prn0, self.i_n0, self.pocket = i_prn, best[1], (best[2], best[3])
        self.scale = float(np.hypot(*(pts0[i_prn] - pts0[best[1]])))
        if self.scale < 0.05 * extent:
            raise ProfileNotReadable(
                "The nose found on the outline is implausibly small.",
                hint="Use a true lateral photo of the face against a plain backdrop.",
            )

    # -- fine pass --------------------------------------------------------------------------------------
    def fine(self) -> None:
        S = self.scale
        closed = close_narrow_notches(self.raw, NOTCH_WIDTH_S * S, 0.5 * S)
        self.pts = gaussian_smooth(closed, max(1.0, SMOOTHING_S * S / self.spacing))
        # The line-relative extrema (Li over the E-line, Pog' from Sn) are searched on the barely smoothed
        # outline: smoothing rounds a corner symmetrically about its bisector, which moves an extremum taken
        # along another direction; the point's position is still read from the smoothed outline.
        self.sharp = gaussian_smooth(closed, 1.0)
        uv = self.frame.to_frame(self.pts)
        self.u, self.v = uv[:, 0], uv[:, 1]
        self.tau = max(2.0 * self.noise, PERSISTENCE_S * S)
        n = len(self.pts)
        u = self.u

        # Pronasale: the maximum of u near the coarse one.
        w = self.arc(0.3 * S)
        lo, hi = max(0, self.i_prn0 - w), min(n, self.i_prn0 + w + 1)
        i_prn = lo + int(np.argmax(u[lo:hi]))
        self.put(
            ProfilePoint.PRONASALE,
            i_prn,
            sigma_along=_ambiguity_px(u, i_prn, self.noise, self.spacing, lo, hi),
            prominence=S,
            threshold=self.tau,
        )

        # Nasion: deepest point under the hull edge of the coarse pocket.
        a, b = self.pocket
        seg = np.arange(a + 1, min(b, i_prn))
        if seg.size == 0:
            seg = np.array([self.i_n0])
        depth = depth_under_chord(self.pts[seg], self.pts[a], self.pts[b])
        j = int(np.argmax(depth))
        i_n = int(seg[j])
        full = np.full(n, -np.inf)
        full[seg] = depth
        self.put(
            ProfilePoint.SOFT_TISSUE_NASION,
            i_n,
            sigma_along=_ambiguity_px(full, i_n, self.noise, self.spacing, int(seg[0]), int(seg[-1]) + 1),
            prominence=float(depth[j]),
            threshold=self.tau,
        )

        # Glabella: most anterior forehead point within the window above N'.
        lo = max(0, i_n - self.arc(GLABELLA_WINDOW_S * S))
        if i_n - lo >= 3:
            i_g = lo + int(np.argmax(u[lo:i_n]))
            interior = i_g > lo + 1
            self.put(
                ProfilePoint.GLABELLA,
                i_g,
                sigma_along=_ambiguity_px(u, i_g, self.noise, self.spacing, lo, i_n),
                prominence=float(u[i_g] - u[i_n]),
                threshold=self.tau,
                method="primary" if interior else "window edge: forehead without a glabellar prominence",
            )
        else:
            self.missing[ProfilePoint.GLABELLA] = "the outline ends above the nasion"

        # Tangents from N' to the forehead and to the dorsum (the arms of the nasofrontal angle).
        self._tangent_from(
            ProfilePoint.FOREHEAD_TANGENT, i_n, max(0, i_n - self.arc(S)), i_n - self.arc(0.1 * S), upward=True
        )
        self._tangent_from(ProfilePoint.DORSUM_TANGENT, i_n, i_n + self.arc(0.1 * S), i_prn + 1, upward=False)

        before = (dict(self.points), dict(self.missing))
        self._lower_face(i_prn)
        li = self.points.get(ProfilePoint.LABRALE_INFERIUS)
        pog = self.points.get(ProfilePoint.SOFT_TISSUE_POGONION)
        if (
            li is not None
            and pog is not None
            and self._li_maximum is not None
            and self._prominence.get(ProfilePoint.SOFT_TISSUE_POGONION, 0.0) < self.tau
            and float(np.hypot(*(li.xy - pog.xy))) < LIP_CHIN_MIN_S * S
        ):
            # A "chin" with no prominence of its own just under the "lower lip": that prominence was the
            # chin's (a tight crop, the outline ending under the chin), and the lips lie above it.
            self.points, self.missing, self._prominence = dict(before[0]), dict(before[1]), {}
            self._lower_face(i_prn, chin_at=self._li_maximum)

    def _tangent_from(self, p: ProfilePoint, origin: int, lo: int, hi: int, *, upward: bool) -> None:
        if hi - lo < 2:
            self.missing[p] = "too little outline on that side"
            return
        d = self.frame.to_frame(self.pts[lo:hi]) - self.frame.to_frame(self.pts[origin])
        # Angle from the vertical (up or down) toward anterior: the tangent touches where it is largest.
        ang = np.arctan2(d[:, 0], -d[:, 1] if upward else d[:, 1])
        j = int(np.argmax(ang))
        r = float(np.hypot(*d[j]))
        self.put(
            p,
            lo + j,
            sigma_along=_ambiguity_px(ang, j, self.noise / max(r, 1.0), self.spacing, 0, len(ang)),
            prominence=self.tau * 3,
            threshold=self.tau,
        )

    def _tangent_angle(self) -> np.ndarray:
        """Direction of the outline at each sample in the frame, degrees: 0 = straight down, -90 = backward."""
        du = np.gradient(self.u)
        dv = np.gradient(self.v)
        return np.asarray(np.degrees(np.arctan2(du, dv)))

    def _submental_start(self, i_prn: int, stop: int) -> int | None:
        """Start of the submental line: the first stretch, well below the nose, where the outline runs
        backward (tangent at least SUBMENTAL_MIN_TILT_DEG from the vertical) for at least SUBMENTAL_RUN_S of arc
        and retreats by at least SUBMENTAL_RETREAT_S."""
        phi = self._tangent_angle()
        low_enough = self.v - self.v[i_prn] >= SUBMENTAL_BELOW_TIP_S * self.scale
        back = (phi <= -SUBMENTAL_MIN_TILT_DEG) & (phi >= -150.0) & low_enough
        need = self.arc(SUBMENTAL_RUN_S * self.scale)
        retreat = SUBMENTAL_RETREAT_S * self.scale
        i = i_prn
        while i < stop:
            if not back[i]:
                i += 1
                continue
            # One whole backward run: under the chin the outline retreats far (toward the neck); under an
            # everted lower lip, toward the labiomental fold, only a little.
            end = i
            while end + 1 < stop and back[end + 1]:
                end += 1
            if end - i + 1 >= need and self.u[i] - float(self.u[i : end + 1].min()) >= retreat:
                return i
            i = end + 1
        return None

    def _lower_face(self, i_prn: int, chin_at: int | None = None) -> None:
        """The lips, the chin and the neck below the nose; ``chin_at``: the prominence known to be the chin's."""
        S, u, v, n = self.scale, self.u, self.v, len(self.pts)
        self._li_maximum = None
        stop = min(n, i_prn + self.arc(LOWER_WINDOW_S * S))
        i_sub = self._submental_start(i_prn, stop)
        open_end = i_sub is None
        if i_sub is None:
            # No submental line: the outline ends at the chin (a tight crop, or the chin cut off by the frame).
            # The chin window then runs to the end of the outline; a chin whose contact point would lie at
            # that end is not located (it may continue out of the photo).
            i_sub = stop - 1
            if i_sub - i_prn < self.arc(SUBMENTAL_BELOW_TIP_S * S):
                for p in CLINICAL_POINTS[4:]:
                    self.missing[p] = "the outline does not reach under the chin"
                self._subnasale(i_prn, None)
                return
        ext = _zigzag(u, i_prn, i_sub + 1, self.tau)
        # A bump at the columella base (above an upper-lip hollow) is not a lip: the upper lip's
        # prominence lies well below the nose tip.
        maxima = [i for i, kind in ext if kind == "max" and v[i] - v[i_prn] >= LIP_BELOW_TIP_S * S]
        # The chin is the last prominence, just above the submental line; when the last one is far above
        # it, it is the lower lip over a chin with no anterior maximum of its own.
        i_chin: int | None = None
        if chin_at is not None:
            i_chin = chin_at
            lips = [i for i in maxima if i < chin_at]
            turn = self._turn_under(chin_at, i_sub + 1) if open_end else None
            if turn is not None:
                i_sub = turn
        elif open_end and maxima:
            # Without a submental line the last prominence is the chin only when the outline turns under it
            # (backward at SUBMENTAL_MIN_TILT_DEG or more for a stretch); else the chin is not in the outline
            # and that prominence is a lip.
            turn = self._turn_under(maxima[-1], i_sub + 1)
            # ... and when it lies as far below the nose tip as a chin does (a lower lip lies nearer).
            if turn is None or v[maxima[-1]] - v[i_prn] < CHIN_BELOW_TIP_S * S:
                lips = maxima
            else:
                i_chin, i_sub = maxima[-1], turn
                lips = maxima[:-1]
        elif maxima and i_sub - maxima[-1] <= self.arc(CHIN_TO_SUBMENTAL_S * S):
            i_chin = maxima[-1]
            lips = maxima[:-1]
        else:
            lips = maxima
            start = maxima[-1] if maxima else i_prn
            i_chin = self._chin_fallback(start, i_sub)
        # The two most prominent maxima above the chin are the lips (a bump at the columella base or a
        # vermilion ridge is less prominent than the lip it sits on).
        end = i_chin if i_chin is not None else i_sub
        prominence = {i: _prominence(u, i, lips, i_prn, end) for i in lips}
        chosen = sorted(sorted(lips, key=lambda i: -prominence[i])[:2])
        i_ls: int | None = None
        i_li: int | None = None
        if len(chosen) == 2:
            i_ls, i_li = chosen
            self._li_maximum = i_li
        elif len(chosen) == 1:
            midway = 0.5 * (v[i_prn] + v[end])
            if v[chosen[0]] < midway:
                i_ls = chosen[0]
                self.missing[ProfilePoint.LABRALE_INFERIUS] = "no lower-lip prominence above the chin"
            else:
                i_li = chosen[0]
                self._li_maximum = i_li
                self.missing[ProfilePoint.LABRALE_SUPERIUS] = "no upper-lip prominence below the nose"
        else:
            self.missing[ProfilePoint.LABRALE_SUPERIUS] = "no lip prominence between the nose and the chin"
            self.missing[ProfilePoint.LABRALE_INFERIUS] = "no lip prominence between the nose and the chin"
        self._subnasale(i_prn, i_ls)
        ls_method = "primary"
        if i_ls is None and i_li is not None and ProfilePoint.SUBNASALE in self.points:
            i_ls = self._upper_lip_over_chord(self.points[ProfilePoint.SUBNASALE].index, i_li)
            if i_ls is not None:
                ls_method = "fallback: most prominent point over the Sn-Li line (no anterior maximum)"
                self.missing.pop(ProfilePoint.LABRALE_SUPERIUS, None)
        if i_ls is not None:
            ls_profile = u if ls_method == "primary" else self._ls_profile
            self._put_extremum(ProfilePoint.LABRALE_SUPERIUS, i_ls, ls_profile, maximum=True, method=ls_method)
        i_pog, pog_method = self._pogonion(i_chin, i_li, i_sub, open_end=open_end)
        if i_pog is None:
            self.missing.setdefault(
                ProfilePoint.SOFT_TISSUE_POGONION,
                "the outline ends before the chin turns under"
                if open_end and i_chin is not None
                else "no chin prominence above the submental line",
            )
        if i_li is not None:
            i_li, li_method = self._labrale_inferius(i_prn, i_ls, i_li, i_pog)
            self._put_extremum(ProfilePoint.LABRALE_INFERIUS, i_li, self._li_profile, maximum=True, method=li_method)
        if i_pog is not None:
            self._put_extremum(
                ProfilePoint.SOFT_TISSUE_POGONION, i_pog, self._pog_profile, maximum=True, method=pog_method
            )
        if i_ls is not None and i_li is not None:
            self._put_extremum(ProfilePoint.STOMION, i_ls + int(np.argmin(u[i_ls : i_li + 1])), u, maximum=False)
        elif ProfilePoint.STOMION not in self.missing:
            self.missing[ProfilePoint.STOMION] = "needs both lips"
        if i_li is not None and i_pog is not None and i_pog > i_li + 1:
            # The labiomental fold: deepest point behind the Li-Pog' chord (what the sulcus depth measures).
            seg = np.arange(i_li + 1, i_pog)
            depth = depth_under_chord(self.pts[seg], self.pts[i_li], self.pts[i_pog])
            full = np.full(n, -np.inf)
            full[seg] = depth
            self._put_extremum(ProfilePoint.LABIOMENTAL_FOLD, int(seg[int(np.argmax(depth))]), full, maximum=True)
        else:
            self.missing.setdefault(ProfilePoint.LABIOMENTAL_FOLD, "needs the lower lip and the chin")
        if i_pog is not None:
            self._menton_and_neck(i_pog)

    def _upper_lip_over_chord(self, i_sn: int, i_li: int) -> int | None:
        """The upper lip's most prominent point over the Sn-Li line, when it has no anterior maximum of its
        own (a retruded or parted upper lip, a head tilted forward): it must stand out by the persistence."""
        lo = i_sn + self.arc(0.05 * self.scale)
        hi = i_li - self.arc(0.1 * self.scale)
        if hi - lo < 3:
            return None
        seg = np.arange(lo, hi)
        ahead = -depth_under_chord(self.sharp[seg], self.pts[i_sn], self.pts[i_li])
        j = int(np.argmax(ahead))
        if ahead[j] < self.tau or j in (0, len(seg) - 1):
            return None
        profile = np.full(len(self.pts), -np.inf)
        profile[seg] = ahead
        self._ls_profile = profile
        return int(seg[j])

    def _turn_under(self, start: int, stop: int) -> int | None:
        """First index after ``start`` where the outline runs backward (tangent at least
        SUBMENTAL_MIN_TILT_DEG from the vertical) for 0.1 S of arc, or ``None``."""
        phi = self._tangent_angle()
        back = (phi <= -SUBMENTAL_MIN_TILT_DEG) & (phi >= -150.0)
        need = self.arc(0.1 * self.scale)
        run = 0
        for i in range(start, stop):
            run = run + 1 if back[i] else 0
            if run >= need:
                return i - need + 1
        return None

    def _pogonion(self, i_chin: int | None, i_li: int | None, i_sub: int, *, open_end: bool) -> tuple[int | None, str]:
        """Soft-tissue pogonion: the chin's contact point of the tangent from subnasale.

        That is the chin's most anterior point in the lower face's own frame (the Sn-Pog' line is tangent
        to the chin there), which is where annotators place it on cephalograms (ISBI 2015: "most anterior
        point of the soft-tissue chin") whatever the head's tilt. Searched from the deepest point between
        the lower lip and the chin's prominence to the start of the submental line. Without subnasale,
        the chin's prominence in the head frame is used.
        """
        self._pog_profile = self.u
        if i_chin is None:
            return None, "primary"
        method = "primary"
        sn = self.points.get(ProfilePoint.SUBNASALE)
        if sn is None:
            return i_chin, "fallback: most anterior chin point in the head frame (no subnasale)"
        lo = i_chin
        if i_li is not None and i_chin > i_li + 1:
            lo = i_li + int(np.argmin(self.u[i_li : i_chin + 1]))
        hi = i_sub + 1
        if hi - lo < 3:
            return i_chin, "fallback: most anterior chin point in the head frame (chin too short)"
        d = self.frame.to_frame(self.sharp[lo:hi]) - self.frame.to_frame(sn.xy)
        # Angle of each chin point seen from Sn, from straight down toward anterior: the tangent touches where
        # it is largest. Expressed as a signed distance in front of the Sn-contact line for the extremum's
        # prominence and ambiguity (pixels, like every other extremum).
        angle = np.arctan2(d[:, 0], d[:, 1])
        j = int(np.argmax(angle))
        i_pog = lo + j
        if open_end and j >= len(angle) - 1 - self.arc(0.02 * self.scale):
            return None, method
        if j == 0 and i_chin > lo:
            method = "fallback: tangent from subnasale touches the lower lip side"
        a = sn.xy
        b = self.pts[i_pog]
        profile = np.full(len(self.pts), -np.inf)
        seg = np.arange(lo, hi)
        profile[seg] = -depth_under_chord(self.pts[seg], a, b)
        self._pog_profile = profile
        return i_pog, method

    def _labrale_inferius(self, i_prn: int, i_ls: int | None, i_li: int, i_pog: int | None) -> tuple[int, str]:
        """Labrale inferius: the lower lip's most prominent point in front of the E-line (Prn-Pog').

        The most anterior point of the lower lip in the face's own frame (annotators' Li, ISBI 2015), which
        does not move with the head's tilt. Searched between stomion's side of the lower lip (the most
        posterior point between the lips) and the labiomental fold; the lower lip's prominence in the head
        frame when the chin is missing.
        """
        self._li_profile = self.u
        if i_pog is None or i_pog <= i_li + 1:
            return i_li, "fallback: most anterior lower-lip point in the head frame (no chin)"
        lo = (
            i_ls + int(np.argmin(self.u[i_ls : i_li + 1]))
            if i_ls is not None
            else max(i_prn, i_li - self.arc(0.3 * self.scale))
        )
        seg_b = np.arange(i_li, i_pog + 1)
        hi = int(seg_b[int(np.argmax(depth_under_chord(self.pts[seg_b], self.pts[i_li], self.pts[i_pog])))])
        if hi - lo < 3:
            return i_li, "primary"
        seg = np.arange(lo, hi + 1)
        ahead = -depth_under_chord(self.sharp[seg], self.points[ProfilePoint.PRONASALE].xy, self.pts[i_pog])
        j = int(np.argmax(ahead))
        if j in (0, len(seg) - 1):
            return i_li, "fallback: most anterior lower-lip point in the head frame (no prominence over the E-line)"
        profile = np.full(len(self.pts), -np.inf)
        profile[seg] = ahead
        self._li_profile = profile
        return int(seg[j]), "primary"

    def _put_extremum(self, p: ProfilePoint, i: int, u: np.ndarray, *, maximum: bool, method: str = "primary") -> None:
        f = u if maximum else -u
        w = self.arc(0.3 * self.scale)
        lo, hi = max(0, i - w), min(len(f), i + w + 1)
        # Profiles defined on part of the outline only (-inf elsewhere) count over their finite part.
        left_values = f[lo : i + 1][np.isfinite(f[lo : i + 1])]
        right_values = f[i:hi][np.isfinite(f[i:hi])]
        left = f[i] - float(left_values.min())
        right = f[i] - float(right_values.min())
        self._prominence[p] = min(left, right)
        self.put(
            p,
            i,
            sigma_along=_ambiguity_px(f, i, self.noise, self.spacing, lo, hi),
            prominence=min(left, right),
            threshold=self.tau,
            method=method,
        )

    def _chin_fallback(self, start: int, end: int) -> int | None:
        """Contact point of the support line tilted down by the smallest angle that touches the chin.

        Searched from 0.2 S of arc below ``start`` (the lower lip) to ``end`` (the submental line).
        """
        u, v = self.u, self.v
        start = start + self.arc(0.2 * self.scale)
        if end - start < 3:
            return None
        for deg in range(0, 60, 5):
            t = math.radians(deg)
            f = u[start:end] * math.cos(t) + v[start:end] * math.sin(t)
            j = int(np.argmax(f))
            if 0 < j < len(f) - 1:
                return start + j
        return None

    def _subnasale(self, i_prn: int, i_ls: int | None) -> None:
        S = self.scale
        hi = i_ls if i_ls is not None else min(len(self.pts), i_prn + self.arc(0.8 * S))
        lo = i_prn + self.arc(0.05 * S)
        k = max(2, min(self.arc(SUBNASALE_ARM_S * S), (hi - lo) // 2))
        # Of the concave corners between the nose and the upper lip (the columella-lip junction, the
        # upper-lip hollow, a vermilion notch), subnasale is the one deepest behind the Prn-Ls chord.
        corners = [c for c in _concave_corners(self.pts, lo, hi, k) if c[1] <= SUBNASALE_MAX_ANGLE_DEG]
        if not corners:
            self.missing[ProfilePoint.SUBNASALE] = "no columella-lip corner below the nose"
            return
        depth_prn_ls = depth_under_chord(self.pts[[c[0] for c in corners]], self.pts[i_prn], self.pts[hi - 1])
        i0 = corners[int(np.argmax(depth_prn_ls))][0]
        a, b = max(0, i0 - k), min(len(self.pts) - 1, i0 + k)
        seg = np.arange(a + 1, b)
        depth = depth_under_chord(self.pts[seg], self.pts[a], self.pts[b])
        j = int(np.argmax(depth))
        i_sn = int(seg[j])
        full = np.full(len(self.pts), -np.inf)
        full[seg] = depth
        self.put(
            ProfilePoint.SUBNASALE,
            i_sn,
            sigma_along=_ambiguity_px(full, i_sn, self.noise, self.spacing, int(seg[0]), int(seg[-1]) + 1),
            prominence=float(depth[j]),
            threshold=self.tau,
        )
        self._columella_and_s_point(i_prn, i_sn)

    def _columella_and_s_point(self, i_prn: int, i_sn: int) -> None:
        """The columella (tangent from subnasale to the nose's lower border) and the S-curve midpoint, from
        the located subnasale (at outline index ``i_sn``; its position may lie off the outline)."""
        S = self.scale
        self.missing.pop(ProfilePoint.COLUMELLA, None)
        # Columella: tangent from Sn to the lower border of the nose (all of it lies above the tangent).
        hi_c = i_sn - self.arc(0.06 * S)
        if hi_c - i_prn >= 2:
            seg_c = np.arange(i_prn, hi_c)[::-1]
            d = self.frame.to_frame(self.pts[seg_c]) - self.frame.to_frame(self.points[ProfilePoint.SUBNASALE].xy)
            elevation = np.arctan2(-d[:, 1], d[:, 0])
            jj = int(np.argmin(elevation))
            r = float(np.hypot(*d[jj]))
            self.put(
                ProfilePoint.COLUMELLA,
                int(seg_c[jj]),
                sigma_along=_ambiguity_px(-elevation, jj, self.noise / max(r, 1.0), self.spacing, 0, len(seg_c)),
                prominence=self.tau * 3,
                threshold=self.tau,
            )
        else:
            self.points.pop(ProfilePoint.COLUMELLA, None)
            self.missing[ProfilePoint.COLUMELLA] = "the columella is too short on the outline"
        # Steiner's S-line point: midpoint by arc length between Sn and Prn.
        mid = (i_prn + i_sn) // 2
        self.put(
            ProfilePoint.S_CURVE_MIDPOINT,
            mid,
            sigma_along=float(
                np.hypot(self.points[ProfilePoint.SUBNASALE].sigma_px, self.points[ProfilePoint.PRONASALE].sigma_px)
            )
            / 2,
            prominence=self.tau * 3,
            threshold=self.tau,
        )

    def _menton_and_neck(self, i_pog: int) -> None:
        S, n = self.scale, len(self.pts)
        stop = min(n, i_pog + self.arc(1.5 * S))
        phi = self._tangent_angle()
        turned = np.flatnonzero(phi[i_pog:stop] <= -MENTON_TANGENT_DEG)
        if turned.size == 0:
            for p in (ProfilePoint.MENTON, ProfilePoint.CERVICAL_POINT):
                self.missing[p] = "the outline does not turn under the chin"
            return
        i_me = i_pog + int(turned[0])
        # Along-outline ambiguity of a tangent point: the arc over which the direction stays within the
        # angle the outline noise can tilt it (noise over a 0.1 S chord).
        tol = math.degrees(self.noise / max(0.1 * S, 1.0))
        lo, hi = max(i_pog, i_me - self.arc(0.3 * S)), min(stop, i_me + self.arc(0.3 * S))
        closeness = -np.abs(phi - (-MENTON_TANGENT_DEG))
        self.put(
            ProfilePoint.MENTON,
            i_me,
            sigma_along=_ambiguity_px(closeness, i_me, tol, self.spacing, lo, hi),
            prominence=self.tau * 3,
            threshold=self.tau,
        )
        k = self.arc(CERVICAL_ARM_S * S)
        lo, hi = i_me + self.arc(0.2 * S), min(n, i_me + self.arc(1.6 * S))
        corner = _sharpest_concave_corner(self.pts, lo, hi, k)
        if corner is None:
            self.missing[ProfilePoint.CERVICAL_POINT] = "no submental-neck angle (or the outline ends before it)"
            return
        i_c, _ = corner
        a, b = max(0, i_c - k), min(n - 1, i_c + k)
        seg = np.arange(a + 1, b)
        depth = depth_under_chord(self.pts[seg], self.pts[a], self.pts[b])
        full = np.full(n, -np.inf)
        full[seg] = depth
        self.put(
            ProfilePoint.CERVICAL_POINT,
            i_c,
            sigma_along=_ambiguity_px(full, i_c, self.noise, self.spacing, int(seg[0]), int(seg[-1]) + 1),
            prominence=float(depth.max()),
            threshold=self.tau,
        )
        i_neck = i_c + self.arc(0.6 * S)
        if i_neck < n:
            self.put(ProfilePoint.NECK_TANGENT, i_neck, sigma_along=0.0, prominence=self.tau * 3, threshold=self.tau)
        else:
            self.missing[ProfilePoint.NECK_TANGENT] = "the outline ends too close below the cervical point"


def locate_landmarks(
    outline_px: np.ndarray,
    *,
    tilt_deg: float | None = 0.0,
    noise_px: float = 0.5,
    nose_hint: NoseHint | None = None,
    midline_prior: MidlinePrior | None = None,
) -> ProfileLandmarks:
    """Locate the soft-tissue profile landmarks on an outline.

    Parameters
    ----------
    outline_px : ndarray of shape (N, 2)
        The profile outline in canonical image pixels (face toward +x, y down), ordered from the top of
        the head to the neck; any spacing (it is resampled).
    tilt_deg : float or None
        Head tilt of the frame (see :class:`~facebalance.profile.frame.ProfileFrame`); 0 for a photo or
        cephalogram taken with the Frankfort horizontal level. ``None``: the head's tilt is not known (a
        photo taken outside the clinic) and is estimated from the profile itself, taking the soft-tissue
        facial line N'-Pog' as perpendicular to the Frankfort plane (``frame_estimated`` is then set).
    noise_px : float
        One-sigma noise of the outline across itself, pixels (segmentation or edge-trace noise).
    nose_hint : NoseHint, optional
        Where the nose tip roughly is; without it pronasale is the most anterior point of the outline's
        upper three quarters.
    midline_prior : MidlinePrior, optional
        The face mesh's midline points of a turned head: subnasale, the lips and stomion are then placed on
        the midline from the outline and the mesh (:class:`MidlinePrior`), not on the silhouette.

    Returns
    -------
    ProfileLandmarks

    Raises
    ------
    ProfileNotReadable
        No nose or no nasofrontal angle on the outline (the core points every other one hangs on).

    Examples
    --------
    A stick-figure profile: forehead, nasion hollow, nose, lips and chin.

    >>> xs = [0, 20, 14, 10, 60, 20, 24, 30, 24, 28, 24, 34, 28, -20, -25, -25]
    >>> ys = [0, 60, 95, 110, 170, 180, 200, 215, 225, 240, 255, 280, 300, 305, 340, 400]
    >>> outline = resample_polyline(np.column_stack([xs, ys]).astype(float), 1.0)
    >>> lm = locate_landmarks(outline)
    >>> [round(float(c)) for c in lm.xy(ProfilePoint.PRONASALE)]
    [59, 170]
    """
    pts = np.asarray(outline_px, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 20 or not np.isfinite(pts).all():
        raise ProfileNotReadable(
            "The profile outline is empty or malformed.",
            hint="Use a lateral photo of the head against a plain backdrop.",
        )
    extent = float(np.ptp(pts[:, 1]))
    spacing = max(1.0, extent / 1500.0)
    outline = resample_polyline(pts, spacing)
    if tilt_deg is None:
        loc = _locate_in_own_frame(outline, noise_px, spacing, nose_hint)
    else:
        loc = _locate(outline, tilt_deg, noise_px, spacing, nose_hint)
    if midline_prior is not None:
        _apply_midline_prior(loc, midline_prior)
    for p in ProfilePoint:
        if p not in loc.points:
            loc.missing.setdefault(p, "not located")
    return ProfileLandmarks(
        outline=loc.pts,
        frame=loc.frame,
        points=loc.points,
        scale_px=loc.scale,
        missing={p: r for p, r in loc.missing.items() if p not in loc.points},
        frame_estimated=tilt_deg is None,
    )


def _apply_midline_prior(loc: _Locator, prior: MidlinePrior) -> None:
    """Place the prior's points on the midline (see :class:`MidlinePrior`), replacing the outline's."""
    for p, mid in prior.points.items():
        offset = mid.silhouette_xy - mid.xy
        w = float(np.clip(mid.mesh_weight, 0.0, 1.0))
        if w == 0.0:
            located = loc.points.get(p)
            if located is not None:
                loc.points[p] = dataclasses.replace(
                    located, xy=located.xy - offset, method=f"{located.method}, moved to the face mesh's midline"
                )
            continue
        d = np.hypot(*(loc.pts - mid.silhouette_xy).T)
        j = int(np.argmin(d))
        if d[j] <= prior.reach_px:
            xy = w * np.asarray(mid.xy, dtype=np.float64) + (1.0 - w) * (loc.pts[j] - offset)
            method = "midline prior: the outline moved to the face mesh's midline, averaged with it"
        else:
            xy = np.asarray(mid.xy, dtype=np.float64).copy()
            method = "fallback: the face mesh's midline point (no outline near its silhouette)"
        sigma = math.hypot(loc.noise, prior.sigma_px)
        loc.points[p] = LocatedPoint(
            p,
            xy,
            int(np.argmin(np.hypot(*(loc.pts - xy).T))),
            sigma,
            _confidence(3.0 * loc.tau, loc.tau, sigma, loc.scale, fallback=method.startswith("fallback")),
            method,
        )
        loc.missing.pop(p, None)
    # The columella and the S-curve midpoint hang on subnasale: taken again from the placed one.
    sn, prn = loc.points.get(ProfilePoint.SUBNASALE), loc.points.get(ProfilePoint.PRONASALE)
    if ProfilePoint.SUBNASALE in prior.points and sn is not None and prn is not None and sn.index > prn.index:
        loc._columella_and_s_point(prn.index, sn.index)


def _locate(
    outline: np.ndarray, tilt_deg: float, noise_px: float, spacing: float, hint: NoseHint | None = None
) -> _Locator:
    loc = _Locator(outline, ProfileFrame(tilt_deg), noise_px, spacing, hint)
    loc.coarse()
    loc.fine()
    return loc


def _implied_tilt_deg(loc: _Locator) -> float | None:
    """The tilt that puts soft-tissue pogonion straight below the nasion (natural head position), or None."""
    pog = loc.points.get(ProfilePoint.SOFT_TISSUE_POGONION)
    nasion = loc.points.get(ProfilePoint.SOFT_TISSUE_NASION)
    if pog is None or nasion is None or pog.method != "primary":
        return None
    d = pog.xy - nasion.xy
    return math.degrees(math.atan2(d[0], d[1])) if d[1] > 0 else None


def _core_count(loc: _Locator) -> int:
    return sum(p in loc.points for p in _CORE)


def _locate_in_own_frame(
    outline: np.ndarray, noise_px: float, spacing: float, hint: NoseHint | None = None
) -> _Locator:
    """Locate in the head frame of natural head position estimated from the profile itself.

    In natural head position the soft-tissue facial line N'-Pog' is close to perpendicular to the
    Frankfort plane (soft-tissue facial angle about 90 degrees), so the tilt that puts Pog' straight below
    N' is taken as the head's. Starting from each of :data:`TILT_STARTS_DEG`, the tilt is re-estimated from
    the points it gives until it settles; of the settled readings the one locating the most core points
    (the first on ties, the level start first) is kept.
    """
    best: _Locator | None = None
    error: ProfileNotReadable | None = None
    for start in TILT_STARTS_DEG:
        tilt = start
        loc: _Locator | None = None
        for _ in range(TILT_ITERATIONS):
            try:
                loc = _locate(outline, tilt, noise_px, spacing, hint)
            except ProfileNotReadable as exc:
                error = error or exc
                loc = None
                break
            implied = _implied_tilt_deg(loc)
            if implied is None or abs(implied) > MAX_TILT_DEG:
                break
            settled = abs(implied - tilt) < TILT_SETTLED_DEG
            tilt = implied
            if settled:
                break
        if loc is not None and (best is None or _core_count(loc) > _core_count(best)):
            best = loc
        if best is not None and _core_count(best) == len(_CORE):
            break
    if best is None:
        raise error or ProfileNotReadable(
            "The profile outline could not be read.", hint="Use a lateral photo of the face against a plain backdrop."
        )
    return best


#: Core points a reading is judged by when the head frame is estimated.
_CORE = (
    ProfilePoint.PRONASALE,
    ProfilePoint.SUBNASALE,
    ProfilePoint.LABRALE_SUPERIUS,
    ProfilePoint.LABRALE_INFERIUS,
    ProfilePoint.SOFT_TISSUE_POGONION,
)
#: Starting tilts (degrees, chin raised positive) of the head-frame estimate, most likely first.
TILT_STARTS_DEG = (0.0, -20.0, 20.0, -35.0)
#: Re-estimations from one start, and the change below which the tilt counts as settled (degrees).
TILT_ITERATIONS = 4
TILT_SETTLED_DEG = 1.0
#: A head tilted further than this (degrees) is not taken from the profile.
MAX_TILT_DEG = 45.0
