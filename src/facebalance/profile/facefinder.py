"""Where the face is on a lateral photo, before its outline is searched (:mod:`facebalance.profile.search`).

Each source gives a :class:`~facebalance.profile.search.FaceRegion` (approximate nasion, nose tip and chin
in canonical pixels) and, for some, which way the face looks:

* **the face mesh** (:func:`find_turned_face`): the Face Landmarker's detector is trained on faces up to
  about 60 degrees of yaw; on a lateral photo it often misses the face, but it finds more of them when the
  photo is framed the way it expects: a border around a tight crop, a smaller copy, a slight rotation. The
  mesh that it then fits holds to roughly 70-75 degrees: its midline (nasion, nose, lips, chin) lies within
  a few percent of the face length of the profile, and bounds where the profile edge is searched;
* **a profile-face detector** (:class:`ProfileFaceDetector`): OpenCV's Haar cascade for faces seen from the
  side (vendored, sha256-checked), which also tells the side; the box gives the face's rough place;
* **the person mask** (:func:`region_from_mask`): its front read as a coarse profile, when it holds one;
* **the frame**: with neither, the layout of a tightly cropped head (the face fills the photo, the nose
  near the edge it looks toward).

The box and frame proportions below are medians over the profile photos the project was developed on
(``cfp_profile_dev``: 105 detections, 197 photos); a region is only where the search looks, not a
measurement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import cv2
import numpy as np

from facebalance.anatomy.landmarks import MIDLINE, Landmark
from facebalance.errors import FacebalanceError
from facebalance.profile.contour import MIN_PERSON_FRACTION, outline_from_mask
from facebalance.profile.frame import Facing
from facebalance.profile.landmarks import MidlinePoint, MidlinePrior, ProfilePoint, locate_landmarks
from facebalance.profile.search import FaceRegion
from facebalance.provenance import packaged_table
from facebalance.vision import FaceMesh
from facebalance.vision.models import VendoredModel, read_verified

PROFILE_FACE_CASCADE = VendoredModel(
    filename="haarcascade_profileface.xml",
    sha256="b39a4a3be45539db146a7fc1d3e761a292c196eb88421185e6a615b3055e612d",
    licence="Intel License Agreement For Open Source Computer Vision Library (BSD-3-Clause style)",
    provenance="opencv/opencv data/haarcascades/haarcascade_profileface.xml (David Bradley, Princeton)",
)

#: Ways of framing the photo for the face detector, tried in order until it finds a face: border added
#: (fraction of the longer side), rotation (degrees), longer side of a reduced copy (None: as given).
TURNED_FACE_FRAMINGS: tuple[tuple[float, float, int | None], ...] = tuple(
    (pad, rot, size) for pad in (0.0, 0.25, 0.5) for rot in (0.0, -20.0, 20.0) for size in (None, 256)
)[1:]
#: The mesh's midline bounds the profile edge to this band, inside and outside, fractions of the face length
#: (the midline lies within about 0.05 of the annotated profile points, 0.09 at the 90th percentile).
MESH_BAND = (0.12, 0.15)
#: Face points in a profile detector's box (canonical: face toward +x), fractions of the box from its
#: top-left corner: (x, y) of the nasion, the nose tip and the chin.
BOX_NASION = (0.71, 0.40)
BOX_PRONASALE = (0.81, 0.61)
BOX_CHIN = (0.66, 1.0)
#: The same for a photo with no other clue, fractions of its width and height (a tightly cropped head).
FRAME_NASION = (0.80, 0.33)
FRAME_PRONASALE = (0.90, 0.50)
FRAME_CHIN = (0.75, 0.90)
#: The detector looks at a copy with this longer side, with a border of this fraction added.
DETECTOR_LONG_SIDE_PX = 300
DETECTOR_BORDER = 0.3


class Landmarker(Protocol):
    """The face landmarker's interface used here (the MediaPipe adapter, or a test double)."""

    def detect(self, rgb: np.ndarray) -> list[FaceMesh]: ...


