"""The profile path's entry point: a lateral photo in, a :class:`ProfileAnalysis` out.

``analyze_profile`` mirrors :func:`facebalance.analysis.analyze_photo`: it decodes the photo safely,
refuses a frontal or three-quarter view, segments the head from the backdrop, refuses a busy backdrop or a
cut-off head, traces and refines the profile outline on the full-resolution photo, and hands it to the
pure :func:`facebalance.profile.assessment.assess_profile`.

:func:`detect_view` tells a frontal photo from a left or right profile, for the CLI's ``analyze`` to pick
the path. The yaw limits between the views are the photo protocol's ``[checks.view_detection]``
(``session/data/protocol_default.toml``, or the clinic protocol the caller passes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

import cv2
import numpy as np

from facebalance.assessment import PatientContext
from facebalance.norms import NormSet, load_norm_set
from facebalance.photo import PhotoAnalysis
from facebalance.profile.assessment import ProfileAssessment, assess_profile
from facebalance.profile.calibration import FrontalReference, RulerDistance, ScaleSource
from facebalance.profile.contour import (
    MIN_PERSON_FRACTION,
    TracedOutline,
    backdrop_texture,
    outline_from_mask,
    refine_outline,
    touches_front_edge,
)
from facebalance.profile.errors import (
    BusyBackdrop,
    HeadCutOff,
    NoPersonFound,
    NotAProfileView,
    ProfileNotReadable,
)
from facebalance.profile.frame import Facing, mirror_x
from facebalance.profile.landmarks import ProfilePoint, locate_landmarks
from facebalance.profile.segmentation import PersonMask, PersonSegmenter
from facebalance.provenance import packaged_table
from facebalance.vision import FaceLandmarker, FaceMesh, LoadedImage, load_image

View = Literal["frontal", "profile_left", "profile_right", "unknown"]

#: Longer side a profile photo is decoded at: 24-36 MP camera frames stay at full resolution (the edge is
#: refined on them); larger frames are reduced by an integer factor.
PROFILE_DECODE_LONG_SIDE_PX = 6000
#: Longer side of the copy the face landmarker looks at (to tell a frontal photo from a profile).
VIEW_CHECK_LONG_SIDE_PX = 1280
#: Backdrop detail (see contour.backdrop_texture) above which the backdrop is too busy to trace against.
BUSY_BACKDROP_TEXTURE = 6.0
#: Least fraction of the outline that must sit on a found edge.
MIN_EDGE_FOUND_FRACTION = 0.6
#: A profile reading whose core landmarks score below this is not a profile.
MIN_PROFILE_SCORE = 0.5
#: The selfie model's input grid (pixels on the long side); its edge error is a pixel or two of it.
MODEL_GRID_PX = 256


class Segmenter(Protocol):
    """Anything that gives a person mask (the MediaPipe adapter, or a test double)."""

    def segment(self, rgb: np.ndarray) -> PersonMask: ...


@dataclass(frozen=True)
class ProfileAnalysis:
    """One analysed lateral photo.

    ``assessment`` holds canonical-orientation pixel coordinates of ``image.rgb`` (face toward +x);
    :meth:`to_original_px` maps them to pixels of the original photo as taken (upright).
    """

    source_name: str
    image: LoadedImage
    view: Literal["profile_left", "profile_right"]
    assessment: ProfileAssessment
    norms: NormSet
    backdrop_texture: float

    @property
    def facing(self) -> Facing:
        return "left" if self.view == "profile_left" else "right"

    def to_analysed_px(self, xy: np.ndarray) -> np.ndarray:
        """Canonical points (N, 2) to pixels of the analysed image (un-mirrored)."""
        pts = np.atleast_2d(np.asarray(xy, dtype=np.float64))
        return mirror_x(pts, self.image.rgb.shape[1]) if self.facing == "left" else pts

    def to_original_px(self, xy: np.ndarray) -> np.ndarray:
        """Canonical points (N, 2) to pixels of the original photo (full resolution, upright)."""
        return self.to_analysed_px(xy) * self.image.scale_to_full


def _reduced(rgb: np.ndarray, long_side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = max(h, w) / long_side
    if s <= 1.0:
        return rgb
    return cv2.resize(rgb, (max(1, round(w / s)), max(1, round(h / s))), interpolation=cv2.INTER_AREA)


def _profile_score(mask: np.ndarray) -> float:
    """How much a canonical mask's front outline reads as a face: mean confidence of its core landmarks."""
    try:
        run = outline_from_mask(mask)
        # A coarse mask's staircase edge is about half a grid pixel off; lips are a few grid pixels deep.
        lm = locate_landmarks(run, noise_px=0.5)
    except (ProfileNotReadable, HeadCutOff, NoPersonFound):
        return 0.0
    core = (
        ProfilePoint.PRONASALE,
        ProfilePoint.SUBNASALE,
        ProfilePoint.LABRALE_SUPERIUS,
        ProfilePoint.SOFT_TISSUE_POGONION,
    )
    # Mostly whether the core points exist at all (the back of the head has no nose, lips or chin); their
    # confidence, low on a coarse mask anyway, only breaks ties.
    located = [lm.points[p].confidence for p in core if p in lm.points]
    return len(located) / len(core) * (0.5 + 0.5 * float(np.mean(located))) if located else 0.0


