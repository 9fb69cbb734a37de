"""Command-line groups contributed by each capability.

Every module here defines ``register(app: typer.Typer, eval_app: typer.Typer) -> None`` and adds its
commands; :mod:`facebalance.cli` discovers and registers them all. Keeping one module per capability lets
profile, dynamics, photo-session and planning commands grow without editing a shared file.
"""
