"""Timing the engine: one 24 MP JPEG end to end on one core, and batch throughput.

``facebalance bench`` (``make bench``) runs :func:`run_bench`, which prints the results and, with
``--write``, regenerates ``docs/performance.md``. Every number in that file comes from a run of this
module; none is typed by hand.

How the numbers are taken:

* The test photo is built, not downloaded: the bundled London photo 001_03 upscaled so the face fills
  most of a 6000 x 4000 frame, with sensor-like noise so that it is not as cheap to entropy-decode
  as a smooth upscale (see :func:`build_24mp_jpeg`). Decoding time grows with the file's size: at
  quality 90 a 24 MP camera file is often heavier than this one.
* Each single-photo stage is run a few times to warm caches and lazy initialisation, then timed with
  :func:`time.perf_counter` over many runs and reported as median and 90th percentile.
* Single-photo stages run pinned to one CPU (:func:`os.sched_setaffinity`, where the OS has it), so
  the 60 ms target is a per-core budget and a second core does not flatter it. Batch throughput is
  also measured unpinned and with one process per CPU.
"""

from __future__ import annotations

import cProfile
import os
import platform
import pstats
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from rich.console import Console
from rich.table import Table

from facebalance.bench.common import current_load_average, pinned_to_one_cpu
from facebalance.evaluation.common import write_section

#: The end-to-end budget for one 24 MP JPEG on one core, model already loaded.
TARGET_END_TO_END_MS = 60.0
#: A 24 MP frame, landscape, as a full-frame or APS-C camera writes it.
BENCH_FRAME_PX = (6000, 4000)
#: Side of the square the 1350 px London photo is upscaled to: the face then spans about half the
#: frame's width, a head-and-shoulders clinical framing.
BENCH_FACE_SIDE_PX = 3600
BENCH_JPEG_QUALITY = 90
#: Standard deviation of the added noise, in 8-bit levels. An upscaled photo is smoother than a
#: camera frame and entropy-decodes faster; this noise moves the file's size (about 3.6 MB instead of
#: 1.1 MB) toward, not up to, a camera file's.
BENCH_NOISE_SIGMA = 4.0
#: Fixed so that every run times the same bytes.
BENCH_NOISE_SEED = 24

#: Untimed runs before each timed series (lazy initialisation, caches, the allocator).
WARMUP_RUNS = 2
#: Timed runs per single-photo stage.
TIMED_RUNS = 20
#: Repeats of model loading after the first (the first also imports MediaPipe).
MODEL_RELOADS = 3
#: Photos per batch-throughput run: the bundled photos repeated.
BATCH_PHOTO_COUNT = 60
#: End-to-end runs under cProfile for the list of heaviest functions.
PROFILED_RUNS = 5
#: How many functions that list shows.
PROFILE_TOP = 8

#: Environment variables that set thread pools in numeric and ML libraries, reported as found.
THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)

_REPO = Path(__file__).resolve().parents[3]
#: The bundled frontal photos; the bench runs from a source checkout (``make bench``).
BUNDLED_LONDON = _REPO / "tests" / "data" / "london"
#: The photo the 24 MP frame is built from.
BENCH_SOURCE_PHOTO = BUNDLED_LONDON / "001_03.jpg"
#: The three neutral frontal photos (``_03``; ``001_08`` is the same sitter smiling).
BATCH_PHOTO_GLOB = "*_03.jpg"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


class Stage(StrEnum):
    """One timed step of the single-photo pipeline."""

    FULL_DECODE = "full_decode"
    LOAD_IMAGE = "load_image"
    DETECT = "detect"
    NORMS_AND_RULES = "norms_and_rules"
    END_TO_END = "end_to_end"
    MODEL_LOAD_FIRST = "model_load_first"
    MODEL_LOAD_AGAIN = "model_load_again"


STAGE_LABELS: dict[Stage, str] = {
    Stage.FULL_DECODE: "full-resolution decode, for reference (Pillow open + load + RGB)",
    Stage.LOAD_IMAGE: "load_image: checks + reduced decode (Image.draft)",
    Stage.DETECT: "landmark detection on the loaded image (open FaceLandmarker)",
    Stage.NORMS_AND_RULES: "norm and rule files parsed (load_norm_set + load_finding_rules)",
    Stage.END_TO_END: "end to end: analyze_photo, model already open",
    Stage.MODEL_LOAD_FIRST: "model load, first in the process (open + close, imports MediaPipe)",
    Stage.MODEL_LOAD_AGAIN: "model load, again (open + close)",
}


