"""``facebalance eval mirror``, ``eval findings`` and ``eval rest-smile``: the frontal engine's checks that
need no annotator (mirror symmetry, specificity on ordinary faces, repeatability across expressions)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

_DATASET_HINT = "Give the London set folder, e.g. ../shared/data/london_frontal."


def _run(runner: Callable[..., object], dataset: Path, write: Path | None, limit: int | None) -> None:
    try:
        runner(dataset, write=write, limit=limit, console=Console())
    except FileNotFoundError as exc:
        Console(stderr=True).print(f"[bold red]error[/] {exc}\n  [yellow]fix:[/] {_DATASET_HINT}")
        raise typer.Exit(code=2) from None


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    del app  # evaluation commands only

    @eval_app.command("mirror")
    def eval_mirror(
        dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/*.jpg, london_info.csv).")],
        write: Annotated[Path | None, typer.Option(help="Update this markdown file's section.")] = None,
        limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
    ) -> None:
        """Each photo vs its mirror image: median and 95th percentile |difference| of every mm measurement
        and how many faces get exactly the mirrored findings."""
        from facebalance.evaluation.mirror import run_mirror_eval

        _run(run_mirror_eval, dataset, write, limit)

    @eval_app.command("findings")
    def eval_findings(
        dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/*.jpg, london_info.csv).")],
        write: Annotated[Path | None, typer.Option(help="Update this markdown file's section.")] = None,
        limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
    ) -> None:
        """Specificity: proposed findings per face and each finding's rate on ordinary faces (photos and
        mirrors, so left and right rates can be compared)."""
        from facebalance.evaluation.findings import run_findings_eval

        _run(run_findings_eval, dataset, write, limit)

    @eval_app.command("rest-smile")
    def eval_rest_smile(
        dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/ and smiling/).")],
        write: Annotated[Path | None, typer.Option(help="Update this markdown file's section.")] = None,
        limit: Annotated[int | None, typer.Option(help="Only the first N people.")] = None,
    ) -> None:
        """Interpupillary and intercanthal distances of each person's neutral vs smiling photo (MAD mm)."""
        from facebalance.evaluation.rest_smile import run_rest_smile_eval

        _run(run_rest_smile_eval, dataset, write, limit)
