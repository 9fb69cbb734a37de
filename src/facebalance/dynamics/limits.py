"""The numbers of the dynamic assessment's input and tooth/gum reading, from ``data/limits_default.toml``.

Each is a row with its ``source`` and ``review`` status (:mod:`facebalance.provenance`). The guided script
(``data/script_default.toml``) and the movement rules (``data/rules_default.toml``) carry the rest.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import Any

from facebalance.dynamics.errors import ScriptError
from facebalance.provenance import Provenance, number_rows, packaged_table


@dataclass(frozen=True)
class DynamicsLimits:
    """The limits (each documented with its source in the data file).

    Attributes
    ----------
    max_photos : int
        Most photos in one expression series.
    low_iris_px : float
        Below this visible-iris size (pixels) the result carries a resolution warning.
    tooth_lighter_than_lip, tooth_max_chroma : float
        A tooth sample is this much lighter (L*) than the lip, with chroma at most this.
    gum_min_chroma_fraction, gum_min_lightness, gum_min_difference_from_lip : float
        A gum sample keeps this fraction of the lip's chroma, is not darker than this (L*), and differs from
        the lip by at least this (CIE76 delta E).
    min_run_px : int
        Shorter tooth or gum runs are noise.
    incisor_column_fraction : float
        Where the incisor column lies, from the lip midline (0) to the canine column (1).
    start_above_fraction : float
        How far above the mesh's lip edge the profile starts, fraction of the lip-to-lip opening.
    provenance : dict of str to Provenance
        Source and review status of every limit, by id.
    """

    max_photos: int
    low_iris_px: float
    tooth_lighter_than_lip: float
    tooth_max_chroma: float
    gum_min_chroma_fraction: float
    gum_min_lightness: float
    gum_min_difference_from_lip: float
    min_run_px: int
    incisor_column_fraction: float
    start_above_fraction: float
    provenance: dict[str, Provenance]


#: The ids the limits file must give, each once.
LIMIT_IDS: tuple[str, ...] = tuple(f.name for f in fields(DynamicsLimits) if f.name != "provenance")
_COUNTS = ("max_photos", "min_run_px")


def parse_limits(doc: dict[str, Any], *, origin: str) -> DynamicsLimits:
    """Check a parsed limits document (every limit once, positive, with a source) and build the limits."""
    rows = number_rows(doc, "limit", LIMIT_IDS, origin=origin, positive=True, counts=_COUNTS, error=ScriptError)
    v = {k: value for k, (value, _) in rows.items()}
    return DynamicsLimits(
        max_photos=int(v["max_photos"]),
        low_iris_px=v["low_iris_px"],
        tooth_lighter_than_lip=v["tooth_lighter_than_lip"],
        tooth_max_chroma=v["tooth_max_chroma"],
        gum_min_chroma_fraction=v["gum_min_chroma_fraction"],
        gum_min_lightness=v["gum_min_lightness"],
        gum_min_difference_from_lip=v["gum_min_difference_from_lip"],
        min_run_px=int(v["min_run_px"]),
        incisor_column_fraction=v["incisor_column_fraction"],
        start_above_fraction=v["start_above_fraction"],
        provenance={k: provenance for k, (_, provenance) in rows.items()},
    )


@functools.lru_cache(maxsize=1)
def default_limits() -> DynamicsLimits:
    """The packaged limits (``data/limits_default.toml``), read once."""
    name = "limits_default.toml"
    return parse_limits(packaged_table("facebalance.dynamics", name, error=ScriptError), origin=name)
