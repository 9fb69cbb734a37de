"""Reading the planner's packaged TOML files (the only I/O in :mod:`facebalance.planning`)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from facebalance.planning.errors import ClinicalDataError

REVIEW_STATES = frozenset({"cited", "working", "clinic"})


def packaged_toml(name: str) -> dict[str, Any]:
    """The parsed ``data/NAME`` file of the planning package."""
    text = resources.files("facebalance.planning").joinpath(f"data/{name}").read_text("utf-8")
    return tomllib.loads(text)


def packaged_text(name: str) -> str:
    """The text of ``data/NAME`` in the planning package."""
    return resources.files("facebalance.planning").joinpath(f"data/{name}").read_text("utf-8")


def require_source(row: dict[str, Any], where: str, *, key: str = "source", review_key: str = "review") -> str:
    """The row's source, after checking that it has one and a known review status."""
    source = str(row.get(key, "")).strip()
    if not source:
        raise ClinicalDataError(f"{where} has no {key}.", hint="Cite the basis of every number, or mark it working.")
    review = str(row.get(review_key, ""))
    if review not in REVIEW_STATES:
        raise ClinicalDataError(
            f"{where} has review status {review!r}.", hint=f"Use one of {', '.join(sorted(REVIEW_STATES))}."
        )
    return source
