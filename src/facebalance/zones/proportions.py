"""Whole-face proportions on the frontal view: facial thirds and vertical fifths.

Thirds: trichion-glabella, glabella-subnasale, subnasale-menton. The hairline (trichion) is not on the
mesh; it is detected from the image (:mod:`facebalance.anatomy.hairline`) and when it cannot be found
the upper third is reported as not measurable, never guessed. The upper third also depends on hair
style and recession, which the report states.

Fifths: the face width at eye level (zygion proxies) divided at the canthi: right lateral fifth, right
eye, intercanthal, left eye, left lateral fifth. Ideal: five equal parts (the neoclassical canon).

References
----------
.. [1] Farkas LG, Hreczko TA, Kolar JC, Munro IR. Vertical and horizontal proportions of the face in young
       adult North American Caucasians: revision of neoclassical canons. Plast Reconstr Surg.
       1985;75(3):328-38.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import Landmark
from facebalance.zones.base import Measurement, Unit, Zone, length, not_measurable, ratio

HAIRLINE_CAVEAT = "depends on hairline position (hair style, recession); the bony upper third is not visible"


def measure_proportions(
    frame: HeadFrame,
    *,
    calibration: Calibration,
    trichion_xy: np.ndarray | None,
    hairline_reason: str = "",
    trichion_sigma_px: float = 0.0,
) -> list[Measurement]:
    """Facial thirds and vertical fifths.

    Parameters
    ----------
    frame : HeadFrame
    calibration : Calibration
    trichion_xy : ndarray of shape (2,) or None
        The hairline point in head-frame pixels, or ``None`` when it was not found.
    hairline_reason : str
        Why the hairline was not found (reported with the not-measurable values).
    trichion_sigma_px : float
        One-sigma error of the detected hairline along the midline (much larger than a mesh landmark's),
        added to the upper third's uncertainty.
    """
    zone = Zone.PROPORTIONS
    p = frame.point
    middle = length(
        "middle_third_mm",
        zone,
        "Middle third (glabella to subnasale)",
        p(Landmark.GLABELLA),
        p(Landmark.SUBNASALE),
        ("glabella", "subnasale"),
        calibration,
    )
    lower = length(
        "lower_third_mm",
        zone,
        "Lower third (subnasale to menton)",
        p(Landmark.SUBNASALE),
        p(Landmark.MENTON),
        ("subnasale", "menton"),
        calibration,
        frame.sigmas_px("subnasale", "menton"),
    )
    out = [
        middle,
        lower,
        ratio("lower_to_middle_third_ratio", zone, "Lower third / middle third", lower, middle, calibration),
    ]
    if trichion_xy is None:
        reason = hairline_reason or "the hairline was not found"
        out.append(not_measurable("upper_third_mm", zone, Unit.MM, "Upper third (trichion to glabella)", reason))
        out.append(
            not_measurable("upper_to_middle_third_ratio", zone, Unit.RATIO, "Upper third / middle third", reason)
        )
    else:
        upper = length(
            "upper_third_mm",
            zone,
            f"Upper third (trichion to glabella; {HAIRLINE_CAVEAT})",
            trichion_xy,
            p(Landmark.GLABELLA),
            ("trichion", "glabella"),
            calibration,
        )
        upper = replace(
            upper, uncertainty=float(np.hypot(upper.uncertainty or 0.0, trichion_sigma_px * calibration.mm_per_px))
        )
        out.append(upper)
        out.append(ratio("upper_to_middle_third_ratio", zone, "Upper third / middle third", upper, middle, calibration))

    xs = [
        p(Landmark.ZYGION_RIGHT),
        p(Landmark.LATERAL_CANTHUS_RIGHT),
        p(Landmark.MEDIAL_CANTHUS_RIGHT),
        p(Landmark.MEDIAL_CANTHUS_LEFT),
        p(Landmark.LATERAL_CANTHUS_LEFT),
        p(Landmark.ZYGION_LEFT),
    ]
    names = [
        "zygion_right",
        "lateral_canthus_right",
        "medial_canthus_right",
        "medial_canthus_left",
        "lateral_canthus_left",
        "zygion_left",
    ]
    width_px = float(xs[-1][0] - xs[0][0])
    fifth_ids = ["fifth_lateral_right", "fifth_eye_right", "fifth_central", "fifth_eye_left", "fifth_lateral_left"]
    for i, id_ in enumerate(fifth_ids):
        span = float(xs[i + 1][0] - xs[i][0])
        frac = span / width_px
        sigma = float(
            np.hypot(
                np.sqrt(2) * calibration.point_sigma_px / width_px,
                frac * np.sqrt(2) * calibration.point_sigma_px / width_px,
            )
        )
        out.append(
            # Horizontal spans only: fifths are defined by vertical lines through the points.
            _fraction(
                f"{id_}_fraction",
                zone,
                f"Vertical fifth {id_.removeprefix('fifth_').replace('_', ' ')} "
                "as a fraction of face width (ideal 0.2)",
                frac,
                sigma,
                (names[i], names[i + 1]),
            )
        )
    return out


def _fraction(id_: str, zone: Zone, label: str, value: float, sigma: float, points: tuple[str, ...]) -> Measurement:
    return Measurement(id_, zone, value, sigma, Unit.FRACTION, label, points)