def facing_from_mask(mask: np.ndarray) -> tuple[Facing | None, float]:
    """Which way a person mask's profile looks, from its outline alone.

    Both sides of the silhouette are read as a profile (the mask as given, and mirrored); the side whose
    outline shows a nose, a columella-lip corner, lips and a chin with the higher confidence is the face.

    Returns
    -------
    facing, score : {"left", "right"} or None, float
        ``None`` when neither side reads as a profile (score below :data:`MIN_PROFILE_SCORE`).
    """
    right = _profile_score(mask)
    left = _profile_score(np.ascontiguousarray(mask[:, ::-1]))
    best: Facing = "right" if right >= left else "left"
    score = max(right, left)
    return (best if score >= MIN_PROFILE_SCORE else None), score


@dataclass(frozen=True)
class ViewLimits:
    """Yaw limits between the views, from the photo protocol's ``[checks.view_detection]``.

    A face mesh turned at most ``frontal_max_yaw_deg`` is a frontal (or near-frontal) photo; one turned
    at least ``profile_min_yaw_deg`` is a profile, looking the way its yaw says.
    """

    frontal_max_yaw_deg: float
    profile_min_yaw_deg: float

    @classmethod
    def of(cls, protocol: HasLimits | None = None) -> ViewLimits:
        """The limits of ``protocol`` (a :class:`facebalance.session.protocol.Protocol`); the packaged
        default protocol's when not given (read as data: the session layer sits above the profile path).

        >>> ViewLimits.of()
        ViewLimits(frontal_max_yaw_deg=30.0, profile_min_yaw_deg=60.0)
        """
        if protocol is not None:
            return cls(
                float(protocol.limit("view_detection", "frontal_max_yaw_deg")),
                float(protocol.limit("view_detection", "profile_min_yaw_deg")),
            )
        checks = packaged_table("facebalance.session", "protocol_default.toml")["checks"]["view_detection"]
        return cls(float(checks["frontal_max_yaw_deg"]), float(checks["profile_min_yaw_deg"]))


class HasLimits(Protocol):
    """What :meth:`ViewLimits.of` needs of a photo protocol: its check limits by table and key."""

    def limit(self, check: str, key: str) -> Any: ...


def _faces(rgb: np.ndarray, landmarker: FaceLandmarker | None) -> list[FaceMesh]:
    """The face meshes on a reduced copy of the photo (enough to read the head's yaw)."""
    small = _reduced(rgb, VIEW_CHECK_LONG_SIDE_PX)
    if landmarker is None:
        with FaceLandmarker() as own:
            return own.detect(small)
    return landmarker.detect(small)


