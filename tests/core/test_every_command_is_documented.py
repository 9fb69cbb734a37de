"""Every CLI command appears in the README, and the README opens with the two set-up commands."""

from __future__ import annotations

from pathlib import Path

import typer

from facebalance.cli import app

README = (Path(__file__).parents[2] / "README.md").read_text("utf-8")


def command_paths(typer_app: typer.Typer, prefix: str = "facebalance") -> list[str]:
    paths = []
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__.replace("_", "-") if command.callback else "")
        paths.append(f"{prefix} {name}")
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        paths += command_paths(group.typer_instance, f"{prefix} {group.name}")
    return paths


def test_it_documents_every_command_in_the_readme() -> None:
    paths = command_paths(app)
    assert "facebalance analyze" in paths and "facebalance eval measurements" in paths
    for path in paths:
        assert path in README, f"{path} is not in README.md"


def test_the_readme_opens_with_make_run_and_make_test() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_the_anatomy_document_is_the_landmark_table() -> None:
    from facebalance.anatomy.landmarks import landmark_table_markdown

    doc = (Path(__file__).parents[2] / "docs" / "anatomy.md").read_text("utf-8")
    assert doc == landmark_table_markdown(), "regenerate: facebalance landmarks --markdown > docs/anatomy.md"
