"""Every CLI command and every option of it is documented, and every documented option exists.

The documentation is README.md and docs/*.md. A command's option counts as documented when a paragraph that
names the command (``facebalance eval profile``) also names the option (``--dataset``); an option written in a
usage right after a command's name must be one of that command's options.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from facebalance.cli import app

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text("utf-8")
DOCS = [README] + [p.read_text("utf-8") for p in sorted((ROOT / "docs").glob("*.md"))]
PARAGRAPHS = [p for doc in DOCS for p in re.split(r"\n\s*\n", doc)]
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def _commands(command: Any, path: str = "facebalance") -> Iterator[tuple[str, Any]]:
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path} {name}")
    else:
        yield path, command


COMMANDS = dict(_commands(typer.main.get_command(app)))


def _flags(command: Any) -> set[str]:
    flags: set[str] = set()
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            flags |= {o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")}
    return flags


def _usage_after(text: str, end: int) -> str:
    """The text of a usage that starts right after a command's name: up to the closing backtick, the end of
    the paragraph or the next command."""
    rest = text[end : end + 600]
    stops = [i for i in (rest.find("`"), rest.find("\n\n"), rest.find("facebalance ")) if i >= 0]
    return rest[: min(stops, default=len(rest))]


def test_it_documents_every_command_in_the_readme() -> None:
    assert "facebalance analyze" in COMMANDS and "facebalance eval measurements" in COMMANDS
    for path in COMMANDS:
        assert path in README, f"{path} is not in README.md"


def test_it_documents_every_option_of_every_command() -> None:
    undocumented = []
    for path, command in COMMANDS.items():
        mine = [p for p in PARAGRAPHS if re.search(re.escape(path) + r"(?![\w-])", p)]
        for param in command.params:
            if getattr(param, "param_type_name", "") != "option" or param.name == "help":
                continue
            flags = [o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")]
            if not any(flag in p for flag in flags for p in mine):
                undocumented.append(f"{path} {flags[0]}")
    assert undocumented == [], "document these options next to their command in README.md or docs/"


def test_every_documented_option_exists() -> None:
    names = sorted(COMMANDS, key=len, reverse=True)
    unknown = set()
    for doc in DOCS:
        for match in re.finditer(r"facebalance(?: [a-z][a-z-]*)+", doc):
            written = match.group(0)
            path = next((n for n in names if written == n or written.startswith(n + " ")), None)
            if path is None:
                continue
            end = match.start() + len(path)
            used = set(FLAG.findall(_usage_after(doc, end)))
            unknown |= {f"{path} {flag}" for flag in used - _flags(COMMANDS[path]) - {"--help"}}
    assert sorted(unknown) == []


def test_the_readme_opens_with_make_run_and_make_test() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_the_anatomy_document_is_the_landmark_table() -> None:
    from facebalance.anatomy.landmarks import landmark_table_markdown

    doc = (ROOT / "docs" / "anatomy.md").read_text("utf-8")
    assert doc == landmark_table_markdown(), "regenerate: facebalance landmarks --markdown > docs/anatomy.md"
