"""Reading the profile outline of a lateral photo: the studio silhouette, or a search where there is none.

:func:`facebalance.profile.analysis.analyze_profile` asks this module for the photo's outline:

* **Studio photo** (plain backdrop, the whole head in the frame, the silhouette reads as a profile): the
  front of the person mask, refined on the full-resolution photo (:mod:`facebalance.profile.contour`), read
  in the frame the protocol fixes (natural head position).
* **Any other photo** (a room, a crowd, a tight crop, a head turned 60-90 degrees, glasses, a beard): the
  face region is found (:mod:`facebalance.profile.facefinder`: face mesh, profile-face detector, or the
  frame), the edge is searched in it (:mod:`facebalance.profile.search`: image edges, the person mask and
  the mesh's midline as priors), refined on the full-resolution photo, and read in the head frame
  estimated from the profile itself. When nothing says which way the face looks, both ways are read and
  the one that shows a nose, lips and a chin is kept.

What is refused and why (:func:`check_in_frame`): only a photo whose nose, lips or chin are not in it, saying
which. A busy backdrop is no longer a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from facebalance.profile.assessment import ProfileAssessment
from facebalance.profile.contour import (
    TracedOutline,
    backdrop_texture,
    outline_from_mask,
    refine_outline,
    touches_front_edge,
)
from facebalance.profile.errors import HeadCutOff, NoPersonFound, ProfileNotReadable
from facebalance.profile.facefinder import (
    Landmarker,
    ProfileFaceDetector,
    find_turned_face,
    midline_prior,
    midline_prior_table,
    region_from_box,
    region_from_frame,
    region_from_mask,
    region_from_mesh,
)
from facebalance.profile.frame import Facing, canonical_image
from facebalance.profile.landmarks import MidlinePrior, NoseHint, ProfileLandmarks, ProfilePoint
from facebalance.profile.search import WORK_FACE_PX, EdgePath, FaceRegion, refine_on_ribbon, trace_profile_edge
from facebalance.profile.segmentation import PersonMask
from facebalance.profile.vermilion import lower_vermilion_border
from facebalance.vision import FaceMesh

#: Backdrop detail (see contour.backdrop_texture) up to which a photo is read as a studio photo.
PLAIN_BACKDROP_TEXTURE = 6.0
#: Least fraction of a studio outline that must sit on a found edge.
MIN_EDGE_FOUND_FRACTION = 0.6
#: The selfie model's input grid (pixels on the long side); its edge error is a pixel or two of it.
MODEL_GRID_PX = 256
#: Pronasale is searched within this fraction of the face length of the region's nose tip: the mesh's
#: nose tip is within about 0.05 of it (0.09 at the 90th percentile); a detector box or the frame is rougher.
NOSE_HINT_RADIUS = {"face mesh": 0.15, "profile detector": 0.25, "person mask": 0.2, "frame": 0.3}
#: The searched path is moved onto the full photo's edge within this many working pixels, then polished
#: within this many photo pixels.
RIBBON_HALF_WIDTH = 4.0
POLISH_SEARCH_PX = 2.0
#: Longer side of the copy the face landmarker looks at.
MESH_LONG_SIDE_PX = 1280

#: The points a reading needs to count as a profile, and what they are called in a refusal.
CORE_POINTS = (
    ProfilePoint.PRONASALE,
    ProfilePoint.SUBNASALE,
    ProfilePoint.LABRALE_SUPERIUS,
    ProfilePoint.LABRALE_INFERIUS,
    ProfilePoint.SOFT_TISSUE_POGONION,
)


@dataclass(frozen=True)
class OutlineReading:
    """One way of reading the photo's outline, ready for the landmark step.

    Attributes
    ----------
    outline : TracedOutline
        Canonical pixels (face toward +x) of the analysed photo.
    facing : {"left", "right"}
    method : str
        ``"studio silhouette"`` or ``"edge search (<region source>)"``.
    tilt_deg : float or None
        The head frame's tilt to read in; ``None`` to estimate it from the profile.
    nose_hint : NoseHint or None
    mesh : FaceMesh or None
        The face mesh that held (canonical orientation), for the yaw.
    contradicted : bool
        A face mesh on the canonical photo looks the other way (the reading's side is then wrong).
    path : EdgePath or None
        The searched edge (working-resolution path, canonical pixels), for judging the reading.
    midline_prior : MidlinePrior or None
        The face mesh's midline points (where the mesh held), for the points whose silhouette is formed off
        the midline on a turned head.
    """

    outline: TracedOutline
    facing: Facing
    method: str
    tilt_deg: float | None
    nose_hint: NoseHint | None
    mesh: FaceMesh | None
    contradicted: bool = False
    path: EdgePath | None = None
    midline_prior: MidlinePrior | None = None


def _reduced(rgb: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    h, w = rgb.shape[:2]
    s = max(h, w) / long_side
    if s <= 1.0:
        return rgb, 1.0
    small = cv2.resize(rgb, (max(1, round(w / s)), max(1, round(h / s))), interpolation=cv2.INTER_AREA)
    return small, w / small.shape[1]


def studio_outline(rgb: np.ndarray, mask: np.ndarray, scale: float, facing: Facing) -> TracedOutline | None:
    """The refined front of a canonical person mask on a plain backdrop, or ``None`` when that does not hold.

    ``None`` when the backdrop is not plain, the mask has no head-and-shoulders region, the head runs off
    the top of the photo, or the refined edge covers too little of the outline.
    """
    grid = cv2.resize(rgb, (mask.shape[1], mask.shape[0]), interpolation=cv2.INTER_AREA)
    grid = canonical_image(grid, facing)
    if backdrop_texture(grid, mask) > PLAIN_BACKDROP_TEXTURE:
        return None
    try:
        coarse = outline_from_mask(mask, scale=scale)
    except (HeadCutOff, NoPersonFound):
        return None
    search = max(4.0, 2.0 * max(rgb.shape[:2]) / MODEL_GRID_PX)
    outline = refine_outline(rgb, coarse, search_px=search, mirrored=facing == "left")
    return outline if outline.edge_found_fraction >= MIN_EDGE_FOUND_FRACTION else None


def face_region(
    canonical: np.ndarray,
    *,
    landmarker: Landmarker,
    detector: ProfileFaceDetector,
    person: PersonMask | None = None,
) -> tuple[FaceRegion, FaceMesh | None]:
    """Where the face is on a canonical photo: the face mesh, else the profile detector, else the front of
    the person mask (canonical), else the frame."""
    small, factor = _reduced(canonical, MESH_LONG_SIDE_PX)
    faces = landmarker.detect(small)
    mesh = faces[0] if faces else find_turned_face(landmarker, small)
    h, w = canonical.shape[:2]
    if mesh is not None:
        pts = np.array(mesh.landmarks_px, dtype=np.float64, copy=True)
        pts[:, :2] = (pts[:, :2] + 0.5) * factor - 0.5
        mesh = FaceMesh(
            landmarks_px=pts, blendshapes=mesh.blendshapes, transformation=mesh.transformation, pose=mesh.pose
        )
        return region_from_mesh(pts, "right", w), mesh
    found = detector.detect(canonical)
    if found is not None and found.facing == "right":
        return region_from_box(found.canonical_box(w)), None
    if person is not None:
        from_mask = region_from_mask(person.confidence >= 0.5, person.scale)
        if from_mask is not None:
            return from_mask, None
    return region_from_frame(w, h), None


def searched_outline(
    rgb: np.ndarray,
    facing: Facing,
    *,
    person: PersonMask | None,
    landmarker: Landmarker,
    detector: ProfileFaceDetector,
    tilt_deg: float | None,
) -> OutlineReading:
    """Search the profile edge of a photo (as taken) whose face looks ``facing``.

    ``person`` is the person mask of the canonical photo, or ``None``.
    """
    canonical = canonical_image(rgb, facing)
    region, mesh = face_region(canonical, landmarker=landmarker, detector=detector, person=person)
    path = trace_profile_edge(canonical, region, person=None if person is None else person.confidence)
    factor = min(1.0, WORK_FACE_PX / max(region.face_px, 1.0))
    # The working copy's path onto the full photo's edge: across a band of a few working pixels, then the
    # sub-pixel edge crossing.
    on_edge = refine_on_ribbon(canonical, path.points_px, RIBBON_HALF_WIDTH / factor + 2.0)
    outline = refine_outline(rgb, on_edge, search_px=POLISH_SEARCH_PX, mirrored=facing == "left")
    outline = _within_photo(outline, canonical.shape)
    hint = NoseHint(np.asarray(region.pronasale_xy), NOSE_HINT_RADIUS.get(region.source, 0.3) * region.face_px)
    # In the canonical orientation the face looks to +x: a mesh turned the other way (yaw below zero) says
    # this side is the back of the head.
    contradicted = mesh is not None and mesh.pose.yaw_deg < 0
    prior = None
    if mesh is not None:
        # The mesh's lower-lip vertex moved to the height of the vermilion border the photo shows.
        prior = lower_vermilion_border(
            canonical, outline.points_px, midline_prior(mesh.landmarks_px), midline_prior_table()["vermilion"]
        )
    return OutlineReading(
        outline, facing, f"edge search ({region.source})", tilt_deg, hint, mesh, contradicted, path, prior
    )


def _within_photo(outline: TracedOutline, shape: tuple[int, ...]) -> TracedOutline:
    """The longest stretch of a searched outline that does not run along the photo's edges.

    Where the face leaves the photo the search follows the image border; that stretch is not the face
    (a chin cut off at the bottom would otherwise read as a chin turning under).
    """
    pts = outline.points_px
    margin = max(1.5, 0.003 * max(shape[:2]))
    inside = ~_at_border(pts, shape, margin)
    if inside.all() or not inside.any():
        return outline
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(np.int8), [0]])))
    starts, stops = edges[::2], edges[1::2]
    k = int(np.argmax(stops - starts))
    return TracedOutline(
        points_px=pts[starts[k] : stops[k]],
        noise_px=outline.noise_px,
        source=outline.source,
        edge_found_fraction=outline.edge_found_fraction,
    )


def read_best(
    readings: list[Callable[[], OutlineReading]],
    assess: Callable[[OutlineReading], ProfileAssessment],
    *,
    exhaustive: bool = False,
    preferred: Facing | None = None,
) -> tuple[OutlineReading, ProfileAssessment]:
    """The first reading whose landmarks hold every core point, else the one holding the most.

    Each reading is made only when needed. With ``exhaustive`` (the side is not known) every reading is
    made and the one that looks most like the face's side is kept (:func:`_score`; ``preferred``, the side a
    profile-face detector saw, counts a little). Raises the
    first reading's :class:`ProfileNotReadable` when none can be read at all.
    """
    best: tuple[OutlineReading, ProfileAssessment] | None = None
    error: ProfileNotReadable | None = None
    for make in readings:
        reading = make()
        try:
            assessment = assess(reading)
        except ProfileNotReadable as exc:
            error = error or exc
            continue
        if best is None or _score(reading, assessment.landmarks, preferred) > _score(
            best[0], best[1].landmarks, preferred
        ):
            best = (reading, assessment)
        if not exhaustive and _core(best[1].landmarks) == len(CORE_POINTS):
            break
    if best is None:
        assert error is not None
        raise error
    return best


def _score(
    reading: OutlineReading, landmarks: ProfileLandmarks, preferred: Facing | None = None
) -> tuple[bool, bool, float]:
    """How much a reading looks like the face's side: no face mesh looking the other way, a face mesh
    looking this way, then the edge's strength from the nasion to the chin plus the core points found (the
    back of the head gives a weaker, patchier edge than the profile, and fewer of them)."""
    confirmed = reading.mesh is not None and not reading.contradicted
    bonus = DETECTOR_SIDE_BONUS if reading.facing == preferred else 0.0
    return not reading.contradicted, confirmed, _edge_support(reading, landmarks) + 0.05 * _core(landmarks) + bonus


#: What the profile-face detector's side adds to a reading's score (mean edge scores are 0.5-0.9).
DETECTOR_SIDE_BONUS = 0.1


def _edge_support(reading: OutlineReading, landmarks: ProfileLandmarks) -> float:
    """Mean edge score of the searched path between the located nasion and chin (1 for a studio outline)."""
    if reading.path is None:
        return 1.0
    lm = landmarks.points
    top = lm.get(ProfilePoint.SOFT_TISSUE_NASION)
    bottom = lm.get(ProfilePoint.SOFT_TISSUE_POGONION)
    path = reading.path.points_px
    if top is None or len(path) == 0:
        return 0.0
    end = bottom.xy if bottom is not None else landmarks.outline[-1]
    a, b = (int(np.argmin(np.hypot(*(path - xy).T))) for xy in (top.xy, end))
    lo, hi = min(a, b), max(a, b)
    return float(reading.path.support[lo : hi + 1].mean())


def _core(landmarks: ProfileLandmarks) -> int:
    return sum(p in landmarks.points for p in CORE_POINTS)


def _at_border(pts: np.ndarray, shape: tuple[int, ...], margin: float) -> np.ndarray:
    h, w = shape[:2]
    return (pts[:, 0] <= margin) | (pts[:, 1] <= margin) | (pts[:, 0] >= w - 1 - margin) | (pts[:, 1] >= h - 1 - margin)


def check_in_frame(landmarks: ProfileLandmarks, outline: TracedOutline, shape: tuple[int, ...]) -> None:
    """Refuse a profile whose nose, lips or chin are not in the photo, saying which.

    A point that is in the photo but was not located is not a reason: the analysis reports it missing.

    Parameters
    ----------
    landmarks : ProfileLandmarks
    outline : TracedOutline
        The outline they were located on (canonical pixels).
    shape : tuple
        The analysed photo's shape (canonical: its width is where the face looks).

    Raises
    ------
    HeadCutOff
        The nose tip, the lips or the chin at the edge the face looks toward; the lips missing with the
        outline below the nose running along the photo's edges; the chin missing with the bottom of the
        photo closer below the nose tip than a chin reaches.
    """
    h, w = shape[:2]
    margin = max(2.0, 0.004 * max(h, w))
    lm = landmarks.points
    prn = lm[ProfilePoint.PRONASALE]
    scale = landmarks.scale_px
    if prn.xy[0] >= w - 1 - margin:
        raise HeadCutOff(
            "The face is cut off at the edge of the photo it looks toward: the nose tip is not in it.",
            hint="Retake the profile with space in front of the nose, lips and chin.",
        )
    pog = lm.get(ProfilePoint.SOFT_TISSUE_POGONION)
    step = float(np.median(np.hypot(*np.diff(landmarks.outline, axis=0).T))) or 1.0
    end = pog.index if pog is not None else prn.index + round(CHIN_BELOW_TIP_S * scale / step)
    if touches_front_edge(landmarks.outline[prn.index : end + 1], w):
        raise HeadCutOff(
            "The face is cut off at the edge of the photo it looks toward: the lips or the chin run off it.",
            hint="Retake the profile with space in front of the nose, lips and chin.",
        )
    pts = outline.points_px
    lips = (ProfilePoint.LABRALE_SUPERIUS, ProfilePoint.LABRALE_INFERIUS)
    below_nose = pts[pts[:, 1] > prn.xy[1]]
    if all(p not in lm for p in lips) and below_nose.size and _at_border(below_nose, shape, margin).mean() > 0.5:
        raise HeadCutOff(
            "The lips are cut off: below the nose the outline runs along the edge of the photo.",
            hint="Retake the profile with the lips and the chin in the frame.",
        )
    if pog is None and (h - 1) - prn.xy[1] < CHIN_BELOW_TIP_S * scale:
        raise HeadCutOff(
            "The chin is cut off at the bottom edge of the photo.",
            hint="Retake the profile with the chin and the front of the neck in the frame.",
        )


#: Soft-tissue pogonion lies about 1.5 S below pronasale (S the nasion-to-tip length; the chin's lowest point
#: about 2 S): a photo ending less than this below the tip, with no chin found, has the chin cut off. A
#: photo that reaches further holds the chin's front, and a chin not found there is reported missing.
CHIN_BELOW_TIP_S = 1.6


def nose_root_cut_off(outline: TracedOutline, shape: tuple[int, ...]) -> bool:
    """Whether an outline without a nasofrontal angle starts at the top edge (the nose's root is cut off)."""
    margin = max(2.0, NOSE_ROOT_MARGIN * shape[0])
    return bool(len(outline.points_px)) and float(outline.points_px[:, 1].min()) <= margin


#: An outline without a nasofrontal angle that starts within this fraction of the height from the top
#: edge has the root of the nose cut off.
NOSE_ROOT_MARGIN = 0.02
