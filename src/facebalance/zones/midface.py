"""Zone 2, midface on the frontal view: intercanthal, alar and bizygomatic widths, midface height.

References
----------
.. [1] Farkas LG. Anthropometry of the Head and Face. 2nd ed. Raven Press; 1994.
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import ALAR_RIM_LEFT, ALAR_RIM_RIGHT, Landmark
from facebalance.zones.base import Measurement, Zone, length, ratio


def alare_indices(frame: HeadFrame) -> tuple[int, int]:
    """Mesh indices of the most lateral alar-rim vertex on each side (right, left) in the head frame."""
    right = frame.points_px[list(ALAR_RIM_RIGHT), 0]
    left = frame.points_px[list(ALAR_RIM_LEFT), 0]
    return ALAR_RIM_RIGHT[int(np.argmin(right))], ALAR_RIM_LEFT[int(np.argmax(left))]


def alare_points(frame: HeadFrame) -> tuple[np.ndarray, np.ndarray]:
    """The most lateral alar-rim point on each side (right, left), frontal plane."""
    right, left = alare_indices(frame)
    return frame.point(right), frame.point(left)


def measure_midface(frame: HeadFrame, *, calibration: Calibration) -> list[Measurement]:
    """Midface widths and height.

    Returns ids ``intercanthal_width_mm`` (medial canthi), ``interpupillary_distance_mm``,
    ``alar_width_mm`` (widest alae), ``alar_to_intercanthal_ratio``, ``bizygomatic_width_mm`` (zygion
    proxies), ``midface_height_mm`` (soft-tissue nasion to subnasale).
    """
    zone = Zone.MIDFACE
    p = frame.point
    intercanthal = length(
        "intercanthal_width_mm",
        zone,
        "Intercanthal width (medial canthi)",
        p(Landmark.MEDIAL_CANTHUS_RIGHT),
        p(Landmark.MEDIAL_CANTHUS_LEFT),
        ("medial_canthus_right", "medial_canthus_left"),
        calibration,
    )
    ipd = length(
        "interpupillary_distance_mm",
        zone,
        "Interpupillary distance",
        p(Landmark.PUPIL_RIGHT),
        p(Landmark.PUPIL_LEFT),
        ("pupil_right", "pupil_left"),
        calibration,
    )
    alar_right, alar_left = alare_points(frame)
    alar = length(
        "alar_width_mm",
        zone,
        "Alar width (widest alae)",
        alar_right,
        alar_left,
        ("alare_right", "alare_left"),
        calibration,
    )
    return [
        intercanthal,
        ipd,
        alar,
        ratio("alar_to_intercanthal_ratio", zone, "Alar width / intercanthal width", alar, intercanthal, calibration),
        length(
            "bizygomatic_width_mm",
            zone,
            "Bizygomatic width (zygion proxies)",
            p(Landmark.ZYGION_RIGHT),
            p(Landmark.ZYGION_LEFT),
            ("zygion_right", "zygion_left"),
            calibration,
        ),
        length(
            "midface_height_mm",
            zone,
            "Midface height (soft-tissue nasion to subnasale)",
            p(Landmark.SOFT_TISSUE_NASION),
            p(Landmark.SUBNASALE),
            ("soft_tissue_nasion", "subnasale"),
            calibration,
        ),
    ]