@dataclass(frozen=True)
class StageTiming:
    """Wall-clock times of one stage, in milliseconds."""

    stage: Stage
    runs: int
    median_ms: float
    p90_ms: float


@dataclass(frozen=True)
class Throughput:
    """Photos analysed per second over one batch."""

    label: str
    processes: int
    photos: int
    seconds: float

    @property
    def photos_per_s(self) -> float:
        return self.photos / self.seconds


@dataclass(frozen=True)
class ProfileLine:
    """One function's cumulative time (its own and its callees') per analysed photo, under cProfile."""

    function: str
    ms_per_photo: float
    calls_per_photo: float


@dataclass(frozen=True)
class Machine:
    """Where the numbers were taken."""

    platform: str
    processor: str
    cpu_count: int | None
    python: str
    numpy: str
    pillow: str
    mediapipe: str
    pinning: str
    thread_env: dict[str, str]
    process_threads: int | None
    load_average: tuple[float, float, float] | None


@dataclass(frozen=True)
class BenchPhoto:
    """The synthetic 24 MP test photo."""

    source_name: str
    size_px: tuple[int, int]
    file_bytes: int
    analysed_size_px: tuple[int, int]
    jpeg_quality: int
    noise_sigma: float


@dataclass(frozen=True)
class BenchResult:
    """Everything one bench run measured."""

    date_utc: datetime
    command: str
    machine: Machine
    photo: BenchPhoto
    stages: tuple[StageTiming, ...]
    batch: tuple[Throughput, ...]
    profile: tuple[ProfileLine, ...] = field(default=())
    target_ms: float = TARGET_END_TO_END_MS

    def stage(self, stage: Stage) -> StageTiming:
        for timing in self.stages:
            if timing.stage is stage:
                return timing
        raise KeyError(stage)

    @property
    def target_met(self) -> bool:
        return self.stage(Stage.END_TO_END).median_ms <= self.target_ms


# --- the test photo ------------------------------------------------------------------------------


