"""Command-line groups contributed by each capability.

Every module here defines ``register(app: typer.Typer, eval_app: typer.Typer) -> None`` and adds its
commands; :mod:`facebalance.cli` discovers and registers them all. Keeping one module per capability lets
profile, dynamics, photo-session and planning commands grow without editing a shared file.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from facebalance.errors import FacebalanceError


def report_error(exc: FacebalanceError, name: str = "", *, code: int = 2) -> typer.Exit:
    """Print a domain error as the CLI shows every error (what is wrong, then how to fix it) and return the
    ``typer.Exit`` to raise. Shared by every command so that the boundary translates errors one way."""
    prefix = f"{escape(name)}: " if name else ""
    hint = f"\n  [yellow]fix:[/] {escape(exc.hint)}" if exc.hint else ""
    Console(stderr=True).print(f"[bold red]error[/] {prefix}{escape(exc.message)}{hint}")
    return typer.Exit(code=code)
