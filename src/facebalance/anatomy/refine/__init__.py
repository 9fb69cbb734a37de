"""Anatomical points read from the photo, with the face mesh as the prior and the fallback.

The face mesh is a global shape model: it places each point where faces like this one usually have it,
about 1 mm off on a single face (docs/validation.md). The points that measurements use are therefore
looked for in the photo near the mesh's estimate, one module per feature, each a pure function of the
image and the head frame:

- :mod:`~facebalance.anatomy.refine.vermilion`: stomion and the upper and lower vermilion borders on the
  lip midline;
- :mod:`~facebalance.anatomy.refine.cheilia`: the mouth corners;
- :mod:`~facebalance.anatomy.refine.canthi`: the medial canthi (and the lateral canthi, kept on the mesh);
- :mod:`~facebalance.anatomy.refine.alae`: the widest alae;
- :mod:`~facebalance.anatomy.refine.menton`: the chin's lowest point;
- the brow margins (:mod:`facebalance.anatomy.brow`) and the hairline (:mod:`facebalance.anatomy.hairline`)
  follow the same pattern.

Every search is laid out in the head frame with mirror-image directions for the two sides (lateral,
medial) and mirror-symmetric sampling (:mod:`~facebalance.anatomy.refine.sampling`), so a mirrored photo
with its mirrored mesh gives exactly the mirrored points. Each :class:`~facebalance.anatomy.frame.RefinedPoint`
says how it was found and carries its one-sigma error: a measured value for points read from the image,
the mesh's larger one where the image did not show the point.

The pupils (:func:`pupil_points`) are the centres of the limbus circles fitted for the ruler
(:mod:`facebalance.anatomy.limbus`), placed after the calibration; the iris model's centres where the limbus
was not found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from facebalance.anatomy.frame import HeadFrame, RefinedPoint
from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.refine.alae import mesh_alare_indices, refine_alare
from facebalance.anatomy.refine.canthi import refine_canthi
from facebalance.anatomy.refine.cheilia import refine_cheilia
from facebalance.anatomy.refine.menton import refine_menton
from facebalance.anatomy.refine.sampling import FaceImage
from facebalance.anatomy.refine.vermilion import refine_lip_midline

#: The kind of each refined point: the key of its one-sigma error (points of one kind share it).
POINT_KINDS: dict[str, str] = {
    "stomion": "stomion",
    "labrale_superius": "labrale_superius",
    "labrale_inferius": "labrale_inferius",
    "cheilion_right": "cheilion",
    "cheilion_left": "cheilion",
    "medial_canthus_right": "medial_canthus",
    "medial_canthus_left": "medial_canthus",
    "lateral_canthus_right": "lateral_canthus",
    "lateral_canthus_left": "lateral_canthus",
    "alare_right": "alare",
    "alare_left": "alare",
    "menton": "menton",
    "pupil_right": "pupil",
    "pupil_left": "pupil",
}


def pupil_points(
    frame: HeadFrame,
    limbus_centres_px: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
    *,
    iris_diameter_px: float = 0.0,
    sigma_iris_diameters: Mapping[str, float] | None = None,
) -> dict[str, RefinedPoint]:
    """The pupil centres: the centre of each eye's fitted limbus circle (:mod:`facebalance.anatomy.limbus`)
    where the limbus was found in the image, else the iris model's centre (vertices 468, 473).

    Parameters
    ----------
    frame : HeadFrame
    limbus_centres_px : (ndarray or None, ndarray or None)
        Right and left limbus centres in image pixels, ``None`` for an eye whose limbus was not found.
    iris_diameter_px : float
        Visible iris diameter, to turn the measured sigmas into pixels.
    sigma_iris_diameters : mapping, optional
        As for :func:`refine_face_points` (``"pupil.image"``, ``"pupil.mesh"``).
    """
    sigmas = sigma_iris_diameters or {}
    out = {}
    for (name, vertex), centre in zip(
        (("pupil_right", Landmark.PUPIL_RIGHT), ("pupil_left", Landmark.PUPIL_LEFT)), limbus_centres_px, strict=True
    ):
        mesh = frame.mesh_point(vertex)
        depth = float(frame.points_px[vertex, 2])
        if centre is None:
            point = RefinedPoint(name, mesh, mesh, "mesh: iris model centre", False, depth_px=depth)
        else:
            xy = frame.from_image(np.asarray(centre, dtype=np.float64), depth)
            point = RefinedPoint(name, xy, mesh, "image: centre of the fitted limbus circle", True, depth_px=depth)
        sigma = sigmas.get(f"pupil.{'image' if point.refined else 'mesh'}")
        out[name] = replace(point, sigma_px=None if sigma is None else float(sigma) * iris_diameter_px)
    return out


def refine_face_points(
    rgb: np.ndarray,
    frame: HeadFrame,
    *,
    iris_diameter_px: float,
    sigma_iris_diameters: Mapping[str, float],
) -> dict[str, RefinedPoint]:
    """Every refined point of one face, with its method and one-sigma error.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image.
    frame : HeadFrame
        The face's head frame from the mesh (no refined points yet).
    iris_diameter_px : float
        Visible iris diameter in pixels of ``rgb``, the unit of every search distance.
    sigma_iris_diameters : mapping of str to float
        Measured one-sigma error per coordinate, iris diameters, by ``"<kind>.image"`` (the point read from
        the photo) and ``"<kind>.mesh"`` (the mesh's estimate), kinds as in :data:`POINT_KINDS`. A point
        without an entry gets ``None``: the calibration's pooled mesh value.

    Returns
    -------
    dict of str to RefinedPoint
        By point name (``"cheilion_right"``, ``"stomion"`` ...); pass to :meth:`HeadFrame.with_refined`.
    """
    image = FaceImage(rgb, frame)
    d = iris_diameter_px
    found: dict[str, RefinedPoint] = {
        **refine_lip_midline(image, iris_diameter_px=d),
        **refine_cheilia(image, iris_diameter_px=d),
        **refine_canthi(image, iris_diameter_px=d),
        **refine_alare(image, iris_diameter_px=d),
        "menton": refine_menton(image, iris_diameter_px=d),
    }
    depths = _depths(frame)
    out = {}
    for name, point in found.items():
        sigma = sigma_iris_diameters.get(f"{POINT_KINDS[name]}.{'image' if point.refined else 'mesh'}")
        out[name] = replace(
            point,
            sigma_px=None if sigma is None else float(sigma) * d,
            depth_px=depths.get(name, 0.0),
        )
    return out


def _depths(frame: HeadFrame) -> dict[str, float]:
    """Head-frame depth of each refined point's mesh vertex (stomion: the mean of the inner lip edges)."""
    z = frame.points_px[:, 2]
    right, left = mesh_alare_indices(frame)
    depths = {m.name.lower(): float(z[m]) for m in Landmark}
    depths["stomion"] = float((z[Landmark.STOMION_UPPER] + z[Landmark.STOMION_LOWER]) / 2)
    depths["alare_right"], depths["alare_left"] = float(z[right]), float(z[left])
    return depths