def build_24mp_jpeg(
    dest: Path,
    *,
    source: Path = BENCH_SOURCE_PHOTO,
    frame_px: tuple[int, int] = BENCH_FRAME_PX,
    face_side_px: int = BENCH_FACE_SIDE_PX,
    noise_sigma: float = BENCH_NOISE_SIGMA,
    quality: int = BENCH_JPEG_QUALITY,
) -> Path:
    """Write a 24 MP frontal JPEG with a real face, built from a bundled photo.

    The source photo is upscaled to ``face_side_px`` square and centred on a canvas of its own backdrop
    colour (the mean of its top-left 8 x 8 corner, so the hairline search sees one backdrop), then
    fixed-seed Gaussian noise is added and the frame saved as a baseline JPEG.

    Parameters
    ----------
    dest : Path
        The file to write.
    source : Path
        A frontal photo; the bundled London photo 001_03 by default.
    frame_px : tuple of int
        ``(width, height)`` of the written frame.
    face_side_px : int
        Side of the square the source photo is scaled to; at most the frame's height.
    noise_sigma : float
        Standard deviation of the added noise in 8-bit levels; 0 adds none.
    quality : int
        JPEG quality.

    Returns
    -------
    Path
        ``dest``.
    """
    width, height = frame_px
    if face_side_px > min(width, height):
        raise ValueError(f"face_side_px {face_side_px} does not fit in a {width}x{height} frame")
    with Image.open(source) as photo:
        face = photo.convert("RGB")
    backdrop = tuple(int(v) for v in np.asarray(face)[:8, :8].reshape(-1, 3).mean(axis=0))
    canvas = Image.new("RGB", frame_px, backdrop)
    canvas.paste(
        face.resize((face_side_px, face_side_px), Image.Resampling.LANCZOS),
        ((width - face_side_px) // 2, (height - face_side_px) // 2),
    )
    if noise_sigma > 0:
        rng = np.random.default_rng(BENCH_NOISE_SEED)
        pixels = np.asarray(canvas, dtype=np.float32)
        pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * np.float32(noise_sigma)
        canvas = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    dest.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(dest, format="JPEG", quality=quality)
    return dest


def batch_photos(folder: Path = BUNDLED_LONDON, *, count: int = BATCH_PHOTO_COUNT) -> list[Path]:
    """The bundled neutral frontal photos, repeated in turn to ``count`` paths."""
    photos = sorted(folder.glob(BATCH_PHOTO_GLOB))
    if not photos:
        raise FileNotFoundError(
            f"No photos matching {BATCH_PHOTO_GLOB} in {folder}; run the bench from a source checkout."
        )
    return [photos[i % len(photos)] for i in range(count)]


# --- timing --------------------------------------------------------------------------------------


def summarise(stage: Stage, samples_ms: Sequence[float]) -> StageTiming:
    """Median and 90th percentile (linear interpolation) of a series of times."""
    values = np.asarray(samples_ms, dtype=np.float64)
    return StageTiming(
        stage=stage, runs=len(values), median_ms=float(np.median(values)), p90_ms=float(np.percentile(values, 90))
    )


def time_stage(
    stage: Stage, fn: Callable[[], object], *, runs: int = TIMED_RUNS, warmups: int = WARMUP_RUNS
) -> StageTiming:
    """Call ``fn`` ``warmups`` times untimed, then ``runs`` times timed one call at a time."""
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return summarise(stage, samples)


def _process_threads() -> int | None:
    """Threads of this process (Linux ``/proc``); MediaPipe starts its own pools."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info(
    *, pinning: str, process_threads: int | None, load_average: tuple[float, float, float] | None
) -> Machine:
    return Machine(
        platform=platform.platform(),
        processor=platform.processor() or platform.machine(),
        cpu_count=os.cpu_count(),
        python=platform.python_version(),
        numpy=_version("numpy"),
        pillow=_version("pillow"),
        mediapipe=_version("mediapipe"),
        pinning=pinning,
        thread_env={name: os.environ.get(name, "unset") for name in THREAD_ENV_VARS},
        process_threads=process_threads,
        load_average=load_average,
    )


def _full_decode(path: Path) -> None:
    with Image.open(path) as image:
        image.load()
        image.convert("RGB")


def profile_end_to_end(
    fn: Callable[[], object], *, runs: int = PROFILED_RUNS, top: int = PROFILE_TOP
) -> tuple[ProfileLine, ...]:
    """The facebalance functions with the most cumulative time per call of ``fn``, under cProfile.

    ``fn`` itself and this module are left out. Cumulative time includes callees, so a function and
    the one it calls both appear; the profiler's overhead inflates Python-heavy functions a little.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        fn()
    profiler.disable()
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    lines = []
    for (filename, _, name), (_, calls, _, cumulative, _) in stats.items():
        path = Path(filename)
        if not path.is_relative_to(_PACKAGE_DIR) or path == Path(__file__).resolve():
            continue
        if name == "analyze_photo" or name.startswith("<"):
            continue
        module = ".".join(path.relative_to(_PACKAGE_DIR).with_suffix("").parts)
        lines.append(
            ProfileLine(
                function=f"{module}.{name}", ms_per_photo=cumulative * 1000.0 / runs, calls_per_photo=calls / runs
            )
        )
    lines.sort(key=lambda line: line.ms_per_photo, reverse=True)
    return tuple(lines[:top])


# --- batch workers (top level, so that spawned processes can import them) --------------------------

_worker_landmarker: Any = None
_worker_barrier: Any = None


def _worker_init(barrier: Any) -> None:
    """Open this worker's landmarker once, for every photo the worker is given."""
    global _worker_landmarker, _worker_barrier
    from facebalance.vision import FaceLandmarker

    _worker_landmarker = FaceLandmarker()
    _worker_landmarker.open()
    _worker_barrier = barrier


def _worker_analyze(path: Path) -> str:
    from facebalance.analysis import analyze_photo

    return analyze_photo(path, sex="female", landmarker=_worker_landmarker).source_name


def _worker_warm(path: Path) -> str:
    """Analyse once, then wait for every other worker: one warm-up task per worker, all started."""
    name = _worker_analyze(path)
    _worker_barrier.wait(timeout=600)
    return name


def _worker_close(_: int) -> None:
    """Close this worker's landmarker, then wait for every other worker: one closing task per worker.

    Closing happens here, not at interpreter exit, because MediaPipe's dispatcher thread is already
    shut down by then and the close would fail noisily.
    """
    _worker_landmarker.close()
    _worker_barrier.wait(timeout=600)


def _batch_in_process(label: str, photos: Sequence[Path], landmarker: Any) -> Throughput:
    from facebalance.analysis import analyze_photo

    for path in photos[:WARMUP_RUNS]:
        analyze_photo(path, sex="female", landmarker=landmarker)
    start = time.perf_counter()
    for path in photos:
        analyze_photo(path, sex="female", landmarker=landmarker)
    return Throughput(label=label, processes=1, photos=len(photos), seconds=time.perf_counter() - start)


def _batch_in_pool(photos: Sequence[Path], processes: int) -> Throughput:
    """Photos per second with ``processes`` workers, each with its own landmarker, all warmed first."""
    import multiprocessing

    # spawn: forking a process whose MediaPipe graph already runs threads is not safe.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    with ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_worker_init, initargs=(barrier,)
    ) as pool:
        warm = [pool.submit(_worker_warm, photos[i % len(photos)]) for i in range(processes)]
        for future in warm:
            future.result()
        start = time.perf_counter()
        list(pool.map(_worker_analyze, photos, chunksize=1))
        seconds = time.perf_counter() - start
        list(pool.map(_worker_close, range(processes)))
    return Throughput(
        label=f"{processes} processes, one landmarker each", processes=processes, photos=len(photos), seconds=seconds
    )


