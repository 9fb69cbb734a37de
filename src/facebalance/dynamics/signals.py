"""Per-frame movement and activation signals (pure: arrays in, arrays out).

Movement signals are displacements of named points from the rest frame, in the rest frame's head frame
(x toward the patient's left, y down, pixels of the analysed frames; see
:mod:`facebalance.anatomy.frame`), signed so that the expected movement is positive: a brow that rises,
a mouth corner that moves outward, a lower lip that drops. Activation signals are blendshape scores less
their rest value (:mod:`facebalance.dynamics.script`). Missing frames (no usable face) are NaN.
"""

from __future__ import annotations

import warnings

import numpy as np

from facebalance.anatomy.landmarks import SIDES, SidePoints
from facebalance.dynamics.script import ExpressionKind, ExpressionSpec
from facebalance.dynamics.tracker import blendshape_index

#: Sign that turns a head-frame x displacement into "outward" (away from the midline) for each side.
OUTWARD = {"right": -1.0, "left": 1.0}


#: Every mesh vertex the movement signals read (both sides), for callers that keep only these columns.
SIGNAL_VERTICES: tuple[int, ...] = tuple(
    sorted(
        {
            int(v)
            for s in SIDES.values()
            for v in (
                s.cheilion,
                s.brow_medial,
                s.brow_middle,
                s.brow_tail,
                s.upper_lid,
                s.lower_lid,
                s.pupil,
                s.cupids_bow_peak,
                s.upper_lip_inner_canine,
                s.lower_lip_paramedian,
                s.lower_lip_inner_canine,
                s.masseter_upper,
                s.masseter_middle,
                s.gonion,
            )
        }
    )
)


def _brow_y(points: np.ndarray, side: SidePoints) -> np.ndarray:
    return np.asarray(points[..., [side.brow_medial, side.brow_middle, side.brow_tail], 1].mean(axis=-1))


def eye_aperture_px(points: np.ndarray, side: SidePoints) -> np.ndarray:
    """Vertical lid distance (lower minus upper lid, head frame), pixels; shape (...,)."""
    return np.asarray(points[..., side.lower_lid, 1] - points[..., side.upper_lid, 1])


def _compact(side: SidePoints, columns: dict[int, int]) -> SidePoints:
    """The side's points renumbered to the columns of an array holding only :data:`SIGNAL_VERTICES`."""
    return SidePoints(**{k: columns[int(v)] for k, v in side.__dict__.items()})


def movement_signals(
    head_points: np.ndarray, rest_points: np.ndarray, *, compact: bool = False
) -> dict[str, np.ndarray]:
    """Displacement signals of every frame from rest, per patient side.

    Parameters
    ----------
    head_points : ndarray of shape (F, 478, 2 or 3)
        Mesh points of every frame in the rest frame's head frame, pixels (NaN where no usable face). With
        ``compact``, shape (F, len(SIGNAL_VERTICES), ...): only :data:`SIGNAL_VERTICES`, in that order.
    rest_points : ndarray of shape (478, 2 or 3)
        The rest frame's points in the same frame (compact likewise).
    compact : bool
        The arrays hold only :data:`SIGNAL_VERTICES` (bounded memory for long recordings).

    Returns
    -------
    dict of str to ndarray of shape (F,)
        Keys ``<signal>_<side>``: ``brow_elevation`` (mean of the medial, middle and tail brow-top points,
        up positive), ``brow_medial_descent`` (down positive), ``glabellar_approach`` (brow head toward the
        midline), ``eye_closure`` (1 - lid aperture / rest aperture, a fraction), ``commissure_lateral``
        (outward), ``commissure_elevation`` (up), ``commissure_excursion`` (length of the corner's
        displacement), ``commissure_lift`` (the corner's rise above the paramedian lower lip: positive when
        the mouth curves upward, as in a smile; about zero when the whole mouth is pushed up, as in a cry),
        ``upper_lip_elevation`` (Cupid's-bow peak, up), ``lower_lip_depression`` (paramedian lower lip, down)
        and ``masseter_bulge`` (outward movement of the face outline over the masseter). All in pixels except
        ``eye_closure``.

    Examples
    --------
    >>> from facebalance.anatomy.landmarks import Landmark
    >>> rest = np.zeros((478, 2))
    >>> frames = np.zeros((1, 478, 2)); frames[0, Landmark.CHEILION_LEFT] = (3.0, -4.0)
    >>> round(float(movement_signals(frames, rest)["commissure_excursion_left"][0]), 6)
    5.0
    """
    pts = np.asarray(head_points, dtype=np.float64)
    rest = np.asarray(rest_points, dtype=np.float64)
    out: dict[str, np.ndarray] = {}
    columns = {v: i for i, v in enumerate(SIGNAL_VERTICES)}
    for name, full_side in SIDES.items():
        side = _compact(full_side, columns) if compact else full_side
        sign = OUTWARD[name]
        out[f"brow_elevation_{name}"] = -(_brow_y(pts, side) - _brow_y(rest, side))
        out[f"brow_medial_descent_{name}"] = pts[:, side.brow_medial, 1] - rest[side.brow_medial, 1]
        out[f"glabellar_approach_{name}"] = -sign * (pts[:, side.brow_medial, 0] - rest[side.brow_medial, 0])
        rest_aperture = float(eye_aperture_px(rest, side))
        aperture = eye_aperture_px(pts, side)
        out[f"eye_closure_{name}"] = 1.0 - aperture / rest_aperture if rest_aperture > 0 else aperture * np.nan
        lateral = sign * (pts[:, side.cheilion, 0] - rest[side.cheilion, 0])
        elevation = -(pts[:, side.cheilion, 1] - rest[side.cheilion, 1])
        out[f"commissure_lateral_{name}"] = lateral
        out[f"commissure_elevation_{name}"] = elevation
        out[f"commissure_excursion_{name}"] = np.hypot(lateral, elevation)
        out[f"upper_lip_elevation_{name}"] = -(pts[:, side.cupids_bow_peak, 1] - rest[side.cupids_bow_peak, 1])
        lower_lip = pts[:, side.lower_lip_paramedian, 1] - rest[side.lower_lip_paramedian, 1]
        out[f"lower_lip_depression_{name}"] = lower_lip
        out[f"commissure_lift_{name}"] = elevation + lower_lip
        jaw = [side.masseter_upper, side.masseter_middle, side.gonion]
        out[f"masseter_bulge_{name}"] = sign * (pts[:, jaw, 0].mean(axis=-1) - rest[jaw, 0].mean(axis=-1))
    return out


