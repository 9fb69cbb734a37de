"""The iris ruler of a turned head (pure): millimetres per pixel of a three-quarter photo.

The frontal engine's ruler is the iris's horizontal diameter (:mod:`facebalance.anatomy.calibration`). In a
three-quarter view the horizontal diameter is foreshortened by the turn of the head and of the eyes, by an
amount the mesh's depth estimate corrects only in part (on the oblique development photos the mesh's 3-D
horizontal diameter shrinks against the vertical one as the yaw grows). The vertical diameter is not
foreshortened by a turn about the vertical axis. So each iris's **vertical** diameter in the photo is taken,
times the mesh's horizontal-to-vertical iris ratio measured on frontal photos
(``iris_horizontal_to_vertical_ratio``, ``data/oblique.toml``), which gives the horizontal diameter the
frontal ruler expects; both eyes then go through the frontal engine's
:func:`~facebalance.anatomy.calibration.calibrate_from_iris` (population iris, model-to-visible ratio, the
two eyes' agreement). When the far iris disagrees beyond the frontal limit (hidden behind the nose, or under
the lid) the near iris alone is used.

The relative uncertainty is then widened, in quadrature, by the ratio's eye-to-eye spread and by the
difference of magnification between the eyes and the far cheek's silhouette, which lies further from the
camera (``far_side_depth_relative_sigma``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from facebalance.anatomy.calibration import Calibration, IrisReference, calibrate_from_iris
from facebalance.anatomy.landmarks import IRIS_VERTICAL_DIAMETER_ENDS
from facebalance.errors import CalibrationError
from facebalance.geometry.iris import iris_diameters_px


@dataclass(frozen=True)
class TurnedIrisRuler:
    """How the vertical iris diameter becomes the frontal ruler's diameter, and the extra uncertainty.

    Attributes
    ----------
    horizontal_to_vertical : float
        Mesh iris contour: horizontal over vertical diameter on frontal photos.
    horizontal_to_vertical_sd : float
        Its eye-to-eye SD.
    depth_relative_sigma : float
        Relative magnification difference between the eyes and the far cheek's silhouette (one sigma).
    """

    horizontal_to_vertical: float
    horizontal_to_vertical_sd: float
    depth_relative_sigma: float


def vertical_iris_diameters_px(landmarks_px: np.ndarray) -> tuple[float, float]:
    """Vertical diameters of the mesh's two iris contours (patient's right, left) in the image plane, pixels.

    Examples
    --------
    >>> from facebalance.anatomy.landmarks import Landmark
    >>> pts = np.zeros((478, 3))
    >>> pts[Landmark.IRIS_RIGHT_BOTTOM, 1] = 10.0; pts[Landmark.IRIS_LEFT_BOTTOM, 1] = 9.0
    >>> vertical_iris_diameters_px(pts)
    (10.0, 9.0)
    """
    return iris_diameters_px(landmarks_px, IRIS_VERTICAL_DIAMETER_ENDS, in_image_plane=True)


def calibrate_turned_iris(
    landmarks_px: np.ndarray, reference: IrisReference, ruler: TurnedIrisRuler
) -> tuple[Calibration, list[str]]:
    """Millimetres per pixel of a canonical three-quarter photo, and warnings.

    Parameters
    ----------
    landmarks_px : ndarray of shape (478, 3)
        Mesh points of the canonical image (nose toward +x: the near eye is the mesh's right eye).
    reference : IrisReference
        The frontal engine's iris reference (:func:`facebalance.assessment.iris_reference`).
    ruler : TurnedIrisRuler

    Raises
    ------
    CalibrationError
        The near iris cannot be measured.

    Examples
    --------
    Irises 10 px tall with a ratio of 1.2 measure like 12 px wide irises on a frontal photo:

    >>> from facebalance.anatomy.landmarks import Landmark
    >>> pts = np.zeros((478, 3))
    >>> pts[Landmark.IRIS_RIGHT_BOTTOM, 1] = 10.0; pts[Landmark.IRIS_LEFT_BOTTOM, 1] = 10.0
    >>> cal, _ = calibrate_turned_iris(pts, IrisReference(12.0, 0.0, "test"), TurnedIrisRuler(1.2, 0.0, 0.03))
    >>> round(cal.mm_per_px, 6), round(cal.relative_uncertainty, 6)
    (1.0, 0.03)
    """
    right_v, left_v = vertical_iris_diameters_px(landmarks_px)
    near, far = right_v * ruler.horizontal_to_vertical, left_v * ruler.horizontal_to_vertical
    if not (near > 0 and math.isfinite(near)):
        raise CalibrationError(
            "The iris of the eye nearer the camera could not be measured.",
            hint="Retake the three-quarter view with the eyes open and visible.",
        )
    warnings: list[str] = []
    try:
        base = calibrate_from_iris(near, far, reference)
        used = f"both irises' vertical diameters ({right_v:.1f} and {left_v:.1f} px)"
    except CalibrationError:
        base = calibrate_from_iris(near, near, reference)
        used = f"the near iris's vertical diameter ({right_v:.1f} px; the far iris, {left_v:.1f} px, disagrees)"
        warnings.append(
            "The far iris disagrees with the near one (hidden by the nose or the lid): the scale comes from the "
            "near iris alone."
        )
    ratio_rel = ruler.horizontal_to_vertical_sd / ruler.horizontal_to_vertical
    relative = math.sqrt(base.relative_uncertainty**2 + ratio_rel**2 + ruler.depth_relative_sigma**2)
    detail = (
        f"turned-head iris ruler: {used} x {ruler.horizontal_to_vertical:g} (horizontal/vertical, frontal "
        f"photos); {base.detail.split(';')[0]}; widened for the turn and the far cheek's depth"
    )
    return replace(base, relative_uncertainty=relative, detail=detail), warnings