# --- the run -------------------------------------------------------------------------------------


def measure(
    *,
    runs: int = TIMED_RUNS,
    batch_count: int = BATCH_PHOTO_COUNT,
    command: str = "facebalance bench",
    progress: Console | None = None,
) -> BenchResult:
    """Build the test photo and time every stage; see the module docstring for the method."""
    from facebalance.analysis import analyze_photo
    from facebalance.findings import load_finding_rules
    from facebalance.norms import load_norm_set
    from facebalance.vision import FaceLandmarker, load_image

    def say(text: str) -> None:
        if progress is not None:
            progress.print(f"[dim]{text}[/]")

    load_before = current_load_average()
    with tempfile.TemporaryDirectory(prefix="facebalance-bench-") as tmp:
        say("building the 24 MP test photo")
        photo_path = build_24mp_jpeg(Path(tmp) / "bench_24mp.jpg")
        stages: list[StageTiming] = []
        with pinned_to_one_cpu() as pinning:
            say("timing model load")
            start = time.perf_counter()
            with FaceLandmarker():
                pass
            stages.append(summarise(Stage.MODEL_LOAD_FIRST, [(time.perf_counter() - start) * 1000.0]))

            def reload() -> None:
                with FaceLandmarker():
                    pass

            stages.append(time_stage(Stage.MODEL_LOAD_AGAIN, reload, runs=MODEL_RELOADS, warmups=0))

            say("timing decode")
            stages.append(time_stage(Stage.FULL_DECODE, lambda: _full_decode(photo_path), runs=runs))
            stages.append(time_stage(Stage.LOAD_IMAGE, lambda: load_image(photo_path), runs=runs))
            loaded = load_image(photo_path)

            def norms_and_rules() -> None:
                load_norm_set()
                load_finding_rules()

            stages.append(time_stage(Stage.NORMS_AND_RULES, norms_and_rules, runs=runs))

            with FaceLandmarker() as landmarker:
                threads = _process_threads()
                say("timing detection and end to end")
                stages.append(time_stage(Stage.DETECT, lambda: landmarker.detect(loaded.rgb), runs=runs))

                def end_to_end() -> object:
                    return analyze_photo(photo_path, sex="female", landmarker=landmarker)

                stages.append(time_stage(Stage.END_TO_END, end_to_end, runs=runs))
                profile = profile_end_to_end(end_to_end)

                say("timing batch throughput")
                photos = batch_photos(count=batch_count)
                batch = [_batch_in_process("1 process, pinned to one CPU", photos, landmarker)]
        # Unpinned from here: the process may use every CPU, and spawned workers inherit that.
        with FaceLandmarker() as landmarker:
            batch.append(_batch_in_process("1 process, all CPUs", photos, landmarker))
        processes = os.cpu_count() or 1
        batch.append(_batch_in_pool(photos, processes))

        return BenchResult(
            date_utc=datetime.now(UTC),
            command=command,
            machine=machine_info(pinning=pinning, process_threads=threads, load_average=load_before),
            photo=BenchPhoto(
                source_name=BENCH_SOURCE_PHOTO.name,
                size_px=BENCH_FRAME_PX,
                file_bytes=photo_path.stat().st_size,
                analysed_size_px=loaded.size_px,
                jpeg_quality=BENCH_JPEG_QUALITY,
                noise_sigma=BENCH_NOISE_SIGMA,
            ),
            stages=tuple(stages),
            batch=tuple(batch),
            profile=profile,
        )


