"""Domain errors of the profile path.

They subclass the core's errors (:mod:`facebalance.errors`), so every boundary that already translates a
:class:`~facebalance.errors.FacebalanceError` (the CLI's clean exit, the app's HTTP 4xx) handles them
unchanged; ``code`` tells them apart.
"""

from __future__ import annotations

from facebalance.errors import FaceCutOff, FaceDetectionError, NoFaceFound, PoseOutOfRange


class NotAProfileView(PoseOutOfRange):
    """The photo is a frontal or three-quarter view, not a lateral (90 degree) profile."""

    code = "not_a_profile"


class NoPersonFound(NoFaceFound):
    """The segmentation found no person against the backdrop."""

    code = "no_person"


class BusyBackdrop(FaceDetectionError):
    """The backdrop behind the profile is not plain enough to trace the facial outline."""

    code = "busy_backdrop"


class HeadCutOff(FaceCutOff):
    """The head (crown, face or chin) runs off the edge of the photo."""

    code = "head_cut_off"


class ProfileNotReadable(FaceDetectionError):
    """A profile outline was found but its landmarks could not be located on it."""

    code = "profile_not_readable"
