"""The dynamic assessment end to end: a video or an expression-photo series in, a :class:`DynamicsResult` out.

Two passes over a video, neither holding it whole:

1. every frame is decoded, tracked (landmarks, blendshapes, head rotation) and reduced to arrays
   (:class:`Recording`, about 12 kB a frame, bounded by :attr:`VideoLimits.max_frames`);
2. after segmentation, only the rest frame and the peak frames are decoded again, to read the followed
   points from the image and to draw the charts.

Between them everything is pure arithmetic on the arrays: head motion removed on the stable points
(:mod:`~facebalance.dynamics.stabilise`), a rest frame chosen, the iris calibration taken as the median
over the rest frames, movement and activation signals computed (:mod:`~facebalance.dynamics.signals`),
the recording segmented (:mod:`~facebalance.dynamics.segment`), each peak measured
(:mod:`~facebalance.dynamics.metrics`) and judged (:mod:`~facebalance.dynamics.findings`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from facebalance.anatomy.calibration import Calibration, calibrate_from_iris
from facebalance.anatomy.frame import HeadFrame, head_frame
from facebalance.anatomy.landmarks import FACE_OVAL, IRIS_DIAMETER_ENDS, REGISTERED_POINTS
from facebalance.assessment import iris_reference, visible_iris_diameter_px
from facebalance.dynamics.asymmetry import compare_sides
from facebalance.dynamics.errors import NoFaceInRecording, PhotoSeriesError
from facebalance.dynamics.findings import MovementRules, derive_movement_findings, load_movement_rules
from facebalance.dynamics.limits import default_limits
from facebalance.dynamics.metrics import FacePoints, MovementScale, metrics_for, rest_metrics
from facebalance.dynamics.patterns import Patterns, Reading, load_patterns, read_movement, shows, signal_values
from facebalance.dynamics.reading import settle
from facebalance.dynamics.refine import Affine3, refine_points
from facebalance.dynamics.results import DynamicsResult, ExpressionResult, TimeSeries
from facebalance.dynamics.script import ExpressionKind, Script, SegmentationSettings, load_script
from facebalance.dynamics.segment import (
    Prompt,
    Segment,
    Segmentation,
    parse_prompts,
    prompt_window,
    segment_photos,
    segment_prompted,
    segment_video,
)
from facebalance.dynamics.signals import (
    SIGNAL_VERTICES,
    movement_signals,
    peak_signal,
    raw_activations,
    rolling_median,
)
from facebalance.dynamics.stabilise import align, to_head_frame
from facebalance.dynamics.teeth import tooth_and_gum_show
from facebalance.dynamics.tracker import (
    BLENDSHAPE_NAMES,
    Observation,
    PhotoFaceObserver,
    TrackerOptions,
    VideoFaceTracker,
)
from facebalance.dynamics.video import VideoLimits, VideoReader
from facebalance.geometry.iris import iris_diameters_px
from facebalance.geometry.pose import head_pose_from_rotation
from facebalance.norms import NormSet, load_default_norm_set
from facebalance.vision.landmarker import MESH_POINT_COUNT

#: Floor of a point's frame-to-frame noise, pixels: sub-pixel registration and mesh precision. A perfectly
#: still recording would otherwise report zero position noise.
NOISE_FLOOR_PX = 0.25
#: Refinements of the rest baseline of the activations.
BASELINE_PASSES = 3

#: Called with (frames done, frames expected or None) while a video is read.
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class DynamicsOptions:
    """How a recording is assessed.

    Attributes
    ----------
    limits : VideoLimits
    tracker : TrackerOptions
    script : Script or None
        The guided script (default: ``data/script_default.toml``).
    norms : NormSet or None
        Supplies the iris reference and the noticed-asymmetry thresholds (default norm set).
    rules : MovementRules or None
        Findings rules (default: ``data/rules_default.toml`` over ``norms``).
    patterns : Patterns or None
        Movement patterns and rest limits (default: ``data/patterns_default.toml``).
    """

    limits: VideoLimits = field(default_factory=VideoLimits)
    tracker: TrackerOptions = field(default_factory=TrackerOptions)
    script: Script | None = None
    norms: NormSet | None = None
    rules: MovementRules | None = None
    patterns: Patterns | None = None


@dataclass
class Recording:
    """Per-frame arrays from the first pass (or from a photo series).

    Attributes
    ----------
    times_s : ndarray of shape (F,)
    landmarks_px : ndarray of shape (F, 478, 3)
        Mesh points in each frame's pixels; NaN where no face.
    blendshapes : ndarray of shape (F, 52), float32
    rotations : ndarray of shape (F, 3, 3)
    found, in_frame : ndarray of shape (F,), bool
        A face was found; the whole face outline lies inside the frame.
    frame_size_px : tuple of int
        Width, height of the analysed frames (the first photo's for a series).
    """

    times_s: np.ndarray
    landmarks_px: np.ndarray
    blendshapes: np.ndarray
    rotations: np.ndarray
    found: np.ndarray
    in_frame: np.ndarray
    frame_size_px: tuple[int, int]


class _RecordingBuilder:
    """Per-frame arrays grown in place (doubling), so that building never holds two copies of the recording."""

    def __init__(self, capacity: int = 256) -> None:
        self.count = 0
        self.times = np.zeros(capacity)
        self.landmarks = np.full((capacity, MESH_POINT_COUNT, 3), np.nan)
        self.blendshapes = np.full((capacity, len(BLENDSHAPE_NAMES)), np.nan, dtype=np.float32)
        self.rotations = np.tile(np.eye(3), (capacity, 1, 1))
        self.in_frame = np.zeros(capacity, dtype=bool)

    def _grow(self) -> None:
        extra = max(256, len(self.times))
        self.times = np.concatenate([self.times, np.zeros(extra)])
        self.landmarks = np.concatenate([self.landmarks, np.full((extra, MESH_POINT_COUNT, 3), np.nan)])
        self.blendshapes = np.concatenate(
            [self.blendshapes, np.full((extra, len(BLENDSHAPE_NAMES)), np.nan, dtype=np.float32)]
        )
        self.rotations = np.concatenate([self.rotations, np.tile(np.eye(3), (extra, 1, 1))])
        self.in_frame = np.concatenate([self.in_frame, np.zeros(extra, dtype=bool)])

    def add(self, time_s: float, observation: Observation | None, width: int, height: int) -> None:
        if self.count == len(self.times):
            self._grow()
        i = self.count
        self.count += 1
        self.times[i] = time_s
        if observation is None:
            return
        pts = observation.landmarks_px
        outline = pts[list(FACE_OVAL), :2]
        # float64: float32 would round x and its mirror image (width - x) differently, and a mirrored recording
        # must give exactly mirrored results. 11 kB a frame, 21 MB for a minute at 30 fps.
        self.landmarks[i] = pts
        self.blendshapes[i] = observation.blendshapes
        self.rotations[i] = observation.rotation
        self.in_frame[i] = bool(((outline >= 0) & (outline <= (width, height))).all())

    def build(self, size: tuple[int, int]) -> Recording:
        n = self.count
        landmarks = self.landmarks[:n]
        return Recording(
            times_s=self.times[:n],
            landmarks_px=landmarks,
            blendshapes=self.blendshapes[:n],
            rotations=self.rotations[:n],
            found=np.isfinite(landmarks[:, 0, 0]),
            in_frame=self.in_frame[:n],
            frame_size_px=size,
        )


def record_video(
    path: str | os.PathLike[str],
    *,
    options: DynamicsOptions,
    tracker: VideoFaceTracker | None = None,
    progress: Progress | None = None,
) -> tuple[Recording, float]:
    """First pass: track every frame. Returns the recording and the video's frame rate."""
    with VideoReader(path, options.limits) as reader:
        assert reader.info is not None
        info = reader.info
        expected = info.frame_count or (round(info.duration_s * info.fps) if info.duration_s and info.fps else None)
        builder = _RecordingBuilder(min(options.limits.max_frames, (expected or 0) + 16))
        own = tracker is None
        active = tracker or VideoFaceTracker(options.tracker)
        try:
            if own:
                active.open()
            for frame in reader.frames():
                observation = active.observe(frame.rgb, round(frame.time_s * 1000) + 1)
                builder.add(frame.time_s, observation, frame.rgb.shape[1], frame.rgb.shape[0])
                if progress is not None:
                    progress(frame.index + 1, expected)
        finally:
            if own:
                active.close()
        return builder.build((info.analysis_width_px, info.analysis_height_px)), info.fps


def _visible_iris_px(landmarks: np.ndarray, norms: NormSet) -> float:
    return visible_iris_diameter_px(landmarks, iris_reference(norms))


def _align_all(
    landmarks: np.ndarray, found: np.ndarray, reference: np.ndarray
) -> tuple[np.ndarray, list[Affine3 | None]]:
    """Residual (reference pixels) and transform (frame -> reference) of every frame's head-motion fit.

    Only these are kept for every frame; aligned meshes are made when needed (a few kB a frame for hours of
    frames would not be bounded).
    """
    residual = np.full(len(landmarks), np.inf)
    transforms: list[Affine3 | None] = [None] * len(landmarks)
    for i in np.flatnonzero(found):
        a = align(landmarks[i], reference)
        residual[i] = a.residual_px
        transforms[i] = Affine3.from_similarity(a.transform)
    return residual, transforms


def _aligned(
    landmarks: np.ndarray, transforms: list[Affine3 | None], index: int, vertices: Sequence[int] | None = None
) -> np.ndarray:
    """Frame ``index``'s mesh (or some of its vertices) in the reference frame's pixels; NaN without a fit."""
    pts = landmarks[index] if vertices is None else landmarks[index][list(vertices)]
    transform = transforms[index]
    return transform.apply(pts) if transform is not None else np.full(pts.shape, np.nan)


def _rest_run(rest: np.ndarray, index: int) -> tuple[int, int]:
    start = end = index
    while start > 0 and rest[start - 1]:
        start -= 1
    while end < len(rest) - 1 and rest[end + 1]:
        end += 1
    return start, end


@dataclass
class _Run:
    """One assessment's inputs, and the warnings its steps collect (in the order the result shows them)."""

    recording: Recording
    script: Script
    norms: NormSet
    rules: MovementRules
    photos: bool
    stems: list[str] | None
    patterns: Patterns = field(default_factory=load_patterns)
    prompts: tuple[Prompt, ...] = ()
    warnings: list[str] = field(default_factory=list)

    @property
    def rest_window(self) -> np.ndarray | None:
        """The frames shown while a rest prompt was up; ``None`` without one."""
        rest = [p for p in self.prompts if p.name == self.script.rest.name]
        if not rest:
            return None
        window = np.zeros(self.count, dtype=bool)
        for p in rest:
            window |= prompt_window(self.recording.times_s, p)
        return window

    @property
    def settings(self) -> SegmentationSettings:
        return self.script.segmentation

    @property
    def count(self) -> int:
        return len(self.recording.times_s)

    @property
    def frames_word(self) -> str:
        return "photo(s)" if self.photos else "frame(s)"


@dataclass(frozen=True)
class _Activity:
    """Each expression's activation per frame, above the rest baseline.

    Attributes
    ----------
    raw : ndarray of shape (F, E)
        Activation scores (NaN where the face is not usable), expressions in script order.
    thresholds : ndarray of shape (E,)
        Each expression's presence threshold.
    activation : ndarray of shape (F, E)
        ``raw`` less the first rest baseline, clipped at zero.
    named_rest : int or None
        The rest photo of a series (named, or the least animated).
    provisional : int
        The frame the head-motion fit is first made against.
    """

    raw: np.ndarray
    thresholds: np.ndarray
    activation: np.ndarray
    named_rest: int | None
    provisional: int


@dataclass(frozen=True)
class _Rest:
    """The rest frames, the reference frame, and the activations against the final baseline."""

    at_rest: np.ndarray
    reference: int
    activation: np.ndarray
    window: int
    frame_interval_s: float
    found: bool = True


@dataclass(frozen=True)
class _HeadMotion:
    """Every usable frame mapped onto the reference frame and into its head frame."""

    landmarks: np.ndarray
    transforms: list[Affine3 | None]
    frame: HeadFrame
    reference: int

    @property
    def reference_points(self) -> np.ndarray:
        return np.asarray(self.landmarks[self.reference])

    def mesh(self, index: int) -> np.ndarray:
        """One frame's full mesh in the head frame, (478, 2)."""
        return np.asarray(to_head_frame(self.frame, _aligned(self.landmarks, self.transforms, index))[:, :2])

    def signal_points(self, usable: np.ndarray) -> np.ndarray:
        """The vertices the signals read, in the head frame, every usable frame: (F, len(SIGNAL_VERTICES), 2)."""
        head = np.full((len(self.landmarks), len(SIGNAL_VERTICES), 2), np.nan)
        for i in np.flatnonzero(usable):
            head[i] = to_head_frame(self.frame, _aligned(self.landmarks, self.transforms, int(i), SIGNAL_VERTICES))[
                :, :2
            ]
        return head


@dataclass(frozen=True)
class _Movement:
    """The recording's scale and movement signals."""

    calibration: Calibration
    iris_px: float
    smooth: dict[str, np.ndarray]
    scale: MovementScale
    peaks: np.ndarray


def _usable_faces(run: _Run) -> np.ndarray:
    """The frames with a whole face in them; :class:`NoFaceInRecording` when too few, a warning for the rest."""
    recording, photos, count = run.recording, run.photos, run.count
    found = recording.found
    if count == 0 or not found.any():
        raise NoFaceInRecording(
            "No face was found in any " + ("photo." if photos else "frame of the video."),
            hint="Film the patient's face from the front, filling most of the frame.",
        )
    if not photos and found.mean() < run.settings.min_face_fraction:
        raise NoFaceInRecording(
            f"A face was found in only {found.mean():.0%} of the frames; at least "
            f"{run.settings.min_face_fraction:.0%} are needed to follow the movement.",
            hint="Keep the whole face in the frame for the whole recording, facing the camera.",
        )
    if not photos and not found.all():
        lost = np.flatnonzero(~found)
        run.warnings.append(
            f"No face was found in {len(lost)} of {count} frames (first at "
            f"{recording.times_s[lost[0]]:.2f} s); those frames are not measured."
        )
    cut_off = found & ~recording.in_frame
    if cut_off.any():
        run.warnings.append(
            f"The face was partly outside the frame in {int(cut_off.sum())} {run.frames_word}; those are not measured."
        )
    usable = found & recording.in_frame
    if not usable.any():
        raise NoFaceInRecording(
            "The face is cut off by the edge of the frame throughout.",
            hint="Frame the whole face, chin to forehead, with a margin on every side.",
        )
    return np.asarray(usable)


def _named_rest(run: _Run, raw: np.ndarray, thresholds: np.ndarray, usable: np.ndarray) -> int | None:
    """A photo series' rest photo: the one named for rest, else the least animated one; ``None`` for a video."""
    if not run.photos:
        return None
    if run.stems is not None:
        from facebalance.dynamics.segment import expression_from_name

        named = [expression_from_name(s, run.script.expressions) for s in run.stems]
        hits = [i for i, e in enumerate(named) if e is not None and e.kind is ExpressionKind.REST and usable[i]]
        if hits:
            return hits[0]
    return int(np.argmin(np.where(usable, np.nan_to_num(raw / thresholds, nan=np.inf).sum(axis=1), np.inf)))


def _activity(run: _Run, usable: np.ndarray) -> _Activity:
    """Activations above a first rest baseline: the named rest photo's, or a low quantile refined on the calm frames."""
    specs = run.script.movements
    thresholds = np.array([e.threshold for e in specs])
    raw = raw_activations(run.recording.blendshapes.astype(np.float64), specs)
    raw[~usable] = np.nan
    named_rest = _named_rest(run, raw, thresholds, usable)
    if named_rest is not None:
        baseline = raw[named_rest].copy()
    else:
        # An expression also lowers other blendshapes (a smile lowers the brow scores), so the low quantile
        # alone can sit below rest; it only serves to find the clearly expressive frames, and the baseline is
        # then the median of the others.
        baseline = np.nanquantile(raw[usable], run.settings.baseline_quantile, axis=0)
        for _ in range(BASELINE_PASSES):
            calm = usable & (np.nan_to_num((raw - baseline) / thresholds, nan=np.inf) < 1.0).all(axis=1)
            if calm.sum() < 3:
                break
            baseline = np.nanmedian(raw[calm], axis=0)
    activation = np.clip(raw - baseline, 0.0, None)
    score = np.where(usable, np.nan_to_num(activation / thresholds, nan=np.inf).sum(axis=1), np.inf)
    provisional = named_rest if named_rest is not None else int(np.argmin(score))
    return _Activity(raw, thresholds, activation, named_rest, provisional)


def _followed_frames(run: _Run, usable_faces: np.ndarray, provisional: int) -> tuple[np.ndarray, list[Affine3 | None]]:
    """The frames whose stable points fit the provisional frame, with their fits (frame -> provisional)."""
    landmarks, settings = run.recording.landmarks_px, run.settings
    residual, transforms = _align_all(landmarks, usable_faces, landmarks[provisional])
    iris_px = _visible_iris_px(landmarks[provisional], run.norms)
    usable = usable_faces & (residual <= settings.max_stable_residual_iris * iris_px)
    if not run.photos and usable.mean() < settings.min_face_fraction:
        raise NoFaceInRecording(
            f"The face could be followed in only {usable.mean():.0%} of the frames.",
            hint="Keep the head still and facing the camera; only the face should move.",
        )
    if usable_faces.sum() > usable.sum():
        run.warnings.append(
            f"{int(usable_faces.sum() - usable.sum())} {run.frames_word} with a poor face "
            "track (stable points did not fit) are not measured."
        )
    return usable, transforms


def _rest_frames(
    activation: np.ndarray, usable: np.ndarray, thresholds: np.ndarray, window: int, fraction: float
) -> np.ndarray:
    """Usable frames whose every smoothed activation is under ``fraction`` of its threshold."""
    ratio = rolling_median(activation, window) / thresholds
    return np.asarray(usable & (np.nan_to_num(ratio, nan=np.inf) < fraction).all(axis=1))


def _rest(run: _Run, activity: _Activity, usable: np.ndarray, transforms: list[Affine3 | None]) -> _Rest:
    """The rest frames (baseline refined on them) and the reference: the frame of the longest rest period
    nearest its median shape, or the least animated frame when there is no rest."""
    settings, photos, named_rest = run.settings, run.photos, activity.named_rest
    times = run.recording.times_s
    dt = float(np.median(np.diff(times))) if run.count > 1 and not photos else 1.0
    window = 1 if photos else max(1, round(settings.smoothing_s / max(dt, 1e-6))) | 1
    raw, thresholds, activation = activity.raw, activity.thresholds, activity.activation
    at_rest = _rest_frames(activation, usable, thresholds, window, settings.rest_fraction)
    if named_rest is None and at_rest.any():
        baseline = np.nanmedian(raw[at_rest], axis=0)
        activation = np.clip(raw - baseline, 0.0, None)
        at_rest = _rest_frames(activation, usable, thresholds, window, settings.rest_fraction)
    if named_rest is not None:
        at_rest[:] = False
        at_rest[named_rest] = True
    prompted_rest = run.rest_window
    if prompted_rest is not None:
        # A guided recording's rest is where the rest prompt was up (when the face rested there at all).
        if (at_rest & prompted_rest).any():
            at_rest &= prompted_rest
        else:
            run.warnings.append("The face was not at rest while the rest prompt was up; rest was taken elsewhere.")
    found = bool(at_rest.any())
    if found:
        reference = _reference_in_longest_rest(at_rest, run.recording.landmarks_px, transforms)
    else:
        reference = activity.provisional
        run.warnings.append(
            "No rest period was found: the least animated "
            + ("photo" if photos else "frame")
            + " is the reference, so movements are measured from a face that is not fully at rest."
        )
        at_rest[reference] = True
    return _Rest(at_rest, reference, activation, window, dt, found)


def _reference_in_longest_rest(at_rest: np.ndarray, landmarks: np.ndarray, transforms: list[Affine3 | None]) -> int:
    """The longest rest period (the first on a tie) is the reference; in it, the frame nearest its median shape."""
    runs = [_rest_run(at_rest, int(i)) for i in np.flatnonzero(at_rest)]
    start, end = max(dict.fromkeys(runs), key=lambda r: (r[1] - r[0], -r[0]))
    candidates = np.arange(start, end + 1)
    shapes = np.stack([_aligned(landmarks, transforms, int(i)) for i in candidates])
    rest_shape = np.nanmedian(shapes, axis=0)
    spread = [float(np.sqrt(np.nanmean((shape - rest_shape) ** 2))) for shape in shapes]
    return int(candidates[int(np.argmin(spread))])


def _head_motion(run: _Run, usable: np.ndarray, reference: int) -> _HeadMotion:
    """Every usable frame fitted onto the reference frame, and the reference's head frame."""
    landmarks = run.recording.landmarks_px
    _, transforms = _align_all(landmarks, usable, landmarks[reference])
    rotation = run.recording.rotations[reference]
    frame = head_frame(landmarks[reference], rotation, head_pose_from_rotation(rotation))
    return _HeadMotion(landmarks, transforms, frame, reference)


def _movement(run: _Run, motion: _HeadMotion, rest: _Rest, usable: np.ndarray) -> _Movement:
    """The iris calibration at rest, the smoothed movement signals and each expression's peak signal."""
    head = motion.signal_points(usable)
    calibration = _calibrate(motion.landmarks, motion.transforms, rest.at_rest, run.norms)
    iris_px = _visible_iris_px(motion.reference_points, run.norms)
    if iris_px < default_limits().low_iris_px:
        run.warnings.append(
            f"The iris spans only {iris_px:.0f} px (1 px = {calibration.mm_per_px:.2f} mm): movements "
            "of a few millimetres are near the resolution; film closer or at a higher resolution."
        )
    signals = movement_signals(head, head[rest.reference], compact=True)
    smooth = {k: rolling_median(np.where(usable, v, np.nan), rest.window) for k, v in signals.items()}
    for v in smooth.values():
        v[~usable] = np.nan
    scale = MovementScale(calibration, _noise_px(head, rest.at_rest, calibration, run.photos))
    specs = run.script.movements
    peaks = (
        np.stack([peak_signal(e.kind, smooth, iris_px) for e in specs], axis=1) if specs else np.zeros((run.count, 0))
    )
    return _Movement(calibration, iris_px, smooth, scale, peaks)


def _segment(run: _Run, rest: _Rest, usable: np.ndarray, movement: _Movement) -> Segmentation:
    """The recording cut into the script's expressions (a photo series: one photo each)."""
    segmentation: Segmentation
    if run.photos:
        assert run.stems is not None
        segmentation = segment_photos(
            run.stems, np.nan_to_num(rest.activation), usable, run.script, rest_index=rest.reference
        )
    elif run.prompts:
        segmentation = segment_prompted(
            run.recording.times_s, rest.activation, usable, movement.peaks, run.script, run.prompts
        )
    else:
        segmentation = segment_video(run.recording.times_s, rest.activation, usable, movement.peaks, run.script)
    run.warnings.extend(segmentation.notes)
    return segmentation


@dataclass(frozen=True)
class _PeakPoints:
    """A peak frame's followed points in the head frame, where each came from, and the drawn vectors."""

    head_xy: np.ndarray
    sources: dict[int, str]
    vectors_px: dict[int, np.ndarray] | None
    warnings: tuple[str, ...]


def _peak_points(motion: _HeadMotion, images: dict[int, np.ndarray], peak: int, iris_px: float) -> _PeakPoints:
    """The peak's mesh in the head frame, its followed points read from the image where the tissue keeps its look.

    ``vectors_px`` holds each registered point's rest -> peak movement in the peak frame's pixels (for the
    annotated picture); ``None`` when the peak frame could not be read again.
    """
    peak_xy = motion.mesh(peak)
    reference = motion.reference
    if peak not in images or reference not in images:
        return _PeakPoints(peak_xy, {}, None, ("The peak frame could not be read again; the mesh alone was used.",))
    ref_points = motion.reference_points
    refined = refine_points(
        images[reference], ref_points, images[peak], motion.landmarks[peak], REGISTERED_POINTS, iris_px=iris_px
    )
    back = motion.transforms[peak]
    to_peak = back.inverse() if back is not None else None
    sources: dict[int, str] = {}
    vectors: dict[int, np.ndarray] = {}
    for vertex in REGISTERED_POINTS:
        peak_xy[vertex] = to_head_frame(motion.frame, refined.positions_px[vertex])[:2]
        sources[vertex] = refined.sources[vertex]
        if to_peak is not None:
            ends = np.stack([ref_points[vertex], refined.positions_px[vertex]])
            vectors[vertex] = to_peak.apply(ends)[:, :2]
    return _PeakPoints(peak_xy, sources, vectors, ())


def _made_instead(run: _Run, seg: Segment, movement: _Movement, activation: np.ndarray) -> str | None:
    """The expression the face made instead of a prompted one, if any: another recognised expression whose
    blendshapes stay at or over their threshold for its minimum duration in the prompt's window (a blink is not an
    eye closure) and whose whole movement pattern shows at its own peak there (a smile while the brow raise
    was prompted), not a millimetre of incidental movement. The strongest such expression is named."""
    if not seg.prompted:
        return None
    own = run.script.expression(seg.name).kind
    first, last = seg.window or (seg.start, seg.end)
    span = slice(first, last + 1)
    times = run.recording.times_s
    dt = float(np.median(np.diff(times))) if len(times) > 1 and not run.photos else 1.0
    made: list[tuple[float, str]] = []
    for i, e in enumerate(run.script.movements):
        if e.prompt_only or e.kind is own:
            continue
        shown = activation[span, i]
        over = np.nan_to_num(shown) >= e.threshold
        if not over.any() or (not run.photos and over.sum() * dt + 1e-9 < e.min_duration_s):
            continue
        signal = movement.peaks[span, i]
        frame = first + int(np.nanargmax(signal if np.isfinite(signal).any() else np.nan_to_num(shown)))
        if shows(e.kind, signal_values(movement.smooth, frame, movement.calibration.mm_per_px), run.patterns):
            made.append((float(np.nanmax(shown)) / e.threshold, e.name))
    return max(made)[1] if made else None


def _expression(
    run: _Run,
    seg: Segment,
    peak: _PeakPoints,
    rest_points: FacePoints,
    image: np.ndarray | None,
    movement: _Movement,
    activation: np.ndarray,
) -> ExpressionResult:
    """One expression's movement measurements at its peak, each with its side-to-side comparison, and how its
    movement reads against the expression's pattern."""
    spec = run.script.expression(seg.name)
    scale = movement.scale
    values = signal_values(movement.smooth, seg.peak, movement.calibration.mm_per_px)
    instead = _made_instead(run, seg, movement, activation)
    held = None if seg.held_s is None else (seg.held_s, spec.min_duration_s, spec.source)
    reading: Reading = read_movement(
        spec.kind, spec.name, values, run.patterns, prompted=seg.prompted, instead=instead, held=held
    )
    metrics = metrics_for(
        spec.kind, rest_points, FacePoints(peak.head_xy, peak.sources), scale, dao_probe=spec.dao_probe
    )
    if spec.kind is ExpressionKind.SMILE and image is not None:
        metrics = (*metrics, *tooth_and_gum_show(image, run.recording.landmarks_px[seg.peak], scale))
    return ExpressionResult(
        name=seg.name,
        label=spec.label,
        kind=spec.kind,
        start_s=seg.start_s,
        end_s=seg.end_s,
        peak_s=seg.peak_s,
        start_index=seg.start,
        end_index=seg.end,
        peak_index=seg.peak,
        peak_activation=seg.peak_activation,
        metrics=metrics,
        asymmetries={m.id: compare_sides(m, run.rules.thresholds.get(m.id)) for m in metrics},
        primary=seg.primary,
        warnings=tuple(w for w in (*seg.warnings, *peak.warnings) if w != seg.repeat_note),
        reading=reading,
    )


def _rest_expression(run: _Run, rest: _Rest, rest_points: FacePoints, calibration: Calibration) -> ExpressionResult:
    """The rest measurements, over the reference's rest period (a photo series: the rest photo)."""
    reference, times = rest.reference, _times(run)
    start, end = (reference, reference) if run.photos else _rest_run(rest.at_rest, reference)
    measures = rest_metrics(rest_points, calibration)
    return ExpressionResult(
        name=run.script.rest.name,
        label=run.script.rest.label,
        kind=ExpressionKind.REST,
        start_s=float(times[start]),
        end_s=float(times[end]),
        peak_s=float(times[reference]),
        start_index=start,
        end_index=end,
        peak_index=reference,
        peak_activation=0.0,
        metrics=measures,
        asymmetries={m.id: compare_sides(m, run.rules.thresholds.get(m.id)) for m in measures},
    )


def _times(run: _Run) -> np.ndarray:
    """Frame times, seconds (a photo series: photo indices)."""
    return np.asarray(run.recording.times_s if not run.photos else np.arange(run.count, dtype=np.float64))


def _time_series(run: _Run, rest: _Rest, movement: _Movement, usable: np.ndarray) -> TimeSeries:
    """The movement signals in millimetres (eye closure stays a fraction) and the activations, per frame."""
    mm = movement.calibration.mm_per_px
    specs = run.script.movements
    return TimeSeries(
        times_s=_times(run),
        usable=usable,
        movement_mm={k: (v if k.startswith("eye_closure") else v * mm) for k, v in movement.smooth.items()},
        activation={e.name: np.where(usable, rest.activation[:, i], np.nan) for i, e in enumerate(specs)},
    )


def assess_recording(
    recording: Recording,
    fetch: Callable[[Sequence[int]], dict[int, np.ndarray]],
    *,
    source: str,
    input_kind: str,
    fps: float,
    options: DynamicsOptions,
    stems: list[str] | None = None,
    prompts: Sequence[Prompt | Mapping[str, object]] = (),
) -> DynamicsResult:
    """Everything after the first pass (pure arithmetic, plus ``fetch`` for the few frames whose pixels are read).

    Parameters
    ----------
    recording : Recording
    fetch : callable
        Frame indices -> their RGB frames (uint8, analysis size).
    source, input_kind, fps
        Reported as given.
    stems : list of str, optional
        Photo file names without extension (a photo series).
    prompts : sequence of Prompt (or of dicts with name, start_s, end_s), optional
        A guided recording's prompt times: segmentation follows them.

    Raises
    ------
    PromptError
        A prompt names no expression of the script, or its times are impossible.
    NoFaceInRecording
        Too few frames show a usable face.
    CalibrationError
        The irises cannot be measured at rest.
    """
    script = options.script or load_script()
    norms = options.norms or load_default_norm_set()
    rules = options.rules or load_movement_rules(norms)
    run = _Run(
        recording,
        script,
        norms,
        rules,
        photos=input_kind == "photos",
        stems=stems,
        patterns=options.patterns or load_patterns(),
        prompts=parse_prompts(list(prompts), script) if prompts else (),
    )
    usable_faces = _usable_faces(run)
    activity = _activity(run, usable_faces)
    usable, provisional_fits = _followed_frames(run, usable_faces, activity.provisional)
    rest = _rest(run, activity, usable, provisional_fits)
    motion = _head_motion(run, usable, rest.reference)
    movement = _movement(run, motion, rest, usable)
    segmentation = _segment(run, rest, usable, movement)

    images = fetch(sorted({rest.reference, *(s.peak for s in segmentation.segments)}))
    rest_points = FacePoints(motion.mesh(rest.reference))
    expressions: list[ExpressionResult] = []
    vectors: dict[int, dict[int, np.ndarray]] = {}
    vertex_sources: dict[int, dict[int, str]] = {}
    for seg in segmentation.segments:
        peak = _peak_points(motion, images, seg.peak, movement.iris_px)
        if peak.vectors_px is not None:
            vectors[seg.peak] = peak.vectors_px
        vertex_sources[seg.peak] = peak.sources
        expressions.append(_expression(run, seg, peak, rest_points, images.get(seg.peak), movement, rest.activation))
    prompted = bool(run.prompts)
    movements = {e.name for e in script.movements}
    asked = tuple(dict.fromkeys(p.name for p in run.prompts if p.name in movements)) if prompted else None
    read, missing, notes = settle(expressions, script, prompted=prompted, asked=asked)
    run.warnings.extend(notes)
    if missing:
        run.warnings.append("Expected but not found: " + ", ".join(missing) + ".")

    rest_result = _rest_expression(run, rest, rest_points, movement.calibration)
    rest_scores = np.nanmedian(recording.blendshapes[rest.at_rest].astype(np.float64), axis=0)
    rest_blendshapes = {n: float(v) for n, v in zip(BLENDSHAPE_NAMES, rest_scores, strict=True)}
    at_rest = _rest_is_at_rest(run, rest, activity)
    findings = derive_movement_findings(rest_result, read, rest_blendshapes, rules, rest_at_rest=at_rest)
    times = _times(run)
    count = run.count
    duration = float(times[-1] - times[0]) + (rest.frame_interval_s if not run.photos else 0.0) if count else 0.0
    return DynamicsResult(
        source=source,
        input_kind="photos" if run.photos else "video",
        script_name=script.name,
        script_version=script.version,
        frame_count=count,
        usable_frame_count=int(usable.sum()),
        fps=fps,
        duration_s=duration,
        frame_size_px=recording.frame_size_px,
        calibration=movement.calibration,
        rest=rest_result,
        expressions=read,
        missing=missing,
        findings=tuple(findings),
        rest_blendshapes=rest_blendshapes,
        warnings=tuple(run.warnings),
        series=_time_series(run, rest, movement, usable),
        rest_at_rest=at_rest,
        prompted=prompted,
        frames=images,
        frame_points_px={i: recording.landmarks_px[i].copy() for i in images},
        peak_vectors_px=vectors,
        vertex_sources=vertex_sources,
    )


def _rest_is_at_rest(run: _Run, rest: _Rest, activity: _Activity) -> bool:
    """Whether the rest period counts as at rest; a warning saying why not when it does not.

    It must be a real rest period (not the least animated frame of a recording without one), last the rest
    expression's minimum duration (a video), and the absolute activation of the limited expressions
    (``[[rest]]`` rows of the patterns file: the mouth and the eyes) must stay at or below their limits.
    """
    reasons: list[str] = []
    if not rest.found:
        reasons.append("no rest period was found")
    elif not run.photos:
        start, end = _rest_run(rest.at_rest, rest.reference)
        times = run.recording.times_s
        lasted = float(times[end] - times[start]) + rest.frame_interval_s
        if lasted + 1e-9 < run.script.rest.min_duration_s:
            reasons.append(f"it lasts {lasted:.2f} s, under {run.script.rest.min_duration_s:.2f} s")
    names = [e.name for e in run.script.movements]
    for limit in run.patterns.rest_limits:
        if limit.expression not in names:
            continue
        column = activity.raw[rest.at_rest, names.index(limit.expression)]
        score = float(np.nanmedian(column)) if np.isfinite(column).any() else 0.0
        if score > limit.at_most:
            label = run.script.expression(limit.expression).label.lower()
            reasons.append(f"its {label} activation is {score:.2f}, over {limit.at_most:.2f}")
    if reasons:
        run.warnings.append(
            "The rest period is not at rest (" + "; ".join(reasons) + "): its measurements are shown, but no "
            "rest finding or compensation sign is proposed."
        )
    return not reasons


def _calibrate(
    landmarks: np.ndarray, transforms: list[Affine3 | None], at_rest: np.ndarray, norms: NormSet
) -> Calibration:
    """Iris calibration from the median iris diameters over the rest frames (pixels of the reference frame)."""
    diameters = np.array(
        [
            iris_diameters_px(_aligned(landmarks, transforms, int(i)), IRIS_DIAMETER_ENDS)
            for i in np.flatnonzero(at_rest)
        ]
    )
    right, left = np.median(diameters, axis=0)
    return calibrate_from_iris(float(right), float(left), iris_reference(norms))


def _noise_px(head: np.ndarray, at_rest: np.ndarray, calibration: Calibration, photos: bool) -> float:
    """Frame-to-frame noise of one point coordinate, pixels: robust SD over the rest frames of the followed points.

    ``head`` holds :data:`~facebalance.dynamics.signals.SIGNAL_VERTICES` (compact columns). A photo series has
    one rest photo, so the calibration's landmark localisation noise is used instead.
    """
    rest_frames = np.flatnonzero(at_rest)
    if photos or len(rest_frames) < 5:
        return max(calibration.point_sigma_px, NOISE_FLOOR_PX)
    columns = [SIGNAL_VERTICES.index(v) for v in REGISTERED_POINTS]
    pts = head[rest_frames][:, columns, :2]
    deviation = pts - np.median(pts, axis=0)
    mad = float(np.median(np.abs(deviation)))
    return max(1.4826 * mad, NOISE_FLOOR_PX)


def assess_video(
    path: str | os.PathLike[str],
    *,
    options: DynamicsOptions | None = None,
    tracker: VideoFaceTracker | None = None,
    progress: Progress | None = None,
    prompts: Sequence[Prompt | Mapping[str, object]] = (),
) -> DynamicsResult:
    """Assess the movements in a video.

    Parameters
    ----------
    path : path-like
        MP4, MOV, WebM (or MKV/AVI) file.
    options : DynamicsOptions, optional
    tracker : VideoFaceTracker, optional
        An open tracker to use; must not have seen later timestamps (a new one is opened by default).
    progress : callable, optional
        Called with (frames done, frames expected) during the first pass.
    prompts : sequence of Prompt (or dicts with name, start_s, end_s), optional
        A guided recording's prompt times (labels): segmentation follows them instead of guessing.

    Raises
    ------
    PromptError
        A prompt names no expression of the script, or its times are impossible (checked before tracking).
    VideoInputError
        Not a readable video, or over a limit.
    NoFaceInRecording, CalibrationError
    """
    opts = options or DynamicsOptions()
    if prompts:
        parse_prompts(list(prompts), opts.script or load_script())  # refuse bad labels before the long pass
    recording, fps = record_video(path, options=opts, tracker=tracker, progress=progress)

    def fetch(indices: Sequence[int]) -> dict[int, np.ndarray]:
        with VideoReader(path, opts.limits) as reader:
            return {f.index: f.rgb for f in reader.frames(wanted=indices)}

    return assess_recording(
        recording, fetch, source=str(path), input_kind="video", fps=fps, options=opts, prompts=prompts
    )


def assess_photos(
    paths: Iterable[str | os.PathLike[str] | bytes],
    *,
    options: DynamicsOptions | None = None,
    observer: PhotoFaceObserver | None = None,
    labels: Sequence[str] | None = None,
) -> DynamicsResult:
    """Assess movements from a series of expression photos (one per expression, same camera and session).

    Each photo is named for its expression where possible (``rest.jpg``, ``smile.jpg`` ...); otherwise the
    expression is recognised from the face. Times in the result are photo indices.

    Parameters
    ----------
    paths : iterable of path-like or bytes
        The photos, rest first by convention (any order works); a photo given as bytes needs ``labels``
        (it has no file name to be recognised by).
    options : DynamicsOptions, optional
    observer : PhotoFaceObserver, optional
        An open observer to reuse across series.
    labels : sequence of str, optional
        The expression of each photo (script names or aliases), overriding the file names.

    Raises
    ------
    PhotoSeriesError
        Fewer than two photos, or more than the limit (:attr:`DynamicsLimits.max_photos`).
    ImageInputError, MultipleFaces
        A photo cannot be read or shows several faces.
    NoFaceInRecording
    """
    from facebalance.vision.image_io import load_image

    files = [p if isinstance(p, bytes) else Path(p) for p in paths]
    if len(files) < 2:
        raise PhotoSeriesError(
            "A photo series needs at least two photos: rest and one expression.",
            hint="Give the rest photo and the expression photos together.",
        )
    max_photos = default_limits().max_photos
    if len(files) > max_photos:
        raise PhotoSeriesError(
            f"{len(files)} photos were given; a series holds at most {max_photos}.",
            hint="Give one photo per expression of the script.",
        )
    opts = options or DynamicsOptions()
    builder = _RecordingBuilder(len(files))
    images: dict[int, np.ndarray] = {}
    own = observer is None
    active = observer or PhotoFaceObserver(opts.tracker)
    try:
        if own:
            active.open()
        for i, f in enumerate(files):
            rgb = load_image(f).rgb
            images[i] = rgb
            builder.add(float(i), active.observe(rgb), rgb.shape[1], rgb.shape[0])
    finally:
        if own:
            active.close()
    if labels is not None and len(labels) != len(files):
        raise PhotoSeriesError(
            f"{len(labels)} labels were given for {len(files)} photos.",
            hint="Give one expression name per photo, in the same order.",
        )
    first = images[0]
    recording = builder.build((first.shape[1], first.shape[0]))
    return assess_recording(
        recording,
        lambda idx: {i: images[i] for i in idx if i in images},
        source=", ".join("<upload>" if isinstance(f, bytes) else str(f) for f in files),
        input_kind="photos",
        fps=0.0,
        options=opts,
        stems=list(labels)
        if labels is not None
        else [f"photo{i}" if isinstance(f, bytes) else f.stem for i, f in enumerate(files)],
    )


def round_finite(value: float | None, digits: int = 3) -> float | None:
    """``value`` rounded, or ``None`` when missing or not finite (for JSON)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)