# --- reporting -----------------------------------------------------------------------------------

_TABLE_ORDER = (
    Stage.FULL_DECODE,
    Stage.LOAD_IMAGE,
    Stage.DETECT,
    Stage.NORMS_AND_RULES,
    Stage.END_TO_END,
    Stage.MODEL_LOAD_FIRST,
    Stage.MODEL_LOAD_AGAIN,
)


def _ms(value: float) -> str:
    return f"{value:,.1f}"


def _stage_rows(result: BenchResult) -> list[tuple[str, str, str, str]]:
    rows = []
    for stage in _TABLE_ORDER:
        t = result.stage(stage)
        rows.append((STAGE_LABELS[stage], _ms(t.median_ms), _ms(t.p90_ms) if t.runs > 1 else "-", str(t.runs)))
    return rows


def _batch_rows(result: BenchResult) -> list[tuple[str, str, str, str]]:
    return [(b.label, str(b.photos), f"{b.seconds:.2f}", f"{b.photos_per_s:.1f}") for b in result.batch]


def _verdict(result: BenchResult) -> str:
    e2e = result.stage(Stage.END_TO_END)
    met = "met" if result.target_met else "not met"
    return (
        f"End to end on one CPU: median {_ms(e2e.median_ms)} ms, p90 {_ms(e2e.p90_ms)} ms, against a "
        f"target of {result.target_ms:g} ms: **{met}**."
    )


def _breakdown(result: BenchResult) -> list[str]:
    """Shares of the end-to-end median, from the separately timed stages."""
    e2e = result.stage(Stage.END_TO_END).median_ms
    decode = result.stage(Stage.LOAD_IMAGE).median_ms
    detect = result.stage(Stage.DETECT).median_ms
    files = result.stage(Stage.NORMS_AND_RULES).median_ms
    rest = e2e - decode - detect - files

    def share(ms: float) -> str:
        return f"{_ms(ms)} ms ({100.0 * ms / e2e:.0f} %)" if e2e > 0 else f"{_ms(ms)} ms"

    full = result.stage(Stage.FULL_DECODE).median_ms
    w, h = result.photo.analysed_size_px
    return [
        f"- Decoding at {w} x {h} (`load_image`): {share(decode)}. A full-resolution decode alone would take "
        f"{_ms(full)} ms; the decoder's reduction saves {_ms(full - decode)} ms.",
        f"- Landmark detection: {share(detect)}.",
        f"- Parsing the norm and rule files, done on every call: {share(files)}.",
        f"- The rest (face checks, head frame, hairline and brow searches in the pixels, measurements, "
        f"norm comparisons, findings): {share(rest)}.",
    ]


