"""``facebalance bench-clinic``: p50/p95 latency of the clinic's pages and API under concurrent users."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from facebalance.errors import FacebalanceError


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command("bench-clinic")
    def bench_clinic(
        users: Annotated[int, typer.Option(min=1, max=200, help="Concurrent virtual users.")] = 20,
        rounds: Annotated[int, typer.Option(min=1, max=1000, help="Rounds of the main pages and API per user.")] = 10,
        max_requests: Annotated[
            int, typer.Option(min=10, help="Stop issuing rounds past this many requests per database.")
        ] = 2500,
        max_seconds: Annotated[
            float, typer.Option(min=1, help="Stop issuing rounds after this many seconds per database.")
        ] = 180.0,
        database_url: Annotated[
            list[str] | None,
            typer.Option(
                "--database-url",
                help="Also measure on this PostgreSQL database (postgres://...@127.0.0.1:PORT/db, "
                "e.g. from .ci/postgres.sh start); repeatable.",
            ),
        ] = None,
        sqlite: Annotated[
            bool, typer.Option(help="Measure on SQLite in a fresh folder (--no-sqlite skips it).")
        ] = True,
        write: Annotated[
            Path | None,
            typer.Option(help="Update the bench-clinic section of this markdown file (docs/performance.md)."),
        ] = None,
    ) -> None:
        """Load the clinic web app (gunicorn on 127.0.0.1) with concurrent users; latency per page and API call."""
        from facebalance.bench.clinic import run_bench_clinic

        console = Console()
        try:
            run_bench_clinic(
                database_urls=database_url or [],
                sqlite=sqlite,
                users=users,
                rounds=rounds,
                max_requests=max_requests,
                max_seconds=max_seconds,
                write=write,
                console=console,
            )
        except FacebalanceError as exc:
            Console(stderr=True).print(
                f"[bold red]error[/] {exc.message}" + (f"\n  [yellow]fix:[/] {exc.hint}" if exc.hint else "")
            )
            raise typer.Exit(code=2) from None
