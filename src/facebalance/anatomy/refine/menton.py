"""Menton: the lowest point of the soft-tissue chin, read from the photo where its contour shows.

Under frontal studio light the chin's lower contour is often soft (a lit chin fading into the neck's
shadow) or hidden by a beard, and the mesh's menton (vertex 152) is the least steady mesh point used
(about 2 mm SD against hand-placed menton on the London set). On a vertical profile down the chin's
midline the contour is the steepest darkening near the mesh's estimate; it is taken only when that step is
strong (the chin clearly lit above a shadowed neck), otherwise the mesh's menton is kept.
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.frame import RefinedPoint
from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.refine.sampling import FaceImage, band_profile, smooth, strongest_step

#: Sample spacing, iris diameters.
STEP_IRIS = 1 / 150
#: Half-length of the vertical profile around the mesh's menton, iris diameters.
REACH_IRIS = 0.8
#: Half-width of the band across the midline, iris diameters.
BAND_IRIS = 0.25
#: Scale of the preference for edges near the mesh's estimate, iris diameters.
PROXIMITY_IRIS = 0.5
#: Samples averaged along the profile.
SMOOTH_SAMPLES = 5
#: The darkening across the contour (L*, over 0.1 iris diameters either side) needed to read it.
MIN_STEP_L = 8.0


def refine_menton(image: FaceImage, *, iris_diameter_px: float) -> RefinedPoint:
    """Menton in the head frame; the mesh's where the chin's lower contour is not clear."""
    d = iris_diameter_px
    mesh = image.frame.mesh_point(Landmark.MENTON)
    depth = float(image.frame.points_px[Landmark.MENTON, 2])
    step = STEP_IRIS * d
    offsets = np.arange(-REACH_IRIS * d, REACH_IRIS * d + step / 2, step)
    down = np.array([0.0, 1.0])
    lightness = band_profile(image, "lab", mesh, down, offsets, BAND_IRIS * d, depth)[:, 0]
    where, _ = strongest_step(
        smooth(-lightness, SMOOTH_SAMPLES), offsets, prior=0.0, proximity=PROXIMITY_IRIS * d, guard=SMOOTH_SAMPLES
    )
    either = band_profile(image, "lab", mesh, down, np.array([where - 0.1 * d, where + 0.1 * d]), BAND_IRIS * d, depth)
    darkening = float(either[0, 0] - either[1, 0])
    if darkening < MIN_STEP_L:
        return RefinedPoint("menton", mesh, mesh, "mesh: the chin's lower contour is not clear", False)
    return RefinedPoint(
        "menton", np.array([mesh[0], mesh[1] + where]), mesh, "image: lit chin to shadowed neck on the midline", True
    )
