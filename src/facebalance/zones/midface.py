"""Zone 2, midface on the frontal view: intercanthal, alar and bizygomatic widths, midface height.

References
----------
.. [1] Farkas LG. Anthropometry of the Head and Face. 2nd ed. Raven Press; 1994.
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import Landmark
from facebalance.anatomy.refine.alae import mesh_alare_indices
from facebalance.zones.base import Measurement, Zone, length, ratio


def alare_points(frame: HeadFrame) -> tuple[np.ndarray, np.ndarray]:
    """The most lateral alar point on each side (right, left), frontal plane: read from the photo where the
    frame has it (:mod:`facebalance.anatomy.refine.alae`), else the most lateral alar-rim vertex."""
    right, left = mesh_alare_indices(frame)
    found_right, found_left = frame.refined.get("alare_right"), frame.refined.get("alare_left")
    return (
        found_right.xy if found_right is not None else frame.mesh_point(right),
        found_left.xy if found_left is not None else frame.mesh_point(left),
    )


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
        frame.sigmas_px("medial_canthus_right", "medial_canthus_left"),
    )
    ipd = length(
        "interpupillary_distance_mm",
        zone,
        "Interpupillary distance",
        p(Landmark.PUPIL_RIGHT),
        p(Landmark.PUPIL_LEFT),
        ("pupil_right", "pupil_left"),
        calibration,
        frame.sigmas_px("pupil_right", "pupil_left"),
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
        frame.sigmas_px("alare_right", "alare_left"),
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
