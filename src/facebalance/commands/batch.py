"""``facebalance analyze-batch`` and ``facebalance bench-batch``: whole photo archives, one row per photo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from facebalance.commands import report_error

if TYPE_CHECKING:
    from facebalance.batch import BatchSummary


_fail = report_error


def summary_table(summary: BatchSummary) -> Table:
    """The batch's outcome as a Rich table."""
    table = Table(show_header=False, title=f"Batch: {escape(str(summary.out))}", title_justify="left", box=None)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("files", str(summary.total))
    table.add_row("already done (skipped)", str(summary.skipped))
    table.add_row("ok", f"[green]{summary.ok}[/]")
    table.add_row("failed", f"[red]{summary.failed}[/]" if summary.failed else "0")
    table.add_row("seconds", f"{summary.seconds:.1f}")
    table.add_row("photos/s", f"{summary.photos_per_s:.1f}")
    table.add_row("ran on", escape(summary.where))
    return table


def run_analyze_batch(
    paths: list[Path],
    *,
    out: Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = True,
    sex: str | None = None,
    ethnicity: str | None = None,
    norms: Path | None = None,
    rules: Path | None = None,
    ipd_mm: float | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> None:
    """Analyse every photo under ``paths`` into one CSV or Parquet table and print the summary.

    The entry point for ``facebalance analyze-batch`` and for ``facebalance analyze DIR --out X.csv``.

    Raises
    ------
    typer.Exit
        Code 1 when some photos failed (their rows say why; the table is complete), code 2 when the batch
        could not run (no photos, bad output name, unreadable previous results, no scheduler, bad norms or
        rules).
    typer.BadParameter
        Contradictory or invalid options.
    """
    from facebalance.batch import analyze_task, collect_photos, output_format, run_batch
    from facebalance.errors import FacebalanceError
    from facebalance.findings import load_finding_rules
    from facebalance.norms import load_norm_set

    console = console or Console()
    if sex is not None and sex not in ("female", "male"):
        raise typer.BadParameter("use female or male", param_hint="--sex")
    if workers is not None and scheduler is not None:
        raise typer.BadParameter(
            "give --workers for local processes or --scheduler for a Dask cluster, not both", param_hint="--workers"
        )
    if workers is not None and workers < 1:
        raise typer.BadParameter("at least 1", param_hint="--workers")
    try:
        output_format(out)
        # Fail here, once, rather than in every worker.
        if norms is not None:
            load_norm_set(norms)
        if rules is not None:
            load_finding_rules(rules)
        files = collect_photos(paths)
    except FacebalanceError as exc:
        raise _fail(exc) from None
    if not files:
        Console(stderr=True).print(
            "[bold red]error[/] no photos (.jpg, .jpeg, .png, .webp, .heic, .heif) found at the given paths"
        )
        raise typer.Exit(code=2)
    task = analyze_task(sex=sex, ethnicity=ethnicity, norms_path=norms, rules_path=rules, known_ipd_mm=ipd_mm)
    try:
        summary = run_batch(
            files, task, out=out, workers=workers, scheduler=scheduler, resume=resume, progress=progress
        )
    except FacebalanceError as exc:
        raise _fail(exc) from None
    console.print(summary_table(summary))
    for message, count in summary.top_errors:
        console.print(f"  [red]{count} x[/] {escape(message)}")
    if summary.failed:
        console.print(
            f"[yellow]{summary.failed} photo(s) failed; their rows in {escape(str(out))} say why. "
            "Run the same command again to retry only those.[/]"
        )
        raise typer.Exit(code=1)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command("analyze-batch")
    def analyze_batch(
        paths: Annotated[list[Path], typer.Argument(help="Photos and folders (searched recursively).")],
        out: Annotated[Path, typer.Option(help="The results table: results.csv or results.parquet.")],
        workers: Annotated[
            int | None, typer.Option(help="Local processes (default: every CPU; 1 = this process).")
        ] = None,
        scheduler: Annotated[
            str | None, typer.Option(help="Run on this Dask scheduler (tcp://HOST:PORT) instead of locally.")
        ] = None,
        resume: Annotated[
            bool, typer.Option(help="Skip photos already ok in --out (--no-resume starts afresh).")
        ] = True,
        sex: Annotated[str | None, typer.Option(help="Patients' sex for sex-specific norms: female or male.")] = None,
        ethnicity: Annotated[
            str | None,
            typer.Option(help="Self-reported ancestry (e.g. 'Korean American'): selects the population norms."),
        ] = None,
        norms: Annotated[Path | None, typer.Option(help="A clinic norm set (TOML) layered over the default.")] = None,
        rules: Annotated[
            Path | None, typer.Option(help="Clinic finding rules (TOML) layered over the default.")
        ] = None,
        quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    ) -> None:
        """Analyse many photos into one CSV/Parquet table (one row per photo, failures recorded, resumable)."""
        run_analyze_batch(
            paths,
            out=out,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            sex=sex,
            ethnicity=ethnicity,
            norms=norms,
            rules=rules,
            progress=not quiet,
        )

    @app.command("bench-batch")
    def bench_batch(
        dataset: Annotated[
            Path | None,
            typer.Option(
                help="Folder of the London set's neutral photos (default: ../shared/data/london_frontal/neutral)."
            ),
        ] = None,
        write: Annotated[
            Path | None,
            typer.Option(help="Update the bench-batch section of this markdown file (docs/performance.md)."),
        ] = None,
    ) -> None:
        """Batch throughput (photos/s) on the London set with 1 and 2 local workers."""
        from facebalance.bench.batch import DEFAULT_DATASET, run_bench_batch

        run_bench_batch(dataset=dataset or DEFAULT_DATASET, write=write, console=Console())
