"""The alae: the most lateral point of each alar rim, read from the photo.

No single mesh vertex is lateral on every nose; the engine takes the most lateral of the rim vertices
(:data:`facebalance.anatomy.landmarks.ALAR_RIM_RIGHT`), which on the London set scatters about 1.5 mm
around the hand-placed alare. In the photo the ala's outer edge is where the shaded alar groove gives way
to the lit cheek: on a horizontal profile through the mesh's alare, going laterally, the steepest
brightening near the mesh's estimate. The profile is lateral on each side (mirror-image searches).
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.frame import HeadFrame, RefinedPoint
from facebalance.anatomy.landmarks import ALAR_RIM_LEFT, ALAR_RIM_RIGHT
from facebalance.anatomy.refine.sampling import FaceImage, band_profile, smooth, strongest_step

#: Sample spacing, iris diameters (a quarter pixel at 38 px per iris).
STEP_IRIS = 1 / 150
#: Half-length of the profile around the mesh's alare, iris diameters.
REACH_IRIS = 0.35
#: Half-height of the band averaged across the profile, iris diameters.
BAND_IRIS = 0.1
#: Scale of the preference for edges near the mesh's estimate, iris diameters.
PROXIMITY_IRIS = 0.35
#: Samples averaged along the profile.
SMOOTH_SAMPLES = 5
#: Smallest brightening (L* per iris diameter) accepted as the ala's edge.
MIN_SLOPE_L = 20.0


def mesh_alare_indices(frame: HeadFrame) -> tuple[int, int]:
    """Mesh indices of the most lateral alar-rim vertex on each side (right, left) in the head frame."""
    right = frame.points_px[list(ALAR_RIM_RIGHT), 0]
    left = frame.points_px[list(ALAR_RIM_LEFT), 0]
    return ALAR_RIM_RIGHT[int(np.argmin(right))], ALAR_RIM_LEFT[int(np.argmax(left))]


def refine_alare(image: FaceImage, *, iris_diameter_px: float) -> dict[str, RefinedPoint]:
    """Alare right and left in the head frame (the mesh's most lateral rim vertex where no edge shows).

    Parameters
    ----------
    image : FaceImage
    iris_diameter_px : float
        Visible iris diameter, the unit of every distance.
    """
    mesh_vertices = mesh_alare_indices(image.frame)
    d = iris_diameter_px
    step = STEP_IRIS * d
    out: dict[str, RefinedPoint] = {}
    for name, vertex, lateral in (("alare_right", mesh_vertices[0], -1.0), ("alare_left", mesh_vertices[1], 1.0)):
        mesh = image.frame.mesh_point(vertex)
        offsets = np.arange(-REACH_IRIS * d, REACH_IRIS * d + step / 2, step)
        lightness = band_profile(
            image,
            "lab",
            mesh,
            np.array([lateral, 0.0]),
            offsets,
            BAND_IRIS * d,
            float(image.frame.points_px[vertex, 2]),
        )[:, 0]
        where, slope = strongest_step(
            smooth(lightness, SMOOTH_SAMPLES), offsets, prior=0.0, proximity=PROXIMITY_IRIS * d, guard=SMOOTH_SAMPLES
        )
        if slope * d < MIN_SLOPE_L:
            out[name] = RefinedPoint(name, mesh, mesh, "mesh: no clear alar edge", False)
        else:
            xy = np.array([mesh[0] + lateral * where, mesh[1]])
            out[name] = RefinedPoint(name, xy, mesh, "image: ala-to-cheek edge at the widest rim vertex's height", True)
    return out
