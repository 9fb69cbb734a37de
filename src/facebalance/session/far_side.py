"""The far-side check of a three-quarter photo at capture: can the oblique analysis read its silhouette?

A three-quarter photo is taken for the silhouette of the far cheek (:mod:`facebalance.oblique`). Whether the
pose is right is the pose check's; this check runs the oblique analysis itself, so that a photo whose far
cheek is cut off, hidden behind the nose (turned too far) or lost against the backdrop is retaken while the
patient is still in the chair.
"""

from __future__ import annotations

import os

from facebalance.errors import FacebalanceError
from facebalance.session.quality import Check
from facebalance.vision import FaceLandmarker


def far_side_check(source: str | os.PathLike[str] | bytes, *, landmarker: FaceLandmarker) -> Check:
    """``pass`` when the far-side silhouette is read and found on the photo's edges over at least the oblique
    path's least fraction; ``warn`` when it is read but mostly follows the face mesh, or when the oblique
    analysis refuses the photo (with its reason and what to retake: the pose check already fails a photo
    turned far off the protocol, so this check adds a warning, not a second failure). The value is the
    fraction found on an edge."""
    from facebalance.oblique.analysis import MIN_EDGE_FOUND_FRACTION, analyze_oblique

    try:
        result = analyze_oblique(source, landmarker=landmarker)
    except FacebalanceError as exc:
        return Check(
            "far_side",
            "warn",
            None,
            MIN_EDGE_FOUND_FRACTION,
            f"the oblique analysis cannot read this photo: {exc.message} {exc.hint}".strip(),
        )
    found = result.assessment.outline.edge_found_fraction
    if found < MIN_EDGE_FOUND_FRACTION:
        return Check(
            "far_side",
            "warn",
            found,
            MIN_EDGE_FOUND_FRACTION,
            f"the far cheek's edge was found on only {found:.0%} of its silhouette; a plainer backdrop behind the "
            "far cheek, or hair kept off it, makes it readable",
        )
    return Check(
        "far_side", "pass", found, MIN_EDGE_FOUND_FRACTION, f"far-side silhouette read ({result.assessment.side} cheek)"
    )
