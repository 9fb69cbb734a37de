"""Batch throughput on the London set: ``facebalance bench-batch``.

Runs :func:`facebalance.batch.run_batch` with :func:`~facebalance.batch.analyze_row` over the London
set's neutral frontal photos with 1 and 2 local workers and writes the section ``bench-batch`` of
``docs/performance.md`` (only that section; the rest of the file belongs to ``facebalance bench``).
Every number comes from a run; none is typed by hand.

What is timed: the wall clock of one :func:`run_batch` call, from the call to the written CSV, so worker
start-up (a spawned process imports MediaPipe and opens its own model) and writing are included, as a
user sees them. The rate after the first finished photo leaves most of the start-up out. One worker runs
in the calling process, without a pool; two are spawned processes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from facebalance.batch import BatchSummary, analyze_task, run_batch
from facebalance.bench.common import load_average_text

#: The section of docs/performance.md this bench owns.
SECTION = "bench-batch"
#: The shared London set's neutral photos, beside the repository (``../shared``).
DEFAULT_DATASET = Path(__file__).resolve().parents[4] / "shared" / "data" / "london_frontal" / "neutral"
#: Worker counts compared.
WORKER_COUNTS = (1, 2)


@dataclass(frozen=True)
class BatchRun:
    """One timed batch."""

    workers: int
    summary: BatchSummary


def london_photos(dataset: Path) -> list[Path]:
    """The neutral frontal photos of the London set folder, sorted."""
    return sorted(p for p in dataset.glob("*.jpg") if p.is_file())


def measure(
    photos: Sequence[Path], *, worker_counts: Sequence[int] = WORKER_COUNTS, console: Console | None = None
) -> list[BatchRun]:
    """Run the batch once per worker count into a temporary CSV and keep the summaries."""
    # Import the engine once before timing, so the one-worker run does not pay for the first import
    # of MediaPipe while the spawned workers' start-up is timed in full (they import it themselves).
    import facebalance.analysis  # noqa: F401

    runs = []
    with tempfile.TemporaryDirectory(prefix="facebalance-bench-batch-") as tmp:
        for workers in worker_counts:
            summary = run_batch(
                photos,
                analyze_task(),
                out=Path(tmp) / f"results_{workers}.csv",
                workers=workers,
                resume=False,
                progress=console is not None,
                console=console,
            )
            runs.append(BatchRun(workers=workers, summary=summary))
    return runs


def render_section(
    runs: Sequence[BatchRun], *, command: str, dataset: Path, load_average: str, now: datetime | None = None
) -> str:
    """The markdown of the ``bench-batch`` section (without its markers)."""
    from facebalance.evaluation.common import run_header

    lines = [
        "## Batch throughput, `facebalance analyze-batch`",
        "",
        run_header(command, now=now or datetime.now(UTC)),
        f"- load average before the run (1, 5, 15 min): {load_average}",
        "",
        f"The {runs[0].summary.total} neutral frontal photos of the London set (`{dataset.name}/`, 1350 x 1350 "
        "JPEG) analysed by `run_batch` with `analyze_row` into a CSV. Wall clock from the call to the written "
        "table: worker start-up (each spawned process imports MediaPipe and opens its own model) and writing "
        'are included. "After the first photo" leaves most of the start-up out. One worker runs in the '
        "calling process, without a pool; more are spawned processes.",
        "",
        "| workers | photos | ok | seconds | photos/s | first photo done after (s) | photos/s after the first |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        s = run.summary
        steady = "-" if s.steady_photos_per_s is None else f"{s.steady_photos_per_s:.1f}"
        first = "-" if s.first_result_seconds is None else f"{s.first_result_seconds:.2f}"
        lines.append(
            f"| {run.workers} | {s.processed} | {s.ok} | {s.seconds:.2f} | {s.photos_per_s:.1f} | {first} | {steady} |"
        )
    return "\n".join(lines)


def render_table(runs: Sequence[BatchRun]) -> Table:
    table = Table(
        "workers", "photos", "ok", "seconds", "photos/s", "photos/s after the first", title="Batch throughput"
    )
    for run in runs:
        s = run.summary
        steady = "-" if s.steady_photos_per_s is None else f"{s.steady_photos_per_s:.1f}"
        table.add_row(
            str(run.workers), str(s.processed), str(s.ok), f"{s.seconds:.2f}", f"{s.photos_per_s:.1f}", steady
        )
    return table


def run_bench_batch(*, dataset: Path, write: Path | None, console: Console) -> bool:
    """Measure, print and (with ``write``) update the section; ``False`` when the dataset is absent."""
    photos = london_photos(dataset) if dataset.is_dir() else []
    if not photos:
        console.print(
            f"[yellow]skipped:[/] no London set photos at {dataset} (the shared data folder beside the "
            "repository); pass --dataset to point at them."
        )
        return False
    command = "facebalance bench-batch" + (f" --write {write}" if write is not None else "")
    load_average = load_average_text()
    runs = measure(photos, console=console)
    console.print(render_table(runs))
    if write is not None:
        from facebalance.evaluation.common import write_section

        # write_section re-reads the file just before replacing only this section.
        write_section(write, SECTION, render_section(runs, command=command, dataset=dataset, load_average=load_average))
        console.print(f"wrote the {SECTION} section of {write}")
    return True