@contextmanager
def _open_segmenter(segmenter: Segmenter | None) -> Iterator[Segmenter]:
    """The caller's segmenter, or one opened here and closed after use."""
    if segmenter is not None:
        yield segmenter
        return
    with PersonSegmenter() as own:
        yield own


def _mesh_view(faces: list[FaceMesh], limits: ViewLimits) -> View:
    if not faces:
        return "unknown"
    yaw = min((f.pose.yaw_deg for f in faces), key=abs)
    if abs(yaw) <= limits.frontal_max_yaw_deg:
        return "frontal"
    if abs(yaw) >= limits.profile_min_yaw_deg:
        # Positive yaw: the patient turned to their left, the nose points to the image right.
        return "profile_right" if yaw > 0 else "profile_left"
    return "unknown"


def detect_view(
    rgb: np.ndarray,
    *,
    landmarker: FaceLandmarker | None = None,
    segmenter: Segmenter | None = None,
    limits: ViewLimits | None = None,
) -> View:
    """Whether an RGB photo is frontal, a left or right profile, or neither.

    A face mesh turned at most :attr:`ViewLimits.frontal_max_yaw_deg` is frontal. Otherwise (no mesh,
    which is the usual case on a true 90 degree profile, or a turned one) the person is segmented and both
    sides of the silhouette are read as a profile (:func:`facing_from_mask`). ``"profile_right"``: the nose
    points to the image right (the patient's right side faces the camera).

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
    landmarker, segmenter : optional
        Open models to reuse; opened and closed here otherwise.
    limits : ViewLimits, optional
        The yaw limits; the default photo protocol's when not given.
    """
    mesh_view = _mesh_view(_faces(rgb, landmarker), limits or ViewLimits.of())
    if mesh_view == "frontal":
        return "frontal"
    # The segmenter reduces the photo to its own grid; it gets the photo as analyze_profile gives it.
    with _open_segmenter(segmenter) as seg:
        person = seg.segment(rgb)
    mask = person.confidence >= 0.5
    if mask.mean() < MIN_PERSON_FRACTION:
        return "unknown"
    facing, _ = facing_from_mask(mask)
    if facing is None:
        return mesh_view
    return "profile_right" if facing == "right" else "profile_left"


def _check_view(faces: list[FaceMesh], limits: ViewLimits) -> View:
    view = _mesh_view(faces, limits)
    if view == "frontal":
        raise NotAProfileView(
            "The photo is a frontal view, not a profile.",
            hint="Give a lateral photo (the head turned 90 degrees, nose to one side of the frame), or analyse "
            "this photo with `facebalance analyze`.",
        )
    return view


