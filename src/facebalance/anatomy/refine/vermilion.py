"""The lips on the midline: stomion and the upper and lower vermilion borders, read from the photo.

On the London set the mesh puts stomion, the midpoint of its inner-lip vertices 13 and 14, about 0.7 mm
below the dark line where closed lips meet (the mesh keeps a gap between them), and places the vermilion
borders with a face-to-face spread of about 1.2 mm (docs/validation.md). All three are clear in the
photo on the midline:

- **stomion**: the darkest row of the oral fissure (closed lips meet in a shadowed line), searched on a
  vertical profile through the mesh's stomion. With the lips apart the gap's midpoint is the mesh's.
- **labrale superius**: the colour edge between the skin of the philtrum and the vermilion. Going down,
  the lip is redder and darker than the lit skin above it, so the edge is the steepest rise of
  ``a* - 0.5 L*``.
- **labrale inferius**: the lower edge of the vermilion. Going down, redness ends and the skin under the
  lip is in the lip's own shadow, so the edge is the steepest fall of ``a* + 0.5 L*``.

Each edge is searched near the mesh's estimate (a Gaussian preference, like the brow margin's) and
accepted only above a minimum contrast; otherwise the mesh's point is kept. Profiles are vertical in the
head frame, through the lip midline, with a band averaged across: mirror-symmetric, so a mirrored photo
gives exactly the mirrored points.
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.frame import RefinedPoint
from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.refine.sampling import FaceImage, band_profile, parabolic_peak, smooth, strongest_step

#: Sample spacing along every lip profile, in visible-iris diameters (a quarter pixel at 38 px per iris).
STEP_IRIS = 1 / 150
#: Samples averaged along a profile before edges are read.
SMOOTH_SAMPLES = 5
#: Stomion search: half-length of the vertical profile and half-width of its band, iris diameters.
STOMION_REACH_IRIS = 0.3
STOMION_BAND_IRIS = 0.2
#: A fissure is a valley: its darkest row must be this much darker (L*) than the lips 0.15 iris above and below.
MIN_FISSURE_DEPTH_L = 3.0
#: Lips further apart than this on the mesh (iris diameters) are open: stomion is the gap's midpoint.
OPEN_LIPS_IRIS = 0.2
#: Vermilion border search: how far beyond the mesh border the profile reaches, band half-width and the
#: scale of the preference for edges near the mesh's estimate, iris diameters.
BORDER_REACH_IRIS = 0.8
BORDER_BAND_IRIS = 0.08
BORDER_PROXIMITY_IRIS = 0.25
#: Weight of lightness against redness in the lip-edge features (a* -/+ weight x L*).
LIGHTNESS_WEIGHT = 0.5
#: Smallest slope of the edge feature accepted as a vermilion border, Lab units per iris diameter.
MIN_BORDER_SLOPE = 20.0


def _vertical_profile(
    image: FaceImage, x: float, ys: np.ndarray, half_width: float, depth: float, feature: str
) -> np.ndarray:
    return band_profile(image, feature, np.array([x, 0.0]), np.array([0.0, 1.0]), ys, half_width, depth)


def refine_stomion(image: FaceImage, *, iris_diameter_px: float) -> RefinedPoint:
    """Stomion: the darkest row of the closed lips' fissure on the lip midline."""
    frame = image.frame
    upper, lower = frame.mesh_point(Landmark.STOMION_UPPER), frame.mesh_point(Landmark.STOMION_LOWER)
    mesh = (upper + lower) / 2.0
    d = iris_diameter_px
    if lower[1] - upper[1] > OPEN_LIPS_IRIS * d:
        return RefinedPoint("stomion", mesh, mesh, "mesh: lips apart, midpoint of the inner lip edges", False)
    depth = float((frame.points_px[Landmark.STOMION_UPPER, 2] + frame.points_px[Landmark.STOMION_LOWER, 2]) / 2)
    step = STEP_IRIS * d
    offsets = np.arange(-STOMION_REACH_IRIS * d, STOMION_REACH_IRIS * d + step / 2, step)
    lightness = smooth(
        _vertical_profile(image, float(mesh[0]), mesh[1] + offsets, STOMION_BAND_IRIS * d, depth, "lab")[:, 0], 3
    )
    guard = 2
    j = guard + int(np.argmin(lightness[guard:-guard]))
    y = float(mesh[1] + offsets[0] + parabolic_peak(lightness, j) * step)
    around = _vertical_profile(
        image, float(mesh[0]), np.array([y - 0.15 * d, y + 0.15 * d]), STOMION_BAND_IRIS * d, depth, "lab"
    )[:, 0]
    if float(around.mean()) - float(lightness[j]) < MIN_FISSURE_DEPTH_L:
        return RefinedPoint("stomion", mesh, mesh, "mesh: no dark line where the lips meet", False)
    return RefinedPoint(
        "stomion", np.array([mesh[0], y]), mesh, "image: darkest row of the oral fissure on the lip midline", True
    )