def render_markdown(result: BenchResult) -> str:
    """``docs/performance.md`` for one bench run."""
    m, p = result.machine, result.photo
    threads = ", ".join(f"{k}={v}" for k, v in m.thread_env.items())
    load = ", ".join(f"{v:.2f}" for v in m.load_average) if m.load_average is not None else "not available"
    out = [
        "## Frontal engine (`facebalance bench`)",
        "",
        f"Generated by `{result.command}` (`make bench`) on {result.date_utc:%Y-%m-%d %H:%M} UTC. "
        "Do not edit by hand: every number here is measured; run the command again to refresh them.",
        "",
        "### Machine",
        "",
        "| | |",
        "|---|---|",
        f"| platform | {m.platform} |",
        f"| processor | {m.processor} |",
        f"| logical CPUs | {m.cpu_count} |",
        f"| Python | {m.python} |",
        f"| numpy / Pillow / MediaPipe | {m.numpy} / {m.pillow} / {m.mediapipe} |",
        f"| pinning | {m.pinning} |",
        f"| thread environment | {threads} |",
        f"| threads in the process with the model open | {m.process_threads} |",
        f"| load average before the run (1, 5, 15 min) | {load} |",
        "",
        "The machine may have had other load (for example a test suite running at the same time); the "
        "load average above is the only record of it. Compare medians across runs, not single runs.",
        "",
        "### Test photo",
        "",
        f"{p.size_px[0]} x {p.size_px[1]} JPEG ({p.size_px[0] * p.size_px[1] / 1e6:.0f} MP), quality "
        f"{p.jpeg_quality}, {p.file_bytes / 1e6:.1f} MB: the bundled London photo {p.source_name} upscaled so "
        f"the face fills the middle of the frame, with Gaussian noise (sigma {p.noise_sigma:g} levels) so that "
        "it is not as cheap to decode as a smooth upscale. Decoding time grows with the file's size, and camera "
        f"files of this resolution are often heavier. It is analysed at {p.analysed_size_px[0]} x "
        f"{p.analysed_size_px[1]}.",
        "",
        "### Single photo",
        "",
        f"Wall clock (`time.perf_counter`), {WARMUP_RUNS} warm-up runs then the runs shown.",
        "",
        "| stage | median ms | p90 ms | runs |",
        "|---|---:|---:|---:|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in _stage_rows(result)),
        "",
        "### Batch throughput",
        "",
        "The bundled neutral frontal photos (1350 x 1350) repeated; analyze_photo with the model already "
        "open; worker start-up and model load are excluded.",
        "",
        "| how | photos | seconds | photos/s |",
        "|---|---:|---:|---:|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in _batch_rows(result)),
        "",
        "### Target",
        "",
        _verdict(result),
        "",
        "### Where the time goes",
        "",
        f"Shares of the end-to-end median ({_ms(result.stage(Stage.END_TO_END).median_ms)} ms), from the "
        "stages timed on their own:",
        "",
        *_breakdown(result),
    ]
    if result.profile:
        out += [
            "",
            "Heaviest facebalance functions under cProfile (cumulative: a function's own time and its "
            "callees'; profiling inflates Python-heavy code):",
            "",
            "| function | ms per photo | calls per photo |",
            "|---|---:|---:|",
            *(
                f"| `{line.function}` | {_ms(line.ms_per_photo)} | {line.calls_per_photo:g} |"
                for line in result.profile
            ),
        ]
    return "\n".join(out) + "\n"


def render_tables(result: BenchResult) -> list[Table]:
    """The results as Rich tables, for the terminal."""
    single = Table("stage", "median ms", "p90 ms", "runs", title="Single photo, 24 MP JPEG")
    for row in _stage_rows(result):
        single.add_row(*row)
    batch = Table("how", "photos", "seconds", "photos/s", title="Batch throughput")
    for row in _batch_rows(result):
        batch.add_row(*row)
    return [single, batch]


def run_bench(*, write: Path | None, console: Console) -> None:
    """Measure, print the tables and the verdict, and with ``write`` regenerate the markdown report."""
    command = "facebalance bench" + (f" --write {write}" if write is not None else "")
    result = measure(command=command, progress=console)
    for table in render_tables(result):
        console.print(table)
    console.print(_verdict(result).replace("**", ""))
    if write is not None:
        # Only this run's section: other commands (bench-batch, bench-dynamics) own their own sections.
        write_section(write, "bench-engine", render_markdown(result))
        console.print(f"wrote {write}")


__all__ = [
    "TARGET_END_TO_END_MS",
    "BenchPhoto",
    "BenchResult",
    "Machine",
    "ProfileLine",
    "Stage",
    "StageTiming",
    "Throughput",
    "batch_photos",
    "build_24mp_jpeg",
    "measure",
    "render_markdown",
    "render_tables",
    "run_bench",
]
