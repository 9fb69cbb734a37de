"""``facebalance check-photos``: quality checks at capture, per photo and across the session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given (a missing one gets its own failed ``file`` check), folders searched like the batch does."""
    from facebalance.batch import collect_photos

    files: list[Path] = []
    for p in paths:
        files += collect_photos([p]) if p.is_dir() else [p]
    return files


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command("check-photos")
    def check_photos(
        paths: Annotated[list[Path], typer.Argument(help="Photos or folders of one session.")],
        view: Annotated[
            str | None, typer.Option(help="The view all photos were taken for (else from file names or identified).")
        ] = None,
        protocol: Annotated[Path | None, typer.Option(help="A clinic protocol TOML file.")] = None,
        json_out: Annotated[Path | None, typer.Option("--json", help="Write the results as JSON here.")] = None,
    ) -> None:
        """Identify each photo's view and check pose, size, focus, exposure, expression, eyes, backdrop and
        session consistency. Exit code 1 when any photo fails a check."""
        from facebalance.errors import FacebalanceError
        from facebalance.session.photo_check import check_session, missing_required_views
        from facebalance.session.protocol import load_protocol
        from facebalance.vision import FaceLandmarker

        console = Console()
        try:
            proto = load_protocol(protocol)
            if view is not None:
                proto.view(view)
        except FacebalanceError as exc:
            Console(stderr=True).print(f"[bold red]error[/] {exc.message}\n  [yellow]fix:[/] {exc.hint}")
            raise typer.Exit(code=2) from None
        files = _expand(paths)
        if not files:
            Console(stderr=True).print("[bold red]error[/] no photos found at the given paths")
            raise typer.Exit(code=2)
        with FaceLandmarker() as landmarker:
            results = check_session(files, protocol=proto, landmarker=landmarker, view_id=view)
        for r in results:
            pose = (
                ""
                if r.pose is None
                else (f"yaw {r.pose.yaw_deg:+.1f}°  pitch {r.pose.pitch_deg:+.1f}°  roll {r.pose.roll_deg:+.1f}°")
            )
            table = Table(
                title=f"{r.file}: {r.view_identified} [{_STYLE[r.status]}]{r.status}[/]  {pose}",
                title_justify="left",
                box=None,
            )
            table.add_column("check")
            table.add_column("status")
            table.add_column("value", justify="right")
            table.add_column("threshold")
            table.add_column("message")
            for c in r.checks:
                value = "" if c.value is None else f"{c.value:.3g}"
                threshold = "" if c.threshold is None else str(c.threshold)
                table.add_row(c.name, f"[{_STYLE[c.status]}]{c.status}[/]", value, threshold, c.message)
            console.print(table)
        missing = missing_required_views(results, proto)
        if len(results) > 1 and missing:
            console.print(f"[yellow]Session incomplete:[/] no usable photo yet for {', '.join(missing)}")
        if json_out is not None:
            doc = {
                "schema": "facebalance.photo_checks",
                "schema_version": "1.0",
                "protocol": proto.name,
                "protocol_version": proto.version,
                "photos": [r.as_dict() for r in results],
                "missing_required_views": missing,
            }
            tmp = json_out.with_name(f".{json_out.name}.tmp")
            tmp.write_text(json.dumps(doc, indent=2), "utf-8")
            tmp.replace(json_out)
        if any(r.status == "fail" for r in results):
            raise typer.Exit(code=1)

    @eval_app.command("pose")
    def eval_pose(
        dataset: Annotated[Path, typer.Option(help="AFLW2000-3D subset folder with pose_degrees.csv.")],
        write: Annotated[Path | None, typer.Option(help="Update this markdown file's section.")] = None,
    ) -> None:
        """Head-pose error (MAE per angle) against AFLW2000-3D ground truth."""
        from facebalance.evaluation.photo_checks import run_pose_eval

        run_pose_eval(dataset, write=write, console=Console())

    @eval_app.command("photo-checks")
    def eval_photo_checks(
        dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/ and smiling/).")],
        write: Annotated[Path | None, typer.Option(help="Update this markdown file's section.")] = None,
        limit: Annotated[int | None, typer.Option(help="Only the first N people.")] = None,
    ) -> None:
        """Expression check (neutral vs smiling), view identification and focus check on the London set."""
        from facebalance.evaluation.photo_checks import run_photo_check_eval

        run_photo_check_eval(dataset, write=write, limit=limit, console=Console())
