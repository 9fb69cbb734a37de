"""On a designed far-side silhouette (temple hollow, cheek apex, submalar hollow, jaw, chin) the points land
where they were designed and the measurements are the geometry of those points (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.anatomy.calibration import Calibration, CalibrationMethod
from facebalance.oblique.frame import ObliqueFrame
from facebalance.oblique.measurements import measure_oblique
from facebalance.oblique.points import MeshReferences, ObliquePoint, locate_points
from facebalance.profile.geometry import depth_under_chord

#: Face length (nasion to menton) of the design, pixels; the design is upright (head frame = image axes).
S = 1000.0
UPRIGHT = ObliqueFrame(np.array([0.0, 1.0]))
#: Designed features: (height as a fraction of S, width, size in px; positive = outward).
TEMPLE = (0.08, 0.05, -12.0)
CHEEK_APEX = (0.36, 0.07, 25.0)
SUBMALAR = (0.55, 0.05, -18.0)


def _bump(v: np.ndarray, feature: tuple[float, float, float]) -> np.ndarray:
    centre, width, size = feature
    return size * np.exp(-((((v / S) - centre) / width) ** 2))


def designed_outline() -> np.ndarray:
    """Temple top (v = 0) down the cheek to a jaw corner at 0.78 S, then along the jaw to the chin end."""
    v = np.arange(0.0, 0.78 * S, 1.0)
    u = 600.0 + _bump(v, TEMPLE) + _bump(v, CHEEK_APEX) + _bump(v, SUBMALAR)
    side = np.column_stack([u, v])
    # The jawline runs from the corner down and forward (toward -u) to the chin end.
    t = np.arange(1.0, 0.33 * S, 1.0)
    jaw = side[-1] + np.column_stack([-t * np.cos(np.radians(35)), t * np.sin(np.radians(35))])
    return np.concatenate([side, jaw])


def references(outline: np.ndarray) -> MeshReferences:
    def at(v: float) -> np.ndarray:
        return np.array([400.0, v * S])

    return MeshReferences(
        brow_top=at(0.02),
        lateral_canthus=at(0.18),
        lateral_canthus_near=np.array([200.0, 0.18 * S]),
        alar_base=at(0.45),
        cheilion=at(0.62),
        menton=outline[-1] + np.array([0.0, 5.0]),
        pogonion=outline[-40],
        sigma_px=2.0,
    )


@pytest.fixture(scope="module")
def located():  # type: ignore[no-untyped-def]
    outline = designed_outline()
    return outline, locate_points(outline, UPRIGHT, references(outline), scale_px=S, noise_px=0.5)


def test_the_cheek_apex_is_the_designed_apex(located) -> None:  # type: ignore[no-untyped-def]
    _, points = located
    apex = points.xy(ObliquePoint.MALAR_PROMINENCE)
    assert apex[1] == pytest.approx(CHEEK_APEX[0] * S, abs=0.01 * S)
    assert points.points[ObliquePoint.MALAR_PROMINENCE].method == "primary"


def test_the_hollows_are_the_designed_hollows(located) -> None:  # type: ignore[no-untyped-def]
    _, points = located
    assert points.xy(ObliquePoint.SUBMALAR_HOLLOW)[1] == pytest.approx(SUBMALAR[0] * S, abs=0.02 * S)
    assert points.xy(ObliquePoint.TEMPLE)[1] == pytest.approx(TEMPLE[0] * S, abs=0.02 * S)
    assert points.xy(ObliquePoint.JAW_ANGLE)[1] == pytest.approx(0.78 * S, abs=0.01 * S)


def test_the_measurements_are_the_geometry_of_the_points(located) -> None:  # type: ignore[no-untyped-def]
    outline, points = located
    cal = Calibration(0.1, 0.0, CalibrationMethod.KNOWN_DISTANCE, "design")
    by_id = {m.id: m for m in measure_oblique(points, references(outline), UPRIGHT, calibration=cal)}
    q = {p: points.xy(p) for p in points.points}
    P = ObliquePoint
    ogee = -depth_under_chord(q[P.MALAR_PROMINENCE][None], q[P.TEMPLE], q[P.JAW_ANGLE])[0] * 0.1
    submalar = depth_under_chord(q[P.SUBMALAR_HOLLOW][None], q[P.MALAR_PROMINENCE], q[P.JAW_ANGLE])[0] * 0.1
    assert by_id["ogee_convexity_mm"].value == pytest.approx(ogee, abs=1e-9)
    assert by_id["submalar_depth_mm"].value == pytest.approx(submalar, abs=1e-9)
    assert by_id["submalar_depth_mm"].value > 1.0 and by_id["temple_concavity_mm"].value > 0.5
    below = (q[P.MALAR_PROMINENCE][1] - 0.18 * S) * 0.1
    assert by_id["cheek_apex_below_lateral_canthus_mm"].value == pytest.approx(below, abs=1e-9)
    assert by_id["cheek_apex_canthus_to_alar_base_fraction"].value == pytest.approx(
        (q[P.MALAR_PROMINENCE][1] - 0.18 * S) / (0.27 * S), abs=1e-9
    )
