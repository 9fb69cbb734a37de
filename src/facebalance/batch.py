"""Batch analysis of photo archives: one flat row per photo, on all local cores or a Dask cluster.

For clinic chains and research teams re-analysing whole archives. :func:`run_batch` runs a *task* (a
picklable, top-level callable ``task(path) -> row``; :func:`analyze_row` is the frontal analysis) over
many files and writes one table, CSV or Parquet:

* **Never stopped by one photo.** A domain error (:class:`~facebalance.errors.FacebalanceError`) becomes
  an ``error`` row with its code and message; any other exception becomes an ``error`` row with code
  ``unexpected`` and the exception's type name; a worker process that dies (a crash in a native decoder
  or the model) is restarted, the photos it held are retried one at a time, and the one that kills a
  worker on its own gets an ``error`` row with code ``worker_crashed``.
* **Resumable.** Each finished row is appended to a journal next to the output
  (``.NAME.partial.jsonl``) as soon as it arrives, and the output itself is replaced atomically at the
  end (also after Ctrl-C). A re-run reads the output and the journal and skips files already ``ok``;
  failed files are tried again.
* **Parallel.** Locally, one process per CPU (``spawn`` start method: no forked MediaPipe state); each
  process opens one Face Landmarker on its first photo and keeps it (:func:`worker_landmarker`). With
  ``scheduler="tcp://HOST:PORT"`` the photos go to an existing Dask distributed cluster instead; the
  workers need facebalance installed and must see the files at the same paths.

File names are keys, not commands: they are never passed to a shell, a name that is not valid UTF-8 is
kept with its odd bytes written as ``\\xNN`` (:func:`file_key`), and text cells that a spreadsheet would
run as a formula are written to CSV with a leading apostrophe (:func:`write_rows`).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import math
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from facebalance.errors import FacebalanceError

if TYPE_CHECKING:
    from rich.console import Console

    from facebalance.vision import FaceLandmarker

#: File extensions collected from folders (lower case; matched case-insensitively).
PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"})
#: Output formats by file extension.
OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
STATUS_OK = "ok"
STATUS_ERROR = "error"
#: The columns every row has, first in every output.
FIXED_COLUMNS = ("file", "status", "error_code", "error_message")
#: Photos in flight per local worker process or Dask thread: enough to keep each busy, few enough that
#: a crash costs little and Ctrl-C stops soon.
IN_FLIGHT_PER_WORKER = 2
#: Distinct error messages listed in the summary.
TOP_ERRORS = 5
#: A local batch stops when this many photos in a row crash their worker before any photo succeeds.
CRASHES_BEFORE_GIVING_UP = 5
#: How long to keep trying to reach a Dask scheduler before giving up.
SCHEDULER_TIMEOUT_S = 20.0
#: Characters that make a spreadsheet treat a text cell as a formula (CSV injection), plus the escape.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")

Scalar = str | int | float | bool | None
Row = dict[str, Scalar]
Task = Callable[[Path], Row]


class BatchError(FacebalanceError):
    """The batch as a whole cannot run (bad output name, unreadable previous results, no scheduler)."""

    code = "batch"


# --- collecting files ----------------------------------------------------------------------------


def file_key(path: str | os.PathLike[str]) -> str:
    r"""The text that names a file in the output: its path as given, always valid UTF-8.

    A name whose bytes are not UTF-8 (possible on Linux) keeps them visible as ``\xNN``.

    Examples
    --------
    >>> file_key(Path("photos") / "a b.jpg")
    'photos/a b.jpg'
    >>> file_key(os.fsdecode(b"caf\xe9.jpg"))
    'caf\\xe9.jpg'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def collect_photos(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The photos at the given paths: files as given, folders searched recursively by extension.

    Parameters
    ----------
    paths : iterable of path
        Files (taken whatever their extension, so a mislabelled file gets an error row rather than
        vanishing) and folders (every file below them with an extension in :data:`PHOTO_EXTENSIONS`,
        hidden files and folders included; symbolic links to folders are not followed, so a link loop
        cannot trap the walk).

    Returns
    -------
    list of Path
        Without duplicates, sorted by :func:`file_key`.

    Raises
    ------
    BatchError
        A path does not exist.
    """
    found: dict[str, Path] = {}
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for folder, dirs, names in os.walk(root, followlinks=False):
                dirs.sort()
                for name in names:
                    candidate = Path(folder) / name
                    if candidate.suffix.lower() in PHOTO_EXTENSIONS and candidate.is_file():
                        found.setdefault(file_key(os.path.normpath(candidate)), candidate)
        elif root.exists():
            found.setdefault(file_key(os.path.normpath(root)), root)
        else:
            raise BatchError(f"{file_key(root)} does not exist.", hint="Give photo files or folders that exist.")
    return [found[key] for key in sorted(found)]


# --- one landmarker per worker -------------------------------------------------------------------

_landmarkers: dict[int, FaceLandmarker] = {}
_landmarkers_lock = threading.Lock()


def worker_landmarker() -> FaceLandmarker:
    """This worker's open Face Landmarker, opened on first use and kept for every later photo.

    One per thread: a local worker process runs one photo at a time and so has exactly one; a Dask
    worker with several threads opens one per thread, since a MediaPipe task must not run two images at
    once. Close them with :func:`close_worker_landmarkers`.
    """
    ident = threading.get_ident()
    landmarker = _landmarkers.get(ident)
    if landmarker is None:
        from facebalance.vision import FaceLandmarker

        landmarker = FaceLandmarker()
        landmarker.open()
        with _landmarkers_lock:
            _landmarkers[ident] = landmarker
    return landmarker


def close_worker_landmarkers() -> int:
    """Close every landmarker this process opened through :func:`worker_landmarker`; returns how many.

    Call it when no photo is being analysed in the process. MediaPipe's dispatcher is gone by the time
    the interpreter exits, so landmarkers should be closed before that (:func:`run_batch` does it for the
    processes it starts and for its own).
    """
    with _landmarkers_lock:
        landmarkers = list(_landmarkers.values())
        _landmarkers.clear()
    for landmarker in landmarkers:
        landmarker.close()
    return len(landmarkers)


# --- the tasks -----------------------------------------------------------------------------------


def analyze_row(
    path: Path,
    *,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms_path: Path | None = None,
    rules_path: Path | None = None,
    known_ipd_mm: float | None = None,
) -> Row:
    """Analyse one frontal photo and flatten the analysis document into one row.

    Bind the options with :func:`functools.partial` to make the task for :func:`run_batch`.

    Returns
    -------
    dict
        ``file``, ``status`` (``ok``), ``error_code``/``error_message`` (empty), ``pose_yaw_deg``,
        ``pose_pitch_deg``, ``pose_roll_deg``, ``calibration_method``, ``calibration_mm_per_px`` (mm per
        pixel of the original photo), ``calibration_relative_uncertainty``, ``n_findings``, then for each
        measurement id ``<id>`` (value in the unit its name ends with) and ``<id>__uncertainty`` (one
        sigma); empty where the measurement was not possible.

    Raises
    ------
    facebalance.errors.FacebalanceError
        The photo cannot be analysed (:func:`run_batch` turns it into an error row).
    """
    from facebalance.analysis import analyze_photo
    from facebalance.report.document import analysis_document

    result = analyze_photo(
        path,
        sex=sex,
        ethnicity=ethnicity,
        norms_path=norms_path,
        rules_path=rules_path,
        known_ipd_mm=known_ipd_mm,
        landmarker=worker_landmarker(),
    )
    doc = analysis_document(result)
    row: Row = {"file": file_key(path), "status": STATUS_OK, "error_code": None, "error_message": None}
    for name, value in doc["pose"].items():
        row[f"pose_{name}"] = value
    calibration = doc["calibration"]
    row["calibration_method"] = calibration["method"]
    row["calibration_mm_per_px"] = calibration["mm_per_px_original"]
    row["calibration_relative_uncertainty"] = calibration["relative_uncertainty"]
    row["n_findings"] = len(doc["findings"])
    for mid, measurement in doc["measurements"].items():
        row[mid] = measurement["value"]
        row[f"{mid}__uncertainty"] = measurement["uncertainty"]
    return row


def error_row(path: Path, code: str, message: str) -> Row:
    """The row of a photo that could not be processed."""
    return {"file": file_key(path), "status": STATUS_ERROR, "error_code": code, "error_message": _text(message)}


def run_one(task: Task, path: Path) -> Row:
    """Run the task on one file and return its row; every ``Exception`` becomes an error row.

    The task's own ``file``/``status``/``error_*`` values are replaced by the batch's.
    """
    try:
        produced = task(path)
    except FacebalanceError as exc:
        return error_row(path, exc.code, str(exc))
    except Exception as exc:  # one bad photo must never stop an archive's batch
        return error_row(path, "unexpected", f"{type(exc).__name__}: {exc}")
    row: Row = {"file": file_key(path), "status": STATUS_OK, "error_code": None, "error_message": None}
    row.update((k, v) for k, v in produced.items() if k not in FIXED_COLUMNS)
    return row


def _text(value: str) -> str:
    """Text that survives UTF-8 encoding (lone surrogates from odd file names are escaped)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


# --- reading and writing tables ------------------------------------------------------------------


def output_format(path: Path) -> str:
    """``"csv"`` or ``"parquet"`` from the output's extension.

    Raises
    ------
    BatchError
        Any other extension.
    """
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BatchError(
            f"Cannot write results to {file_key(path)}: unknown format {path.suffix or '(none)'}.",
            hint="Name the output results.csv or results.parquet.",
        )
    return fmt


def columns_of(rows: Sequence[Row]) -> list[str]:
    """:data:`FIXED_COLUMNS`, then every other column in the order it first appears."""
    seen: dict[str, None] = dict.fromkeys(FIXED_COLUMNS)
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _csv_cell(value: Scalar) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    text = _text(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_value(cell: str, *, text_only: bool) -> Scalar:
    if cell == "":
        return None
    if cell.startswith("'"):
        return cell[1:]
    if text_only:
        return cell
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        number = float(cell)
    except ValueError:
        return cell
    return number if math.isfinite(number) else cell


def _arrow_type(values: list[Scalar]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()


def write_rows(path: Path, rows: Sequence[Row]) -> None:
    """Write the rows as CSV or Parquet (by extension), through a temporary file and a rename.

    CSV: UTF-8, RFC 4180 quoting (commas, quotes and line breaks in names are safe), empty cell for a
    missing value (and for NaN or infinity), numbers at full precision; a text cell beginning with
    ``= + - @``, a tab, a carriage return or an apostrophe gets a leading apostrophe so that no
    spreadsheet runs it as a formula (:func:`read_rows` removes it). Parquet keeps the types; a column
    mixing text and numbers is text.
    """
    fmt = output_format(path)
    columns = columns_of(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if fmt == "csv":
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                for row in rows:
                    writer.writerow([_csv_cell(row.get(c)) for c in columns])
        else:
            import pyarrow as pa  # type: ignore[import-untyped]
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            arrays = {}
            for c in columns:
                values = [row.get(c) for row in rows]
                kind = _arrow_type(values)
                if kind == pa.string():
                    values = [None if v is None else _text(str(v)) for v in values]
                arrays[c] = pa.array(values, type=kind)
            pq.write_table(pa.table(arrays), tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def read_rows(path: Path) -> list[Row]:
    """Read a table written by :func:`write_rows`.

    CSV cells come back as ``None`` (empty), ``int`` or ``float`` (anything that parses as one, outside
    the four fixed columns; booleans were written as 1 and 0) or ``str``; Parquet keeps the written types.
    """
    if output_format(path) == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return []
            return [
                {c: _csv_value(cell, text_only=c in FIXED_COLUMNS) for c, cell in zip(header, cells, strict=False)}
                for cells in reader
            ]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    return [dict(row) for row in pq.read_table(path).to_pylist()]


def journal_path(out: Path) -> Path:
    """Where rows are appended as they finish, next to the output (removed once the output is written)."""
    return out.with_name(f".{out.name}.partial.jsonl")


def _read_journal(path: Path) -> list[Row]:
    rows: list[Row] = []
    if not path.exists():
        return rows
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line cut short by a hard kill: everything before it is good
    return rows


# --- running -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    """What one :func:`run_batch` call did.

    Attributes
    ----------
    out : Path
        The table written.
    total : int
        Files given.
    skipped : int
        Files already ``ok`` in the previous results, not run again.
    ok, failed : int
        Files run in this call that succeeded / got an error row.
    seconds : float
        Wall clock of this call, from the start to the written table (worker start-up included).
    first_result_seconds : float or None
        When the first photo finished (start-up, model loading and one photo).
    top_errors : tuple of (str, int)
        The commonest error messages of this call with their counts.
    where : str
        ``"this process"``, ``"N local processes"`` or the scheduler's address.
    """

    out: Path
    total: int
    skipped: int
    ok: int
    failed: int
    seconds: float
    first_result_seconds: float | None
    top_errors: tuple[tuple[str, int], ...]
    where: str

    @property
    def processed(self) -> int:
        return self.ok + self.failed

    @property
    def photos_per_s(self) -> float:
        """Files processed per second of wall clock, start-up included."""
        return self.processed / self.seconds if self.seconds > 0 else 0.0

    @property
    def steady_photos_per_s(self) -> float | None:
        """Files per second after the first one finished (start-up excluded); ``None`` below two files."""
        if self.first_result_seconds is None or self.processed < 2:
            return None
        span = self.seconds - self.first_result_seconds
        return (self.processed - 1) / span if span > 0 else None


def default_workers() -> int:
    """The CPUs this process may run on."""
    getter = getattr(os, "sched_getaffinity", None)
    if getter is not None:
        return max(1, len(getter(0)))
    return max(1, os.cpu_count() or 1)


def _run_here(files: Sequence[Path], task: Task) -> Iterator[tuple[Path, Row]]:
    try:
        for path in files:
            yield path, run_one(task, path)
    finally:
        close_worker_landmarkers()


def _init_local_worker() -> None:
    """Local worker start-up: close this process's landmarker before the interpreter exits."""
    import atexit

    atexit.register(close_worker_landmarkers)


def _crash_row(path: Path) -> Row:
    return error_row(path, "worker_crashed", "The analysis process crashed on this file (run on its own).")


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: drop what has not started and end its worker processes.

    ``shutdown(wait=False)`` alone is not enough after an interrupt: CPython joins the pool's manager
    thread at exit, which then waits for workers caught mid-start. Python 3.14 has ``terminate_workers``;
    before it the processes are only reachable through the executor's ``_processes``.
    """
    terminate = getattr(pool, "terminate_workers", None)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    if terminate is not None:
        terminate()
        return
    for process in processes:
        if process.is_alive():
            process.terminate()


def _run_local_processes(files: Sequence[Path], task: Task, workers: int) -> Iterator[tuple[Path, Row]]:
    """Run on a pool of spawned processes; a pool broken by a crash is replaced and its photos retried.

    After a crash, the photos that were in flight are run one at a time, each alone in the pool, so
    the one that crashes the process is found and given an error row; the others get their real rows.
    When the first :data:`CRASHES_BEFORE_GIVING_UP` photos all crash and none succeeds, the workers
    cannot work here at all and the batch stops with a :class:`BatchError`.
    """
    context = multiprocessing.get_context("spawn")
    pending: deque[Path] = deque(files)
    suspects: deque[Path] = deque()
    window = workers * IN_FLIGHT_PER_WORKER
    successes = crashes = 0
    while pending or suspects:
        if not successes and crashes >= CRASHES_BEFORE_GIVING_UP:
            raise BatchError(
                f"The analysis process crashed on each of the first {crashes} photos.",
                hint="Run with --workers 1 to see the failure in this process.",
            )
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_local_worker)
        in_flight: dict[Future[Row], Path] = {}
        broken = finished = False
        try:
            while (pending or suspects or in_flight) and not broken:
                queue = suspects if suspects else pending
                limit = 1 if suspects else window
                while queue and len(in_flight) < limit:
                    path = queue.popleft()
                    try:
                        in_flight[pool.submit(run_one, task, path)] = path
                    except BrokenProcessPool:
                        queue.appendleft(path)  # never started: not a suspect
                        broken = True
                        break
                if broken or not in_flight:
                    break
                alone = len(in_flight) == 1
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    path = in_flight.pop(future)
                    try:
                        row = future.result()
                    except BrokenProcessPool:
                        # Alone in the pool, this file killed its process; otherwise any of those in
                        # flight may have, and each is run again on its own.
                        broken = True
                        if alone:
                            crashes += 1
                            yield path, _crash_row(path)
                        else:
                            suspects.append(path)
                        continue
                    successes += 1
                    yield path, row
            if broken:
                suspects.extend(in_flight.values())
                in_flight.clear()
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=not broken)
            else:  # interrupted (Ctrl-C) or the consumer stopped early
                _stop_pool(pool)


def _connect(scheduler: str, timeout_s: float) -> Any:
    """A Dask distributed client of the scheduler, or a :class:`BatchError` saying what is wrong."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise BatchError(
            "Running on a Dask cluster needs the 'distributed' package.",
            hint="pip install distributed (and install it on the cluster's workers).",
        ) from exc
    try:
        return Client(scheduler, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(
            f"Could not connect to the Dask scheduler at {scheduler}: {exc}",
            hint="Check the address (tcp://HOST:PORT) and that the scheduler is running.",
        ) from exc


def _run_dask(files: Sequence[Path], task: Task, client: Any) -> Iterator[tuple[Path, Row]]:
    """Run on a Dask cluster, a few photos per worker thread in flight; closes the client at the end."""
    from distributed import as_completed

    with client:
        threads = sum(client.nthreads().values()) or 1
        pending: deque[Path] = deque(files)
        in_flight: dict[Any, Path] = {}

        def submit() -> Any:
            path = pending.popleft()
            future = client.submit(run_one, task, path, pure=False)
            in_flight[future] = path
            return future

        queue = as_completed([submit() for _ in range(min(len(pending), threads * IN_FLIGHT_PER_WORKER))])
        for future in queue:
            path = in_flight.pop(future)
            try:
                row = future.result()
            except Exception as exc:  # KilledWorker and friends: the file, not the batch, fails
                row = error_row(
                    path, "worker_crashed", f"The Dask worker failed on this file: {type(exc).__name__}: {exc}"
                )
            yield path, row
            if pending:
                queue.add(submit())


def run_batch(
    files: Sequence[Path],
    task: Task,
    *,
    out: Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = True,
    progress: bool = True,
    console: Console | None = None,
    scheduler_timeout_s: float = SCHEDULER_TIMEOUT_S,
) -> BatchSummary:
    """Run ``task`` on every file and write one table of rows to ``out``.

    Parameters
    ----------
    files : sequence of Path
        The photos (see :func:`collect_photos`).
    task : callable
        ``task(path) -> dict`` of scalars: a top-level function, or a :func:`functools.partial` of one,
        so that worker processes can import it (:func:`analyze_row`).
    out : Path
        ``.csv`` or ``.parquet``.
    workers : int, optional
        Local processes; all usable CPUs by default. ``1`` runs in this process, no pool.
    scheduler : str, optional
        A Dask distributed scheduler address (``tcp://HOST:PORT``); ``workers`` is then not used.
    resume : bool
        Keep the rows already ``ok`` in ``out`` (and its journal) and skip those files; ``False`` starts
        afresh and replaces ``out``.
    progress : bool
        Show a progress bar (Rich, on ``console`` or stderr).
    console : rich.console.Console, optional
        Where the progress bar goes.
    scheduler_timeout_s : float
        How long to keep trying to reach the scheduler.

    Returns
    -------
    BatchSummary

    Raises
    ------
    BatchError
        The output name, the previous results or the scheduler make the batch impossible; raised before
        any photo is run.
    """
    start = time.perf_counter()
    output_format(out)
    if workers is not None and workers < 1:
        raise BatchError(f"--workers must be at least 1, not {workers}.", hint="Leave it out to use every CPU.")
    journal = journal_path(out)
    previous: dict[str, Row] = {}
    if resume:
        try:
            old = read_rows(out) if out.exists() else []
        except Exception as exc:
            raise BatchError(
                f"Cannot read the previous results in {file_key(out)} to resume: {exc}",
                hint="Use --no-resume to start afresh, or another --out.",
            ) from exc
        for row in old + _read_journal(journal):
            previous[str(row.get("file"))] = row
    else:
        journal.unlink(missing_ok=True)
    unique = list({file_key(f): f for f in files}.items())
    todo = [f for key, f in unique if previous.get(key, {}).get("status") != STATUS_OK]
    skipped = len(unique) - len(todo)

    results: Iterator[tuple[Path, Row]]
    if scheduler is not None:
        where = scheduler
        results = _run_dask(todo, task, _connect(scheduler, scheduler_timeout_s)) if todo else iter(())
    else:
        n = min(workers or default_workers(), max(1, len(todo)))
        where = "this process" if n == 1 else f"{n} local processes"
        results = _run_here(todo, task) if n == 1 else _run_local_processes(todo, task, n)

    new: dict[str, Row] = {}
    first_result: float | None = None
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            _progress(len(todo), enabled=progress and bool(todo), console=console) as advance,
            journal.open("a", encoding="utf-8") as log,
        ):
            for _, row in results:
                if first_result is None:
                    first_result = time.perf_counter() - start
                new[str(row["file"])] = row
                _append(log, row)
                advance(row)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the workers (or the client) when the loop ended early
        merged = {**previous, **new}
        write_rows(out, [merged[k] for k in sorted(merged)])
        journal.unlink(missing_ok=True)
    failures = Counter(str(r["error_message"]) for r in new.values() if r.get("status") != STATUS_OK)
    return BatchSummary(
        out=out,
        total=len(unique),
        skipped=skipped,
        ok=sum(1 for r in new.values() if r.get("status") == STATUS_OK),
        failed=sum(failures.values()),
        seconds=time.perf_counter() - start,
        first_result_seconds=first_result,
        top_errors=tuple(failures.most_common(TOP_ERRORS)),
        where=where,
    )


def _append(log: TextIO, row: Row) -> None:
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
    log.write(json.dumps(clean, ensure_ascii=True) + "\n")
    log.flush()


@contextlib.contextmanager
def _progress(total: int, *, enabled: bool, console: Console | None) -> Iterator[Callable[[Row], None]]:
    """A Rich progress bar with the photo rate and the failures so far; a no-op when disabled."""
    if not enabled:
        yield lambda row: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TextColumn("[red]{task.fields[failed]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    failed = 0
    started = time.perf_counter()
    with Progress(*columns, console=console or Console(stderr=True)) as bar:
        task_id = bar.add_task("photos", total=total, rate="", failed="")

        def advance(row: Row) -> None:
            nonlocal failed
            failed += row.get("status") != STATUS_OK
            done = bar.tasks[0].completed + 1
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task_id, advance=1, rate=f"{rate:.1f} photos/s", failed=f"{failed} failed" if failed else "")

        yield advance


def analyze_task(
    *,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms_path: Path | None = None,
    rules_path: Path | None = None,
    known_ipd_mm: float | None = None,
) -> Task:
    """:func:`analyze_row` with these options bound, picklable for worker processes."""
    return functools.partial(
        analyze_row,
        sex=sex,
        ethnicity=ethnicity,
        norms_path=norms_path,
        rules_path=rules_path,
        known_ipd_mm=known_ipd_mm,
    )


__all__ = [
    "FIXED_COLUMNS",
    "PHOTO_EXTENSIONS",
    "BatchError",
    "BatchSummary",
    "analyze_row",
    "analyze_task",
    "close_worker_landmarkers",
    "collect_photos",
    "default_workers",
    "error_row",
    "file_key",
    "read_rows",
    "run_batch",
    "run_one",
    "worker_landmarker",
    "write_rows",
]