def _framings(rgb: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Framed copies of the photo and the 2x3 affine map from each copy back to the photo."""
    h, w = rgb.shape[:2]
    for pad, rot, size in TURNED_FACE_FRAMINGS:
        img, s = rgb, 1.0
        if size is not None and max(h, w) > size:
            s = size / max(h, w)
            img = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
        elif size is not None:
            continue
        p = round(pad * max(img.shape[:2]))
        if p:
            img = cv2.copyMakeBorder(img, p, p, p, p, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        # copy -> photo: undo the rotation, the border, the reduction.
        to_photo = np.array([[1.0 / s, 0.0, -p / s], [0.0, 1.0 / s, -p / s]])
        if rot:
            m = cv2.getRotationMatrix2D((img.shape[1] / 2.0, img.shape[0] / 2.0), rot, 1.0)
            img = cv2.warpAffine(img, m, (img.shape[1], img.shape[0]))
            back = cv2.invertAffineTransform(m)
            to_photo = to_photo @ np.vstack([back, [0.0, 0.0, 1.0]])
        yield np.ascontiguousarray(img), to_photo


def find_turned_face(landmarker: Landmarker, rgb: np.ndarray) -> FaceMesh | None:
    """The face mesh of a turned face the detector misses on the photo as given.

    Tries :data:`TURNED_FACE_FRAMINGS` (the photo as given is assumed tried already) and returns the first
    mesh found, with its points mapped back to pixels of ``rgb`` (x, y; z scaled alike), or ``None``.
    """
    for img, to_photo in _framings(rgb):
        faces = landmarker.detect(img)
        if not faces:
            continue
        mesh = faces[0]
        pts = np.array(mesh.landmarks_px, dtype=np.float64, copy=True)
        pts[:, :2] = pts[:, :2] @ to_photo[:, :2].T + to_photo[:, 2]
        pts[:, 2] *= float(np.sqrt(abs(np.linalg.det(to_photo[:, :2]))))
        return FaceMesh(
            landmarks_px=pts, blendshapes=mesh.blendshapes, transformation=mesh.transformation, pose=mesh.pose
        )
    return None


def _canonical(xy: np.ndarray, facing: Facing, width: int) -> np.ndarray:
    pts = np.array(xy, dtype=np.float64, copy=True)
    if facing == "left":
        pts[..., 0] = (width - 1) - pts[..., 0]
    return pts


def region_from_mesh(landmarks_px: np.ndarray, facing: Facing, width: int) -> FaceRegion:
    """The face region given by a face mesh (pixels of the photo as taken, shape (478, 2+))."""
    pts = _canonical(np.asarray(landmarks_px, dtype=np.float64)[:, :2], facing, width)
    start = MIDLINE.index(Landmark.SOFT_TISSUE_NASION)
    midline = pts[list(MIDLINE[start:])]
    nasion = pts[Landmark.SOFT_TISSUE_NASION]
    chin = pts[Landmark.MENTON]
    face = float(np.hypot(*(chin - nasion)))
    return FaceRegion(
        nasion_xy=nasion,
        pronasale_xy=pts[Landmark.PRONASALE],
        chin_xy=chin,
        source="face mesh",
        midline_xy=midline,
        band_px=(MESH_BAND[0] * face, MESH_BAND[1] * face),
    )


@cache
def midline_prior_table() -> dict[str, Any]:
    """``data/mesh_midline_prior.toml``, parsed (read once)."""
    return packaged_table("facebalance.profile", "mesh_midline_prior.toml")


def midline_prior(landmarks_px: np.ndarray) -> MidlinePrior:
    """The face mesh's midline prior for subnasale, the lips and stomion (``data/mesh_midline_prior.toml``).

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 2+)
        The face mesh in canonical pixels (face toward +x).

    Each point's mesh vertex (the mean of its vertices) is its midline position; the mesh's silhouette at
    that height is its most anterior projected vertex within a band of heights (anterior: square to the
    mesh's nasion-menton line, toward its nose tip). Pure: the same mesh gives the same prior.
    """
    table = midline_prior_table()
    constants = table["constants"]
    pts = np.asarray(landmarks_px, dtype=np.float64)[:, :2]
    nasion, menton = pts[Landmark.SOFT_TISSUE_NASION], pts[Landmark.MENTON]
    face = max(float(np.hypot(*(menton - nasion))), 1e-9)
    down = (menton - nasion) / face
    anterior = np.array([-down[1], down[0]])
    if float((pts[Landmark.PRONASALE] - nasion) @ anterior) < 0.0:
        anterior = -anterior
    height = pts @ down
    front = pts @ anterior
    band = float(constants["silhouette_band_face"]) * face
    points: dict[ProfilePoint, MidlinePoint] = {}
    for name, row in table["points"].items():
        xy = pts[[int(v) for v in row["vertices"]]].mean(axis=0)
        near = np.abs(height - float(xy @ down)) <= band
        ahead = max(float(front[near].max()) - float(xy @ anterior), 0.0) if near.any() else 0.0
        points[ProfilePoint(name)] = MidlinePoint(
            xy=xy, silhouette_xy=xy + ahead * anterior, mesh_weight=float(row["mesh_weight"])
        )
    return MidlinePrior(
        points=points,
        reach_px=float(constants["outline_reach_face"]) * face,
        sigma_px=float(constants["sigma_face"]) * face,
        face_px=face,
        down=down,
    )


def _at(box: tuple[float, float, float, float], frac: tuple[float, float]) -> np.ndarray:
    x, y, w, h = box
    return np.array([x + frac[0] * w, y + frac[1] * h])


def region_from_box(box: tuple[float, float, float, float], source: str = "profile detector") -> FaceRegion:
    """The face region in a canonical (face toward +x) detector box ``(x, y, w, h)``."""
    return FaceRegion(_at(box, BOX_NASION), _at(box, BOX_PRONASALE), _at(box, BOX_CHIN), source=source)


def region_from_mask(mask: np.ndarray, scale: float) -> FaceRegion | None:
    """The face region read from the front of a canonical person mask (any grid), or ``None``.

    The mask's front run is read as a profile (a coarse landmark pass); its nasion, nose tip and chin (menton,
    else soft-tissue pogonion) give the region, in pixels of the photo (``scale`` photo pixels per mask
    pixel). ``None`` when the mask holds no person or its front does not read as a profile.
    """
    m = np.asarray(mask, dtype=bool)
    if m.mean() < MIN_PERSON_FRACTION:
        return None
    try:
        run = outline_from_mask(m, scale=scale, allow_top_cut=True)
        lm = locate_landmarks(run, noise_px=0.5 * scale)
    except FacebalanceError:
        return None
    chin = lm.points.get(ProfilePoint.MENTON) or lm.points.get(ProfilePoint.SOFT_TISSUE_POGONION)
    if chin is None:
        return None
    region = FaceRegion(
        lm.xy(ProfilePoint.SOFT_TISSUE_NASION), lm.xy(ProfilePoint.PRONASALE), chin.xy.copy(), source="person mask"
    )
    return region if region.chin_xy[1] > region.pronasale_xy[1] > region.nasion_xy[1] else None


def region_from_frame(width: int, height: int) -> FaceRegion:
    """The face region of a tightly cropped head filling a canonical photo of this size."""
    box = (0.0, 0.0, float(width), float(height))
    return FaceRegion(_at(box, FRAME_NASION), _at(box, FRAME_PRONASALE), _at(box, FRAME_CHIN), source="frame")


@dataclass(frozen=True)
class ProfileDetection:
    """A face seen from the side: its box in pixels of the photo as taken, which way it looks, a score."""

    box: tuple[float, float, float, float]
    facing: Facing
    score: float

    def canonical_box(self, width: int) -> tuple[float, float, float, float]:
        x, y, w, h = self.box
        return ((width - x - w) if self.facing == "left" else x, y, w, h)


class ProfileFaceDetector:
    """OpenCV's Haar cascade for faces seen from the side. Use as a context manager::

        with ProfileFaceDetector() as detector:
            found = detector.detect(rgb)

    The cascade finds faces looking to the image left; the photo is also searched mirrored for faces
    looking right. The cascade file is read and sha256-checked when the detector is entered.
    """

    def __init__(self) -> None:
        self._cascade: Any = None

    def __enter__(self) -> ProfileFaceDetector:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        if self._cascade is not None:
            return
        import tempfile
        from pathlib import Path

        data = read_verified(PROFILE_FACE_CASCADE)
        # OpenCV reads a cascade from a file name only.
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / PROFILE_FACE_CASCADE.filename
            path.write_bytes(data)
            cascade = cv2.CascadeClassifier(str(path))
        if cascade.empty():
            raise RuntimeError("the profile-face cascade could not be loaded")
        self._cascade = cascade

    def close(self) -> None:
        self._cascade = None

    def detect(self, rgb: np.ndarray) -> ProfileDetection | None:
        """The most confident profile face of an RGB photo, or ``None``."""
        if self._cascade is None:
            raise RuntimeError("ProfileFaceDetector is not open; use it as a context manager.")
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        h, w = gray.shape
        s = min(1.0, DETECTOR_LONG_SIDE_PX / max(h, w))
        small = cv2.resize(gray, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
        pad = round(DETECTOR_BORDER * max(small.shape))
        framed = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        best: ProfileDetection | None = None
        for facing, img in (("left", framed), ("right", np.ascontiguousarray(framed[:, ::-1]))):
            boxes, _, weights = self._cascade.detectMultiScale3(
                img, scaleFactor=1.1, minNeighbors=3, minSize=(40, 40), outputRejectLevels=True
            )
            for (x, y, bw, bh), weight in zip(boxes, np.ravel(weights), strict=False):
                if facing == "right":
                    x = img.shape[1] - x - bw
                box = ((x - pad) / s, (y - pad) / s, bw / s, bh / s)
                if best is None or float(weight) > best.score:
                    best = ProfileDetection(box=tuple(float(v) for v in box), facing=facing, score=float(weight))  # type: ignore[arg-type]
        return best
