"""The mouth corners (cheilia): the lateral ends of the dark oral fissure.

The mesh's corner vertices (61, 291) wander about 1 mm around the visible corner, most often medially,
into the fissure. The corner is read from the photo as the lateral end of the fissure's dark region
(:func:`facebalance.anatomy.refine.corner.dark_region_end`): lateral is toward the patient's right for the
right corner and the left for the left, so the two corners are found by mirror-image searches.
"""

from __future__ import annotations

from facebalance.anatomy.frame import RefinedPoint
from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.refine.corner import dark_region_end
from facebalance.anatomy.refine.sampling import FaceImage

#: Each corner, its mesh vertex and its lateral direction in the head frame (x toward the patient's left).
CORNERS: tuple[tuple[str, Landmark, float], ...] = (
    ("cheilion_right", Landmark.CHEILION_RIGHT, -1.0),
    ("cheilion_left", Landmark.CHEILION_LEFT, 1.0),
)


def refine_cheilia(image: FaceImage, *, iris_diameter_px: float) -> dict[str, RefinedPoint]:
    """Both mouth corners in the head frame; the mesh's where the fissure's end is not clear."""
    out: dict[str, RefinedPoint] = {}
    for name, vertex, lateral in CORNERS:
        mesh = image.frame.mesh_point(vertex)
        end = dark_region_end(
            image, mesh, float(image.frame.points_px[vertex, 2]), lateral, iris_diameter_px=iris_diameter_px
        )
        if end.xy is None:
            out[name] = RefinedPoint(name, mesh, mesh, f"mesh: oral fissure's end not read ({end.reason})", False)
        else:
            out[name] = RefinedPoint(name, end.xy, mesh, "image: lateral end of the dark oral fissure", True)
    return out
