"""The session assessment's entry point: every photo of a session in, one :class:`SessionAssessment` out.

:func:`assess_session` identifies each photo's view (the given one, else the protocol's view identification,
else a view id in the file name), analyses the frontal photo first (its ruler is the session's scale), then
the profiles (the frontal scale carried over, :mod:`facebalance.profile.calibration`) and the obliques (their
turned-iris ruler combined with the frontal carry-over, :mod:`facebalance.oblique.calibration`), runs the
dynamic assessment on the rest and expression photos, the cross-view relations, and sorts every finding into
the five zones (:mod:`facebalance.assess.zones`). One photo that cannot be read never stops the session: its
view is ``refused`` with the domain error's message and hint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from facebalance.assess.result import SessionAssessment, SessionPhoto
from facebalance.findings import FindingRules
from facebalance.norms import NormSet
from facebalance.session.protocol import Protocol
from facebalance.vision import FaceLandmarker

_NO_SKIPS: Mapping[str, str] = MappingProxyType({})


def assess_session(
    photos: Sequence[SessionPhoto],
    *,
    skipped: Mapping[str, str] = _NO_SKIPS,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms: NormSet | None = None,
    rules: FindingRules | None = None,
    protocol: Protocol | None = None,
    known_ipd_mm: float | None = None,
    landmarker: FaceLandmarker | None = None,
    progress: Callable[[str], None] | None = None,
) -> SessionAssessment:
    """Assess a whole photo session.

    Parameters
    ----------
    photos : sequence of SessionPhoto
        The session's photos, in any order; ``view_id=None`` photos are identified from the photo.
    skipped : mapping of str to str
        Views the clinic skipped, with the reason (``{"oblique_left": "patient declined"}``).
    sex : {"female", "male"}, optional
    ethnicity : str, optional
        Selects the norm population (``norms/data/populations.toml``).
    norms : NormSet, optional
        The norm set (a clinic's layered over the default); the default otherwise.
    rules : FindingRules, optional
        The frontal finding rules (a clinic's layered over the default); the default otherwise.
    protocol : Protocol, optional
        The photo protocol; the packaged default otherwise.
    known_ipd_mm : float, optional
        The clinic-measured interpupillary distance: the frontal ruler (replaces marker and iris).
    landmarker : FaceLandmarker, optional
        An open landmarker to reuse; one is opened and closed otherwise.
    progress : callable, optional
        Called with a short line before each step (``"oblique_left: oblique_left.jpg"``).

    Returns
    -------
    SessionAssessment

    Raises
    ------
    ValueError
        ``sex`` is not ``"female"``, ``"male"`` or ``None``, or a skipped view is not in the protocol. A photo
        that cannot be read never raises: its view is ``refused`` with the reason.
    """
    raise NotImplementedError