def bilateral(signals: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Mean of the right and left signal ``name`` (symmetric under mirroring)."""
    return np.asarray((signals[f"{name}_right"] + signals[f"{name}_left"]) / 2.0)


def peak_signal(kind: ExpressionKind, signals: dict[str, np.ndarray], iris_px: float) -> np.ndarray:
    """The movement whose maximum marks an expression's peak, shape (F,), in visible-iris diameters.

    Pixels are divided by the iris so that the fraction ``eye_closure`` can be added on a comparable scale.
    """

    def px(name: str) -> np.ndarray:
        return bilateral(signals, name) / iris_px

    if kind is ExpressionKind.BROW_RAISE:
        return px("brow_elevation")
    if kind is ExpressionKind.FROWN:
        return np.asarray(px("brow_medial_descent") + px("glabellar_approach"))
    if kind is ExpressionKind.EYE_CLOSURE:
        return bilateral(signals, "eye_closure")
    if kind is ExpressionKind.SMILE:
        return px("commissure_excursion")
    if kind is ExpressionKind.PUCKER:
        return -px("commissure_lateral")
    if kind is ExpressionKind.EEE:
        return np.asarray(px("commissure_excursion") + px("lower_lip_depression"))
    if kind is ExpressionKind.CLENCH:
        return np.asarray(px("masseter_bulge"))
    return np.asarray(-np.abs(px("commissure_excursion")) - np.abs(px("brow_elevation")))


def raw_activations(blendshapes: np.ndarray, expressions: tuple[ExpressionSpec, ...]) -> np.ndarray:
    """Largest listed blendshape score of each expression, before the rest value is taken off.

    The largest, not the mean: an expression made with one side of the face only (a weak side, a palsy)
    must still be found.

    Parameters
    ----------
    blendshapes : ndarray of shape (F, 52)
    expressions : tuple of ExpressionSpec
        Movement expressions (a prompt-only one without blendshapes gets a column of zeros).

    Returns
    -------
    ndarray of shape (F, E)
    """
    columns = [
        blendshapes[:, [blendshape_index(b) for b in e.activation]].max(axis=1)
        if e.activation
        else np.zeros(len(blendshapes))  # a prompt-only expression without a blendshape
        for e in expressions
    ]
    return np.stack(columns, axis=1) if columns else np.zeros((len(blendshapes), 0))


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centred running median along axis 0 ignoring NaN (edges use the shorter window that fits).

    Examples
    --------
    >>> rolling_median(np.array([0.0, 0.0, 9.0, 0.0, 0.0]), 3).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0]
    """
    x = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(x) < 2:
        return x.copy()
    half = window // 2
    padded = np.concatenate([np.full((half, *x.shape[1:]), np.nan), x, np.full((half, *x.shape[1:]), np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.asarray(np.nanmedian(windows, axis=-1))