def _border(
    image: FaceImage,
    name: str,
    vertex: Landmark,
    stomion: np.ndarray,
    *,
    iris_diameter_px: float,
    upper: bool,
) -> RefinedPoint:
    frame = image.frame
    mesh = frame.mesh_point(vertex)
    d = iris_diameter_px
    depth = float(frame.points_px[vertex, 2])
    step = STEP_IRIS * d
    x = float(stomion[0])
    if upper:  # from above the mesh border down to just above stomion
        top, bottom = mesh[1] - BORDER_REACH_IRIS * d, stomion[1] - 0.1 * d
    else:  # from just below stomion down past the mesh border
        top, bottom = stomion[1] + 0.1 * d, mesh[1] + BORDER_REACH_IRIS * d
    ys = np.arange(top, bottom, step)
    fallback = RefinedPoint(name, mesh, mesh, "mesh: no clear vermilion edge", False)
    if len(ys) < 4 * SMOOTH_SAMPLES:
        return fallback
    lab = _vertical_profile(image, x, ys, BORDER_BAND_IRIS * d, depth, "lab")
    # Upper: skin above, redder and darker lip below, so a* - w L* rises going down. Lower: lip above, less
    # red skin in the lip's shadow below, so a* + w L* falls going down.
    sign = -1.0 if upper else 1.0
    feature = -sign * (lab[:, 1] + sign * LIGHTNESS_WEIGHT * lab[:, 0])
    y, slope = strongest_step(
        smooth(feature, SMOOTH_SAMPLES),
        ys,
        prior=float(mesh[1]),
        proximity=BORDER_PROXIMITY_IRIS * d,
        guard=SMOOTH_SAMPLES,
    )
    if slope * d < MIN_BORDER_SLOPE:
        return fallback
    how = "skin-to-vermilion colour edge" if upper else "vermilion-to-skin colour edge"
    return RefinedPoint(name, np.array([x, y]), mesh, f"image: {how} on the lip midline", True)


def refine_lip_midline(image: FaceImage, *, iris_diameter_px: float) -> dict[str, RefinedPoint]:
    """Stomion, labrale superius and labrale inferius on the lip midline (head frame).

    Parameters
    ----------
    image : FaceImage
        The analysed photo with the face's head frame (mesh points unrefined).
    iris_diameter_px : float
        Visible iris diameter, the unit of every search distance.
    """
    stomion = refine_stomion(image, iris_diameter_px=iris_diameter_px)
    return {
        "stomion": stomion,
        "labrale_superius": _border(
            image,
            "labrale_superius",
            Landmark.LABRALE_SUPERIUS,
            stomion.xy,
            iris_diameter_px=iris_diameter_px,
            upper=True,
        ),
        "labrale_inferius": _border(
            image,
            "labrale_inferius",
            Landmark.LABRALE_INFERIUS,
            stomion.xy,
            iris_diameter_px=iris_diameter_px,
            upper=False,
        ),
    }
