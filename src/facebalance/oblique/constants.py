"""The oblique path's constants (``data/oblique.toml``), each with its provenance.

Read once through :mod:`facebalance.provenance`; the measurement code receives the values as arguments.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from facebalance.provenance import Provenance, packaged_table, require, table_rows


@dataclass(frozen=True)
class Constant:
    """One number of the oblique path: value, optional one-sigma spread, and where it comes from."""

    id: str
    value: float
    sd: float | None
    provenance: Provenance


@dataclass(frozen=True)
class ObliqueConstants:
    """Every constant of ``data/oblique.toml`` by id."""

    version: str
    constants: dict[str, Constant]

    def __getitem__(self, id_: str) -> Constant:
        return self.constants[id_]


def parse_constants(doc: dict[str, Any], *, origin: str) -> ObliqueConstants:
    """Validate a parsed constants document: every row has an id, a value, a source and a review status."""
    constants: dict[str, Constant] = {}
    for where, row in table_rows(doc, "constant", origin=origin):
        cid = str(require(row, "id", where))
        constants[cid] = Constant(
            id=cid,
            value=float(require(row, "value", where)),
            sd=float(row["sd"]) if "sd" in row else None,
            provenance=Provenance.of_row(row, where),
        )
    return ObliqueConstants(version=str(doc.get("meta", {}).get("version", "unversioned")), constants=constants)


@functools.lru_cache(maxsize=1)
def load_oblique_constants() -> ObliqueConstants:
    """The packaged constants, parsed once per process."""
    return parse_constants(
        packaged_table("facebalance.oblique", "oblique.toml"), origin="facebalance.oblique/data/oblique.toml"
    )
