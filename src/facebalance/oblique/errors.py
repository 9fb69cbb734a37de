"""Domain errors of the oblique (three-quarter) path.

They subclass the core's errors (:mod:`facebalance.errors`), so every boundary that already translates a
:class:`~facebalance.errors.FacebalanceError` (the CLI's clean exit, the app's HTTP 4xx) handles them
unchanged; ``code`` tells them apart.
"""

from __future__ import annotations

from facebalance.errors import FaceCutOff, FaceDetectionError, PoseOutOfRange


class NotAnObliqueView(PoseOutOfRange):
    """The photo is a frontal view or a profile, not a three-quarter (oblique) view."""

    code = "not_an_oblique"


class FarSideCutOff(FaceCutOff):
    """The far-side silhouette (temple, cheek, jaw or chin) runs off the edge of the photo."""

    code = "far_side_cut_off"


class ObliqueNotReadable(FaceDetectionError):
    """A face was found but its far-side silhouette could not be read."""

    code = "oblique_not_readable"
