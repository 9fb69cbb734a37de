"""Zone 1, upper face: brow position and shape, canthal tilt, palpebral fissures (frontal view).

Heights are measured in the head frame, perpendicular to the interpupillary line ("straight up"), from
each eye's own pupil centre to the brow's upper margin. ``left``/``right`` are the patient's.

References
----------
.. [1] Gunter JP, Antrobus SD. Aesthetic analysis of the eyebrows. Plast Reconstr Surg. 1997;99(7):1808-16.
.. [2] Roth JM, Metzinger SE. Quantifying the arch position of the female eyebrow. Arch Facial Plast Surg.
       2003;5(3):235-9.
"""

from __future__ import annotations

import numpy as np

from facebalance.anatomy.calibration import Calibration
from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import BROW_UPPER_LEFT, BROW_UPPER_RIGHT, Landmark
from facebalance.zones.base import (
    Measurement,
    Unit,
    Zone,
    length,
    not_measurable,
    polyline_y_at,
    signed_length,
    tilt_deg,
)

_SIDES = {
    "right": (
        Landmark.PUPIL_RIGHT,
        Landmark.MEDIAL_CANTHUS_RIGHT,
        Landmark.LATERAL_CANTHUS_RIGHT,
        Landmark.UPPER_LID_RIGHT,
        Landmark.LOWER_LID_RIGHT,
        BROW_UPPER_RIGHT,
    ),
    "left": (
        Landmark.PUPIL_LEFT,
        Landmark.MEDIAL_CANTHUS_LEFT,
        Landmark.LATERAL_CANTHUS_LEFT,
        Landmark.UPPER_LID_LEFT,
        Landmark.LOWER_LID_LEFT,
        BROW_UPPER_LEFT,
    ),
}


def brow_apex_fraction(brow_xy: np.ndarray, medial_x: float, lateral_x: float) -> float:
    """Where the brow peaks along the eye, 0 = over the medial canthus, 1 = over the lateral canthus.

    The apex is the vertex of a parabola fitted to the brow's upper margin (y down, so the apex is the
    minimum of y), which is steadier than picking one of the few mesh vertices.

    Examples
    --------
    >>> xs = np.array([0.0, 10, 20, 30, 40])
    >>> brow = np.column_stack([xs, (xs - 30.0) ** 2 / 100 - 20])
    >>> round(brow_apex_fraction(brow, medial_x=0.0, lateral_x=40.0), 3)
    0.75
    """
    a, b, _ = np.polyfit(brow_xy[:, 0], brow_xy[:, 1], 2)
    apex_x = -b / (2 * a) if a > 0 else float(brow_xy[np.argmin(brow_xy[:, 1]), 0])
    return float((apex_x - medial_x) / (lateral_x - medial_x))


