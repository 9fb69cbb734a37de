"""How far the head is turned on a lateral photo, and what that does to the profile's measurements (pure).

A true profile photo looks at the face from the side: the head is turned 90 degrees (yaw 90). A head
turned less shows its sagittal plane obliquely: **distances along the face's anterior axis are
foreshortened by** ``sin(yaw)`` while vertical ones are not, so lip-to-line distances shrink and the
angles between anterior and vertical directions open or close. Given the yaw, the anterior coordinate
``u`` of every landmark is stretched back by ``1 / sin(yaw)`` before measuring
(:func:`facebalance.profile.measurements.measure_profile`); the uncertainty of the yaw is carried into
each measurement's uncertainty (the measurement is evaluated at the yaw one sigma either side, capped at
90 degrees).

The silhouette of a turned face is the midsagittal profile only where the face is a narrow ridge (the
nasal dorsum and tip); over broad curves (the lips, the chin) the outermost point lies a little off the
midline and a little in front of it, more so the less the head is turned. That is not corrected; it is
why photos far from 90 degrees read the lips slightly ahead of where annotators place them.

Where the yaw comes from (:func:`estimate_yaw`):

* **the face mesh's head pose**, when the mesh holds and says at least :data:`PROFILE_MIN_YAW_DEG`
  (sigma ``profile_yaw_mesh_sigma_deg``);
* **the face mesh held, but says less**: the mesh under-reads large turns (it is fitted to faces up to
  about 60 degrees), and the photo reads as a profile, so the yaw is taken as uniform between
  :data:`PROFILE_MIN_YAW_DEG` and ``profile_yaw_mesh_limit_deg`` (the turn up to which the mesh holds);
* **no face mesh**: the head is turned beyond where the mesh holds: uniform between
  ``profile_yaw_mesh_limit_deg`` and 90.

The constants are references in the norm set (``profile_yaw_*``, review state ``working``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from facebalance.norms import NormSet

#: A photo read as a profile has the head turned at least this far (below it the far cheek forms the
#: outline, not the profile).
PROFILE_MIN_YAW_DEG = 60.0
#: Defaults of the norm-set references, used when a clinic's norm file leaves them out.
DEFAULT_MESH_SIGMA_DEG = 8.0
DEFAULT_MESH_LIMIT_DEG = 75.0


@dataclass(frozen=True)
class YawEstimate:
    """The head's turn on a lateral photo.

    Attributes
    ----------
    yaw_deg : float
        90 for a true profile; less for a head turned partly toward the camera.
    sigma_deg : float
        One-sigma uncertainty (the standard deviation of a uniform range when the yaw is only bounded).
    source : str
        How it was found, in words for the report.
    """

    yaw_deg: float
    sigma_deg: float
    source: str

    @property
    def foreshortening(self) -> float:
        """``sin(yaw)``: the factor the face's anterior distances appear multiplied by."""
        return math.sin(math.radians(min(90.0, self.yaw_deg)))

    def at(self, yaw_deg: float) -> YawEstimate:
        """The same estimate at another yaw (for the uncertainty), capped at 90 degrees."""
        return YawEstimate(min(90.0, yaw_deg), self.sigma_deg, self.source)


def _uniform(lo: float, hi: float, source: str) -> YawEstimate:
    return YawEstimate((lo + hi) / 2.0, (hi - lo) / math.sqrt(12.0), source)


def yaw_references(norms: NormSet | None) -> tuple[float, float]:
    """The mesh's yaw sigma and the turn up to which the mesh holds, from the norm set (degrees)."""
    refs = norms.references if norms is not None else {}
    sigma = refs["profile_yaw_mesh_sigma_deg"].value if "profile_yaw_mesh_sigma_deg" in refs else DEFAULT_MESH_SIGMA_DEG
    limit = refs["profile_yaw_mesh_limit_deg"].value if "profile_yaw_mesh_limit_deg" in refs else DEFAULT_MESH_LIMIT_DEG
    return sigma, limit


def estimate_yaw(mesh_yaw_deg: float | None, *, norms: NormSet | None = None) -> YawEstimate:
    """The yaw of a photo read as a profile, from the face mesh's head pose when it held.

    Parameters
    ----------
    mesh_yaw_deg : float or None
        The face mesh's yaw (either sign), or ``None`` when no mesh was found.
    norms : NormSet, optional
        Holds ``profile_yaw_mesh_sigma_deg`` and ``profile_yaw_mesh_limit_deg``.

    Examples
    --------
    >>> estimate_yaw(None).yaw_deg, round(estimate_yaw(None).sigma_deg, 2)
    (82.5, 4.33)
    >>> estimate_yaw(-70.0).yaw_deg, estimate_yaw(-70.0).sigma_deg
    (70.0, 8.0)
    >>> estimate_yaw(42.0).yaw_deg
    67.5
    """
    sigma, limit = yaw_references(norms)
    if mesh_yaw_deg is None:
        return _uniform(limit, 90.0, f"not measured: no face mesh, so turned beyond about {limit:.0f} deg")
    yaw = abs(mesh_yaw_deg)
    if yaw >= PROFILE_MIN_YAW_DEG:
        return YawEstimate(min(90.0, yaw), sigma, "face mesh head pose")
    return _uniform(
        PROFILE_MIN_YAW_DEG,
        limit,
        f"face mesh held (it reads {yaw:.0f} deg, under-reading large turns): between "
        f"{PROFILE_MIN_YAW_DEG:.0f} and {limit:.0f} deg",
    )
