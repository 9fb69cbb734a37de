"""The profile path's entry point: a lateral photo in, a :class:`ProfileAnalysis` out.

``analyze_profile`` mirrors :func:`facebalance.analysis.analyze_photo`: it decodes the photo safely,
refuses a frontal view, finds which way the face looks, reads the profile outline (the studio silhouette
on a plain backdrop, else a search for the face's edge; :mod:`facebalance.profile.reading`), hands it to
the pure :func:`facebalance.profile.assessment.assess_profile` with the head's estimated turn
(:mod:`facebalance.profile.yaw`), and refuses only a photo whose nose, lips or chin are not in it.

:func:`detect_view` tells a frontal photo from a left or right profile, for the CLI's ``analyze`` to pick
the path. The yaw limits between the views are the photo protocol's ``[checks.view_detection]``
(``session/data/protocol_default.toml``, or the clinic protocol the caller passes).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
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
from facebalance.profile.contour import MIN_PERSON_FRACTION, backdrop_texture, outline_from_mask
from facebalance.profile.errors import HeadCutOff, NoPersonFound, NotAProfileView, ProfileNotReadable
from facebalance.profile.facefinder import ProfileFaceDetector, find_turned_face
from facebalance.profile.frame import Facing, canonical_image, mirror_x
from facebalance.profile.landmarks import ProfilePoint, locate_landmarks
from facebalance.profile.reading import (
    PLAIN_BACKDROP_TEXTURE,
    OutlineReading,
    check_in_frame,
    nose_root_cut_off,
    read_best,
    searched_outline,
    studio_outline,
)
from facebalance.profile.segmentation import PersonMask, PersonSegmenter
from facebalance.profile.yaw import estimate_yaw
from facebalance.provenance import packaged_table
from facebalance.vision import FaceLandmarker, FaceMesh, LoadedImage, load_image

View = Literal["frontal", "profile_left", "profile_right", "unknown"]

#: Longer side a profile photo is decoded at: 24-36 MP camera frames stay at full resolution (the edge is
#: refined on them); larger frames are reduced by an integer factor.
PROFILE_DECODE_LONG_SIDE_PX = 6000
#: Longer side of the copy the face landmarker looks at (to tell a frontal photo from a profile).
VIEW_CHECK_LONG_SIDE_PX = 1280
#: The profile path refuses as frontal only a mesh turned less than this: the mesh under-reads large turns,
#: and on a lateral photo a mesh that holds at all may read 20-30 degrees.
PROFILE_PATH_FRONTAL_MAX_YAW_DEG = 20.0
#: A profile reading whose core landmarks score below this is not a profile.
MIN_PROFILE_SCORE = 0.5


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
    method: str = "studio silhouette"

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
    # The mesh under-reads large turns: on a lateral photo a mesh that holds at all may read 20-30 degrees,
    # so the profile path refuses as frontal only a mesh turned less than PROFILE_PATH_FRONTAL_MAX_YAW_DEG.
    frontal_max = min(limits.frontal_max_yaw_deg, PROFILE_PATH_FRONTAL_MAX_YAW_DEG)
    if view == "frontal" and min(abs(f.pose.yaw_deg) for f in faces) <= frontal_max:
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
    tilt_deg: float | None = None,
    facing: Facing | None = None,
    landmarker: FaceLandmarker | None = None,
    segmenter: Segmenter | None = None,
    detector: ProfileFaceDetector | None = None,
    limits: ViewLimits | None = None,
) -> ProfileAnalysis:
    """Analyse one lateral (profile) photo, in a studio or not.

    Parameters
    ----------
    source : path, bytes or binary file
        JPEG, PNG, WebP or HEIC photo of a left or right profile (head turned 60-90 degrees).
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
    tilt_deg : float, optional
        Known head tilt (chin raised positive). Not given: a studio photo is read in natural head position
        (tilt 0, the protocol); any other photo in the head frame estimated from its profile.
    facing : {"left", "right"}, optional
        Which way the nose points; found from the photo when not given.
    landmarker, segmenter, detector : optional
        Open models to reuse across photos.
    limits : ViewLimits, optional
        The yaw limits between the views; the default photo protocol's when not given.

    Raises
    ------
    facebalance.errors.FacebalanceError
        ``NotAProfileView`` (a frontal photo), ``NoPersonFound`` (nobody in the photo), ``HeadCutOff`` (the
        nose, lips or chin not in the photo, saying which), ``ProfileNotReadable``, ``CalibrationError``, or
        an image input error.
    """
    if sex not in (None, "female", "male"):
        raise ValueError(f"sex must be 'female', 'male' or None, not {sex!r}")
    image = load_image(source, long_side_px=PROFILE_DECODE_LONG_SIDE_PX)
    norm_set = norms or load_norm_set(Path(norms_path) if norms_path is not None else None)
    rgb = image.rgb
    with contextlib.ExitStack() as stack:
        if landmarker is None:
            landmarker = stack.enter_context(FaceLandmarker())
        if segmenter is None:
            segmenter = stack.enter_context(PersonSegmenter())
        if detector is None:
            detector = stack.enter_context(ProfileFaceDetector())
        small = _reduced(rgb, VIEW_CHECK_LONG_SIDE_PX)
        faces = landmarker.detect(small)
        mesh_view = _check_view(faces, limits or ViewLimits.of())
        person = segmenter.segment(rgb)
        mask = person.confidence >= 0.5
        if facing is None and mesh_view in ("profile_left", "profile_right"):
            facing = "left" if mesh_view == "profile_left" else "right"
        turned = faces[0] if faces else None
        if facing is None and turned is None:
            # The detector misses most faces turned beyond 60 degrees as framed; framed otherwise it finds more.
            turned = find_turned_face(landmarker, small)
        if facing is None and turned is not None:
            # A mesh turned 20-60 degrees: the way it looks is clear even where its yaw is not.
            facing = "right" if turned.pose.yaw_deg > 0 else "left"
        person_found = mask.mean() >= MIN_PERSON_FRACTION
        plain = False
        if person_found:
            grid = cv2.resize(rgb, (mask.shape[1], mask.shape[0]), interpolation=cv2.INTER_AREA)
            plain = backdrop_texture(grid, mask) <= PLAIN_BACKDROP_TEXTURE
        # A silhouette tells the side only against a plain backdrop; elsewhere its outline may be anything.
        silhouette_facing = facing_from_mask(mask)[0] if plain else None
        found = None if facing is not None or silhouette_facing is not None else detector.detect(rgb)
        if not person_found and turned is None and found is None:
            raise NoPersonFound(
                "No person was found in the photo.",
                hint="Use a lateral photo of the patient's head and shoulders against a plain backdrop.",
            )
        # The profile-face detector's side is a hint, not a decision (it also fires on the back of a head):
        # both sides are read, its side first.
        facings: list[Facing] = (
            [facing]
            if facing is not None
            else [silhouette_facing]
            if silhouette_facing is not None
            else [found.facing, "left" if found.facing == "right" else "right"]
            if found is not None
            else ["right", "left"]
        )
        persons = {"right": person}
        if "left" in facings:
            # The mirrored photo is segmented, so a left profile is read exactly as its mirror image would be.
            persons["left"] = segmenter.segment(np.ascontiguousarray(rgb[:, ::-1]))

        def studio(side: Facing) -> OutlineReading | None:
            p = persons[side]
            outline = studio_outline(rgb, p.confidence >= 0.5, p.scale, side)
            if outline is None:
                return None
            return OutlineReading(outline, side, "studio silhouette", tilt_deg or 0.0, None, None)

        def searched(side: Facing) -> Callable[[], OutlineReading]:
            return lambda: searched_outline(
                rgb, side, person=persons[side], landmarker=landmarker, detector=detector, tilt_deg=tilt_deg
            )

        def ready(reading: OutlineReading) -> Callable[[], OutlineReading]:
            return lambda: reading

        readings: list[Callable[[], OutlineReading]] = []
        for side in facings:
            silhouette = studio(side)
            if silhouette is not None:
                readings.append(ready(silhouette))
            readings.append(searched(side))

        yaws: dict[Facing, float | None] = {}

        def canonical_mesh_yaw(side: Facing) -> float | None:
            # The mesh of the canonical photo (mirrored for a left profile), so that a photo and its mirror
            # image get the same yaw.
            if side not in yaws:
                found_faces = landmarker.detect(_reduced(canonical_image(rgb, side), VIEW_CHECK_LONG_SIDE_PX))
                yaws[side] = found_faces[0].pose.yaw_deg if found_faces else None
            return yaws[side]

        def assess(reading: OutlineReading) -> ProfileAssessment:
            side = reading.facing
            src = _canonical_scale(scale, frontal, image, side)
            alar = None
            if alar_crease_px is not None:
                alar = _original_to_canonical(np.array(alar_crease_px, dtype=np.float64), image, side)
            mesh_yaw = reading.mesh.pose.yaw_deg if reading.mesh is not None else canonical_mesh_yaw(side)
            try:
                return assess_profile(
                    reading.outline,
                    norms=norm_set,
                    patient=PatientContext(sex=sex, ethnicity=ethnicity),
                    scale=src,
                    tilt_deg=reading.tilt_deg,
                    alar_crease_xy=alar,
                    nose_hint=reading.nose_hint,
                    yaw=estimate_yaw(mesh_yaw, norms=norm_set),
                    midline_prior=reading.midline_prior,
                )
            except ProfileNotReadable:
                if nose_root_cut_off(reading.outline, rgb.shape):
                    raise HeadCutOff(
                        "The top of the nose is cut off at the top edge of the photo (the nasion is not in it).",
                        hint="Retake the profile with the forehead, nose, lips and chin in the frame.",
                    ) from None
                raise

        reading, assessment = read_best(
            readings, assess, exhaustive=len(facings) > 1, preferred=found.facing if found is not None else None
        )
    check_in_frame(assessment.landmarks, reading.outline, rgb.shape)
    if frontal is not None and scale is not None:
        assessment.warnings.append("A known distance was given: it was used instead of the frontal photo's scale.")
    assessment.warnings.append(f"Outline read by {reading.method}.")
    name = Path(source).name if isinstance(source, str | os.PathLike) else "<upload>"
    view: Literal["profile_left", "profile_right"] = "profile_left" if reading.facing == "left" else "profile_right"
    shown = persons[reading.facing]
    grid = cv2.resize(rgb, (shown.confidence.shape[1], shown.confidence.shape[0]), interpolation=cv2.INTER_AREA)
    return ProfileAnalysis(
        source_name=name,
        image=image,
        view=view,
        assessment=assessment,
        norms=norm_set,
        backdrop_texture=backdrop_texture(canonical_image(grid, reading.facing), shown.confidence >= 0.5),
        method=reading.method,
    )


def _canonical_scale(
    scale: ScaleSource | None, frontal: PhotoAnalysis | None, image: LoadedImage, facing: Facing
) -> ScaleSource | None:
    """The scale source in canonical pixels: the given one, else the frontal photo's carried over."""
    if scale is None and frontal is not None:
        return FrontalReference(frontal.assessment.measurements, frontal.assessment.calibration.relative_uncertainty)
    if isinstance(scale, RulerDistance):
        return _ruler_to_canonical(scale, image, facing)
    return scale


def _original_to_canonical(xy: np.ndarray, image: LoadedImage, facing: Facing) -> np.ndarray:
    analysed = np.asarray(xy, dtype=np.float64) / image.scale_to_full
    return mirror_x(analysed[None, :], image.rgb.shape[1])[0] if facing == "left" else analysed


def _ruler_to_canonical(source: RulerDistance, image: LoadedImage, facing: Facing) -> RulerDistance:
    a = _original_to_canonical(np.array(source.a_px), image, facing)
    b = _original_to_canonical(np.array(source.b_px), image, facing)
    return RulerDistance((float(a[0]), float(a[1])), (float(b[0]), float(b[1])), source.distance_mm, source.sigma_mm)
