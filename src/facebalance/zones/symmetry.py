"""Zone 5 (static part): left/right differences and deviation from the facial midline.

The facial midline is the head-frame vertical through the midpoint of the medial canthi (perpendicular
to the interpupillary line). Paired differences are signed ``left - right`` (patient's sides); midline
deviations are signed positive toward the patient's left. Whether a difference is *noticed* is judged
later against the thresholds in the norms data (eyelid 2 mm, commissure 3 mm, brow 3.5 mm, nasal tip
4 mm, chin 6 mm).
"""

from __future__ import annotations

from facebalance.anatomy.calibration import Calibration
from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import Landmark
from facebalance.zones.base import Measurement, Unit, Zone, signed_length
from facebalance.zones.lower_face import stomion
from facebalance.zones.midface import alare_points


def midline_x(frame: HeadFrame) -> float:
    """Head-frame x of the facial midline (midpoint of the medial canthi)."""
    return float((frame.point(Landmark.MEDIAL_CANTHUS_RIGHT)[0] + frame.point(Landmark.MEDIAL_CANTHUS_LEFT)[0]) / 2)


def measure_symmetry(
    frame: HeadFrame, *, calibration: Calibration, paired: dict[str, Measurement]
) -> list[Measurement]:
    """Left/right differences and midline deviations.

    Parameters
    ----------
    frame : HeadFrame
    calibration : Calibration
    paired : dict of str to Measurement
        Already-measured per-side quantities (from the other zones) whose left-right difference is wanted,
        e.g. ``brow_height_left_mm`` and ``brow_height_right_mm``.

    Returns
    -------
    list of Measurement
        ``brow_height_asymmetry_mm``, ``palpebral_fissure_height_asymmetry_mm``,
        ``commissure_height_asymmetry_mm``, ``alar_asymmetry_mm``, ``jaw_asymmetry_mm``,
        ``nasal_tip_deviation_mm``, ``chin_deviation_mm``.
    """
    zone = Zone.SYMMETRY
    mid = midline_x(frame)
    p = frame.point
    out: list[Measurement] = []

    for id_, base, label in (
        ("brow_height_asymmetry_mm", "brow_height", "Brow height, left minus right"),
        ("palpebral_fissure_height_asymmetry_mm", "palpebral_fissure_height", "Eyelid opening, left minus right"),
    ):
        left, right = paired.get(f"{base}_left_mm"), paired.get(f"{base}_right_mm")
        if left is None or right is None or left.value is None or right.value is None:
            out.append(Measurement(id_, zone, None, None, Unit.MM, label, (), "one side was not measurable"))
            continue
        assert left.uncertainty is not None and right.uncertainty is not None
        # Both sides share the scale; the difference keeps the landmark noise of both.
        sigma = (2 * calibration.point_sigma_px**2 * 2) ** 0.5 * calibration.mm_per_px
        out.append(Measurement(id_, zone, left.value - right.value, sigma, Unit.MM, label, left.points + right.points))

    # Heights of the mouth corners relative to the interpupillary line (y down -> below is positive).
    corner_right, corner_left = p(Landmark.CHEILION_RIGHT), p(Landmark.CHEILION_LEFT)
    out.append(
        signed_length(
            "commissure_height_asymmetry_mm",
            zone,
            "Mouth-corner height, left minus right (positive = left corner higher)",
            float(corner_right[1] - corner_left[1]),
            ("cheilion_right", "cheilion_left"),
            calibration,
            frame.sigmas_px("cheilion_right", "cheilion_left"),
        )
    )
    alar_right, alar_left = alare_points(frame)
    out.append(
        signed_length(
            "alar_asymmetry_mm",
            zone,
            "Ala distance from the midline, left minus right",
            float((alar_left[0] - mid) - (mid - alar_right[0])),
            ("alare_right", "alare_left"),
            calibration,
            frame.sigmas_px("alare_right", "alare_left"),
        )
    )
    gon_right, gon_left = p(Landmark.GONION_RIGHT), p(Landmark.GONION_LEFT)
    out.append(
        signed_length(
            "jaw_asymmetry_mm",
            zone,
            "Jaw-angle distance from the midline, left minus right",
            float((gon_left[0] - mid) - (mid - gon_right[0])),
            ("gonion_right", "gonion_left"),
            calibration,
        )
    )
    out.append(
        signed_length(
            "nasal_tip_deviation_mm",
            zone,
            "Nasal tip deviation from the facial midline (positive = toward the patient's left)",
            float(p(Landmark.PRONASALE)[0] - mid),
            ("pronasale", "medial_canthi_midpoint"),
            calibration,
        )
    )
    out.append(
        signed_length(
            "chin_deviation_mm",
            zone,
            "Chin deviation from the facial midline (positive = toward the patient's left)",
            float(p(Landmark.SOFT_TISSUE_POGONION)[0] - mid),
            ("soft_tissue_pogonion", "medial_canthi_midpoint"),
            calibration,
        )
    )
    out.append(
        signed_length(
            "stomion_deviation_mm",
            zone,
            "Lip midline deviation from the facial midline (positive = toward the patient's left)",
            float(stomion(frame)[0] - mid),
            ("stomion", "medial_canthi_midpoint"),
            calibration,
        )
    )
    return out
