"""Zone 3, lower face on the frontal view: lips, chin, jaw width, commissures.

References
----------
.. [1] Arnett GW, Bergman RT. Facial keys to orthodontic diagnosis and treatment planning. Part II.
       Am J Orthod Dentofacial Orthop. 1993;103(5):395-411 (upper lip : lower lip-chin = 1 : 2).
.. [2] Farkas LG. Anthropometry of the Head and Face. 2nd ed. Raven Press; 1994.
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import Landmark
from facebalance.zones.base import Measurement, Unit, Zone, length, ratio, signed_length, tilt_deg
from facebalance.zones.midface import alare_points


def stomion(frame: HeadFrame) -> np.ndarray:
    """Where the lips meet on the midline: read from the photo where the frame has it
    (:mod:`facebalance.anatomy.refine.vermilion`), else the midpoint of the inner upper- and lower-lip
    midline vertices."""
    found = frame.refined.get("stomion")
    if found is not None:
        return found.xy
    return np.asarray((frame.point(Landmark.STOMION_UPPER) + frame.point(Landmark.STOMION_LOWER)) / 2.0)


def measure_lower_face(frame: HeadFrame, *, calibration: Calibration) -> list[Measurement]:
    """Lip heights and ratio, lower-face ratio, mouth and jaw widths, chin height, commissure tilt.

    Returns ids ``upper_lip_height_mm`` (subnasale-stomion), ``lower_face_lower_part_mm``
    (stomion-menton), ``lower_face_ratio`` (subnasale-stomion / stomion-menton),
    ``upper_vermilion_height_mm``, ``lower_vermilion_height_mm``, ``upper_to_lower_lip_ratio``,
    ``mouth_width_mm``, ``mouth_to_alar_width_ratio``, ``chin_height_mm`` (labiomental fold to menton),
    ``bigonial_width_mm``, ``bigonial_to_bizygomatic_ratio``, ``commissure_tilt_{side}_deg``,
    ``interlabial_gap_mm``.
    """
    zone = Zone.LOWER_FACE
    p = frame.point
    sto = stomion(frame)
    upper_lip = length(
        "upper_lip_height_mm",
        zone,
        "Upper lip height (subnasale to stomion)",
        p(Landmark.SUBNASALE),
        sto,
        ("subnasale", "stomion"),
        calibration,
        frame.sigmas_px("subnasale", "stomion"),
    )
    lower_part = length(
        "lower_face_lower_part_mm",
        zone,
        "Stomion to menton",
        sto,
        p(Landmark.MENTON),
        ("stomion", "menton"),
        calibration,
        frame.sigmas_px("stomion", "menton"),
    )
    upper_verm = length(
        "upper_vermilion_height_mm",
        zone,
        "Upper vermilion height (labrale superius to stomion)",
        p(Landmark.LABRALE_SUPERIUS),
        sto,
        ("labrale_superius", "stomion"),
        calibration,
        frame.sigmas_px("labrale_superius", "stomion"),
    )
    lower_verm = length(
        "lower_vermilion_height_mm",
        zone,
        "Lower vermilion height (stomion to labrale inferius)",
        sto,
        p(Landmark.LABRALE_INFERIUS),
        ("stomion", "labrale_inferius"),
        calibration,
        frame.sigmas_px("stomion", "labrale_inferius"),
    )
    mouth = length(
        "mouth_width_mm",
        zone,
        "Mouth width (cheilion to cheilion)",
        p(Landmark.CHEILION_RIGHT),
        p(Landmark.CHEILION_LEFT),
        ("cheilion_right", "cheilion_left"),
        calibration,
        frame.sigmas_px("cheilion_right", "cheilion_left"),
    )
    alar_right, alar_left = alare_points(frame)
    alar = length(
        "alar_width_mm",
        zone,
        "Alar width",
        alar_right,
        alar_left,
        ("alare_right", "alare_left"),
        calibration,
        frame.sigmas_px("alare_right", "alare_left"),
    )
    bigonial = length(
        "bigonial_width_mm",
        zone,
        "Bigonial width (gonion proxies)",
        p(Landmark.GONION_RIGHT),
        p(Landmark.GONION_LEFT),
        ("gonion_right", "gonion_left"),
        calibration,
    )
    bizygomatic = length(
        "bizygomatic_width_mm",
        zone,
        "Bizygomatic width",
        p(Landmark.ZYGION_RIGHT),
        p(Landmark.ZYGION_LEFT),
        ("zygion_right", "zygion_left"),
        calibration,
    )
    gap = p(Landmark.STOMION_LOWER)[1] - p(Landmark.STOMION_UPPER)[1]
    out = [
        upper_lip,
        lower_part,
        ratio("lower_face_ratio", zone, "Subnasale-stomion / stomion-menton", upper_lip, lower_part, calibration),
        upper_verm,
        lower_verm,
        ratio("upper_to_lower_lip_ratio", zone, "Upper / lower vermilion height", upper_verm, lower_verm, calibration),
        mouth,
        ratio("mouth_to_alar_width_ratio", zone, "Mouth width / alar width", mouth, alar, calibration),
        length(
            "chin_height_mm",
            zone,
            "Chin height (labiomental fold to menton)",
            p(Landmark.LABIOMENTAL_FOLD),
            p(Landmark.MENTON),
            ("labiomental_fold", "menton"),
            calibration,
            frame.sigmas_px("labiomental_fold", "menton"),
        ),
        bigonial,
        ratio(
            "bigonial_to_bizygomatic_ratio", zone, "Bigonial / bizygomatic width", bigonial, bizygomatic, calibration
        ),
        signed_length(
            "interlabial_gap_mm",
            zone,
            "Interlabial gap at the midline (0 = lips closed)",
            max(0.0, float(gap)),
            ("stomion_upper", "stomion_lower"),
            calibration,
        ),
    ]
    for side, corner in (("right", Landmark.CHEILION_RIGHT), ("left", Landmark.CHEILION_LEFT)):
        angle, sigma = tilt_deg(sto, p(corner), calibration, frame.sigmas_px("stomion", f"cheilion_{side}"))
        out.append(
            Measurement(
                f"commissure_tilt_{side}_deg",
                zone,
                angle,
                sigma,
                Unit.DEG,
                f"Commissure tilt from stomion; negative = corner turned down ({side})",
                ("stomion", f"cheilion_{side}"),
            )
        )
    return out