def analyze_profile(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms: NormSet | None = None,
    norms_path: str | os.PathLike[str] | None = None,
    scale: ScaleSource | None = None,
    frontal: PhotoAnalysis | None = None,
    alar_crease_px: tuple[float, float] | None = None,
    tilt_deg: float = 0.0,
    facing: Facing | None = None,
    landmarker: FaceLandmarker | None = None,
    segmenter: Segmenter | None = None,
    limits: ViewLimits | None = None,
) -> ProfileAnalysis:
    """Analyse one lateral (profile) clinical photo.

    Parameters
    ----------
    source : path, bytes or binary file
        JPEG, PNG, WebP or HEIC photo of a left or right profile against a plain backdrop.
    sex, ethnicity : str, optional
        Select sex- and population-specific norms.
    norms, norms_path
        A loaded norm set, or a clinic TOML file layered over the default.
    scale : ScaleSource, optional
        A ruler (:class:`~facebalance.profile.calibration.RulerDistance`, points in pixels of the original
        photo) or a caliper distance between two landmarks
        (:class:`~facebalance.profile.calibration.LandmarkDistance`).
    frontal : PhotoAnalysis, optional
        The same session's frontal analysis: its scale is carried over (ignored when ``scale`` is given).
    alar_crease_px : (x, y), optional
        The alar crease in pixels of the original photo, for the Goode ratio.
    tilt_deg : float
        Known head tilt (chin raised positive); 0 for a photo in natural head position.
    facing : {"left", "right"}, optional
        Which way the nose points; found from the photo when not given.
    landmarker, segmenter : optional
        Open models to reuse across photos.
    limits : ViewLimits, optional
        The yaw limits between the views; the default photo protocol's when not given.

    Raises
    ------
    facebalance.errors.FacebalanceError
        ``NotAProfileView`` (a frontal photo), ``NoPersonFound``, ``BusyBackdrop``, ``HeadCutOff``,
        ``ProfileNotReadable``, ``CalibrationError``, or an image input error.
    """
    if sex not in (None, "female", "male"):
        raise ValueError(f"sex must be 'female', 'male' or None, not {sex!r}")
    image = load_image(source, long_side_px=PROFILE_DECODE_LONG_SIDE_PX)
    norm_set = norms or load_norm_set(Path(norms_path) if norms_path is not None else None)
    mesh_view = _check_view(_faces(image.rgb, landmarker), limits or ViewLimits.of())
    with _open_segmenter(segmenter) as seg:
        facing, person = _segment_person(image.rgb, seg, mesh_view, facing)
    outline, texture, search_px = _trace_outline(image.rgb, person, facing)
    assessment = assess_profile(
        outline,
        norms=norm_set,
        patient=PatientContext(sex=sex, ethnicity=ethnicity),
        scale=_canonical_scale(scale, frontal, image, facing),
        tilt_deg=tilt_deg,
        alar_crease_xy=None
        if alar_crease_px is None
        else _original_to_canonical(np.array(alar_crease_px, dtype=np.float64), image, facing),
    )
    _check_head_in_frame(assessment, outline, image.rgb.shape, search_px)
    if frontal is not None and scale is not None:
        assessment.warnings.append("A known distance was given: it was used instead of the frontal photo's scale.")
    name = Path(source).name if isinstance(source, str | os.PathLike) else "<upload>"
    view: Literal["profile_left", "profile_right"] = "profile_left" if facing == "left" else "profile_right"
    return ProfileAnalysis(
        source_name=name, image=image, view=view, assessment=assessment, norms=norm_set, backdrop_texture=texture
    )


def _segment_person(
    rgb: np.ndarray, segmenter: Segmenter, mesh_view: View, facing: Facing | None
) -> tuple[Facing, PersonMask]:
    """The person against the backdrop and the way the face looks (given, from the mesh, or from the
    silhouette); a left profile is segmented mirrored, so it is read exactly as its mirror image would be."""
    person = segmenter.segment(rgb)
    if (person.confidence >= 0.5).mean() < MIN_PERSON_FRACTION:
        raise NoPersonFound(
            "No person was found against the backdrop.",
            hint="Use a lateral photo of the patient's head and shoulders against a plain backdrop.",
        )
    if facing is None:
        if mesh_view in ("profile_left", "profile_right"):
            facing = "left" if mesh_view == "profile_left" else "right"
        else:
            facing, _ = facing_from_mask(person.confidence >= 0.5)
        if facing is None:
            raise NotAProfileView(
                "The photo is neither a frontal view nor a readable profile (a three-quarter view, or the "
                "face outline is hidden).",
                hint="Retake the profile at 90 degrees with the nose, lips and chin clear against the backdrop.",
            )
    if facing == "left":
        person = segmenter.segment(np.ascontiguousarray(rgb[:, ::-1]))
    return facing, person


