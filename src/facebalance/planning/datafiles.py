"""Reading the planner's packaged data files (the only I/O in :mod:`facebalance.planning`).

Every table is read and every number's source checked through :mod:`facebalance.provenance` (one set of
review states for every data file of the project); a malformed row raises :class:`ClinicalDataError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from facebalance.planning.errors import ClinicalDataError
from facebalance.provenance import Provenance, packaged_table

PACKAGE = "facebalance.planning"


def packaged_toml(name: str) -> dict[str, Any]:
    """The parsed ``data/NAME`` TOML file of the planning package."""
    return packaged_table(PACKAGE, name, error=ClinicalDataError)


def packaged_text(name: str) -> str:
    """The text of ``data/NAME`` in the planning package."""
    return resources.files(PACKAGE).joinpath(f"data/{name}").read_text("utf-8")


def source_of(row: Mapping[str, Any], where: str, *, key: str = "source") -> str:
    """The row's source (``key``; its review status under the matching ``*review`` key), after
    :meth:`Provenance.of_row <facebalance.provenance.Provenance.of_row>` checked both.

    >>> source_of({"durability_source": "Master 2021", "durability_review": "cited"}, "x", key="durability_source")
    'Master 2021'
    """
    review_key = key.removesuffix("source") + "review"
    return Provenance.of_row(row, where, error=ClinicalDataError, source_key=key, review_key=review_key).source
