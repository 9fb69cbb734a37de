"""``facebalance eval marker``: the printed calibration marker's scale error on renders and London photos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @eval_app.command("marker")
    def eval_marker(
        dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/*.jpg with .tem templates).")],
        write: Annotated[Path | None, typer.Option(help="Update this markdown file's section.")] = None,
        limit: Annotated[int | None, typer.Option(help="Only the first N London photos.")] = None,
    ) -> None:
        """Calibration-marker scale error on known-answer renders (perspective, blur, noise) and the
        interpupillary distance on London photos with a marker composited at a known size."""
        from facebalance.evaluation.marker import run_marker_eval

        run_marker_eval(dataset, write=write, limit=limit, console=Console())