def _trace_outline(rgb: np.ndarray, person: PersonMask, facing: Facing) -> tuple[TracedOutline, float, float]:
    """The profile outline refined on the full-resolution photo (canonical: face toward +x), the backdrop's
    texture and the edge search distance in pixels; refuses a busy backdrop or an untraceable edge."""
    mask = person.confidence >= 0.5
    grid = cv2.resize(rgb, (mask.shape[1], mask.shape[0]), interpolation=cv2.INTER_AREA)
    if facing == "left":
        grid = np.ascontiguousarray(grid[:, ::-1])
    texture = backdrop_texture(grid, mask)
    if texture > BUSY_BACKDROP_TEXTURE:
        raise BusyBackdrop(
            f"The backdrop behind the profile is not plain (detail {texture:.0f}, at most {BUSY_BACKDROP_TEXTURE:.0f} "
            "for tracing the outline).",
            hint="Retake the profile in front of a plain, evenly lit backdrop, as for clinical photography.",
        )
    coarse = outline_from_mask(mask, scale=person.scale)
    search_px = max(4.0, 2.0 * max(rgb.shape[:2]) / MODEL_GRID_PX)
    outline = refine_outline(rgb, coarse, search_px=search_px, mirrored=facing == "left")
    if outline.edge_found_fraction < MIN_EDGE_FOUND_FRACTION:
        raise BusyBackdrop(
            f"The head's edge could be traced on only {outline.edge_found_fraction:.0%} of the outline.",
            hint="Retake the profile against a plain backdrop that contrasts with the skin and hair.",
        )
    return outline, texture, search_px


def _canonical_scale(
    scale: ScaleSource | None, frontal: PhotoAnalysis | None, image: LoadedImage, facing: Facing
) -> ScaleSource | None:
    """The scale source in canonical pixels: the given one, else the frontal photo's carried over."""
    if scale is None and frontal is not None:
        return FrontalReference(frontal.assessment.measurements, frontal.assessment.calibration.relative_uncertainty)
    if isinstance(scale, RulerDistance):
        return _ruler_to_canonical(scale, image, facing)
    return scale


def _check_head_in_frame(
    assessment: ProfileAssessment, outline: TracedOutline, shape: tuple[int, ...], search_px: float
) -> None:
    """Refuse a face cut off at the edge it looks toward, or a chin cut off at the bottom edge."""
    lm = assessment.landmarks
    upper = lm.points.get(ProfilePoint.GLABELLA) or lm.points[ProfilePoint.SOFT_TISSUE_NASION]
    lower = lm.points.get(ProfilePoint.MENTON) or lm.points.get(ProfilePoint.SOFT_TISSUE_POGONION)
    face = lm.outline[upper.index : (lower.index if lower else len(lm.outline)) + 1]
    if touches_front_edge(face, shape[1]):
        raise HeadCutOff(
            "The face is cut off at the edge of the photo it looks toward.",
            hint="Retake the profile with space in front of the nose.",
        )
    lowest = float(outline.points_px[:, 1].max())
    chin_room = lowest - float(lm.xy(ProfilePoint.PRONASALE)[1])
    if (
        ProfilePoint.SOFT_TISSUE_POGONION not in lm.points
        and lowest >= shape[0] - 2 - search_px
        and chin_room < 1.5 * lm.scale_px
    ):
        raise HeadCutOff(
            "The chin is cut off at the bottom edge of the photo.",
            hint="Retake the profile with the chin and the front of the neck in the frame.",
        )


def _original_to_canonical(xy: np.ndarray, image: LoadedImage, facing: Facing) -> np.ndarray:
    analysed = np.asarray(xy, dtype=np.float64) / image.scale_to_full
    return mirror_x(analysed[None, :], image.rgb.shape[1])[0] if facing == "left" else analysed


def _ruler_to_canonical(source: RulerDistance, image: LoadedImage, facing: Facing) -> RulerDistance:
    a = _original_to_canonical(np.array(source.a_px), image, facing)
    b = _original_to_canonical(np.array(source.b_px), image, facing)
    return RulerDistance((float(a[0]), float(a[1])), (float(b[0]), float(b[1])), source.distance_mm, source.sigma_mm)
