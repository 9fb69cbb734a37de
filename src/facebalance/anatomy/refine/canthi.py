"""The eye corners: the medial canthi read from the photo, the lateral canthi from the mesh.

**Medial canthus.** The lid margins meet medially in a small dark corner. Its medial end
(:func:`facebalance.anatomy.refine.corner.dark_region_end`, searching toward the midline) gives the
corner's horizontal position. The dark region there is mostly the upper lid's margin, which lies above
the corner itself, so the height stays the mesh's (about 0.6 mm SD on the London set): the point is the
image's x at the mesh's y.

**Lateral canthus.** The same search laterally follows the lashes and crow's feet beyond the corner
(about 2 mm too far out on the London set, no less scatter than the mesh), so the lateral canthus keeps
the mesh vertex, stated as such with the mesh's larger uncertainty.
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.frame import RefinedPoint
from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.refine.corner import dark_region_end
from facebalance.anatomy.refine.sampling import FaceImage

#: Each medial canthus, its mesh vertex and the direction of the midline from it (head-frame x).
MEDIAL: tuple[tuple[str, Landmark, float], ...] = (
    ("medial_canthus_right", Landmark.MEDIAL_CANTHUS_RIGHT, 1.0),
    ("medial_canthus_left", Landmark.MEDIAL_CANTHUS_LEFT, -1.0),
)
LATERAL: tuple[tuple[str, Landmark], ...] = (
    ("lateral_canthus_right", Landmark.LATERAL_CANTHUS_RIGHT),
    ("lateral_canthus_left", Landmark.LATERAL_CANTHUS_LEFT),
)


def refine_canthi(image: FaceImage, *, iris_diameter_px: float) -> dict[str, RefinedPoint]:
    """Medial canthi placed horizontally on the photo; lateral canthi from the mesh."""
    out: dict[str, RefinedPoint] = {}
    for name, vertex, medial in MEDIAL:
        mesh = image.frame.mesh_point(vertex)
        end = dark_region_end(
            image, mesh, float(image.frame.points_px[vertex, 2]), medial, iris_diameter_px=iris_diameter_px
        )
        if end.xy is None:
            out[name] = RefinedPoint(name, mesh, mesh, f"mesh: eye corner not read ({end.reason})", False)
        else:
            out[name] = RefinedPoint(
                name,
                np.array([end.xy[0], mesh[1]]),
                mesh,
                "image: medial end of the meeting lid margins (horizontal); mesh height",
                True,
            )
    for name, vertex in LATERAL:
        mesh = image.frame.mesh_point(vertex)
        out[name] = RefinedPoint(name, mesh, mesh, "mesh: lateral canthus (the image search follows the lashes)", False)
    return out