def measure_upper_face(
    frame: HeadFrame, *, calibration: Calibration, brow_margins: dict[str, np.ndarray] | None = None
) -> list[Measurement]:
    """Brow heights, brow apex, lateral-brow drop, canthal tilt and palpebral fissures for both eyes.

    Parameters
    ----------
    frame : HeadFrame
        Mesh points in the head-aligned frame (pixels).
    calibration : Calibration
        Scale and landmark noise.
    brow_margins : dict, optional
        ``{"right": (5, 2) array, "left": ...}`` upper-margin points refined from the image
        (:func:`facebalance.anatomy.brow.refine_brow_margin`), lateral to medial; the mesh's brow
        vertices are used when absent.

    Returns
    -------
    list of Measurement
        Ids ``brow_height_{side}_mm`` (mid-pupil), ``brow_height_medial_{side}_mm``,
        ``brow_height_lateral_{side}_mm``, ``brow_apex_position_{side}``, ``lateral_brow_drop_{side}_mm``,
        ``canthal_tilt_{side}_deg``, ``palpebral_fissure_width_{side}_mm``,
        ``palpebral_fissure_height_{side}_mm`` for side in right, left.
    """
    out: list[Measurement] = []
    zone = Zone.UPPER_FACE
    for side, (pupil_i, medial_i, lateral_i, upper_i, lower_i, brow_idx) in _SIDES.items():
        pupil, medial, lateral = frame.point(pupil_i), frame.point(medial_i), frame.point(lateral_i)
        brow = brow_margins[side] if brow_margins else frame.points_px[list(brow_idx), :2]
        brow_pts = (f"brow_upper_margin_{side}",)
        heights: dict[str, Measurement] = {}
        for where, x, extra in (
            ("", pupil[0], "mid_pupil_vertical"),
            ("medial_", medial[0], f"medial_canthus_{side}"),
            ("lateral_", lateral[0], f"lateral_canthus_{side}"),
        ):
            mid = "mid-pupil" if not where else where.rstrip("_")
            id_ = f"brow_height_{where}{side}_mm"
            label = f"Brow height above the pupil at the {mid} point ({side})"
            y = polyline_y_at(brow, float(x))
            if y is None:
                heights[where] = not_measurable(
                    id_, zone, Unit.MM, label, "the brow margin does not reach over this point"
                )
            else:
                heights[where] = signed_length(
                    id_, zone, label, pupil[1] - y, (f"pupil_{side}", extra, *brow_pts), calibration
                )
            out.append(heights[where])

        medial_h, lateral_h = heights["medial_"], heights["lateral_"]
        drop_id = f"lateral_brow_drop_{side}_mm"
        drop_label = f"Lateral brow drop: medial minus lateral brow height ({side}); positive = tail lower"
        if medial_h.value is not None and lateral_h.value is not None:
            assert medial_h.uncertainty is not None and lateral_h.uncertainty is not None
            sigma = float(
                np.hypot(
                    calibration.point_sigma_px * calibration.mm_per_px * np.sqrt(2.0),
                    abs(medial_h.value - lateral_h.value) * calibration.relative_uncertainty,
                )
            )
            out.append(
                Measurement(
                    drop_id,
                    zone,
                    medial_h.value - lateral_h.value,
                    sigma,
                    Unit.MM,
                    drop_label,
                    (f"medial_canthus_{side}", f"lateral_canthus_{side}", *brow_pts),
                )
            )
        else:
            out.append(not_measurable(drop_id, zone, Unit.MM, drop_label, "a brow height was not measurable"))

        apex = brow_apex_fraction(brow, float(medial[0]), float(lateral[0]))
        apex_sigma = calibration.point_sigma_px / abs(float(lateral[0] - medial[0]))
        out.append(
            Measurement(
                f"brow_apex_position_{side}",
                zone,
                apex,
                float(apex_sigma),
                Unit.FRACTION,
                f"Brow apex along the eye, 0 = medial canthus, 1 = lateral canthus ({side})",
                (f"medial_canthus_{side}", f"lateral_canthus_{side}", *brow_pts),
            )
        )

        canthi = frame.sigmas_px(f"medial_canthus_{side}", f"lateral_canthus_{side}")
        tilt, tilt_sigma = tilt_deg(medial, lateral, calibration, canthi)
        out.append(
            Measurement(
                f"canthal_tilt_{side}_deg",
                zone,
                tilt,
                tilt_sigma,
                Unit.DEG,
                f"Canthal tilt, lateral canthus above medial is positive ({side})",
                (f"medial_canthus_{side}", f"lateral_canthus_{side}"),
            )
        )
        out.append(
            length(
                f"palpebral_fissure_width_{side}_mm",
                zone,
                f"Palpebral fissure width ({side})",
                medial,
                lateral,
                (f"medial_canthus_{side}", f"lateral_canthus_{side}"),
                calibration,
                canthi,
            )
        )
        out.append(
            length(
                f"palpebral_fissure_height_{side}_mm",
                zone,
                f"Palpebral fissure height ({side})",
                frame.point(upper_i),
                frame.point(lower_i),
                (f"upper_lid_{side}", f"lower_lid_{side}"),
                calibration,
            )
        )
    return out
